/** A vCard 3.0 of a person, CRLF lines as clients send them; `extra` lines go before END. */
export function card3(uid: string, fn: string, ...extra: string[]): string {
  return ['BEGIN:VCARD', 'VERSION:3.0', 'PRODID:-//Cumulus tests//EN', `UID:${uid}`, `FN:${fn}`, `N:${fn.split(' ').reverse().join(';')};;;`,
    ...extra, 'END:VCARD', ''].join('\r\n');
}

/** A vCard 4.0 of a person. */
export function card4(uid: string, fn: string, ...extra: string[]): string {
  return ['BEGIN:VCARD', 'VERSION:4.0', 'PRODID:-//Cumulus tests//EN', `UID:${uid}`, `FN:${fn}`, ...extra, 'END:VCARD', ''].join('\r\n');
}

/** A 1×1 PNG, as a 3.0 inline photo and as a 4.0 data: URI. */
export const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
export const PHOTO_30 = `PHOTO;ENCODING=b;TYPE=PNG:${PNG_BASE64}`;
export const PHOTO_40 = `PHOTO:data:image/png;base64,${PNG_BASE64}`;

export const CARD_NS = 'xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav" xmlns:cs="http://calendarserver.org/ns/"';

export const MKCOL_ADDRESSBOOK = (name: string, extra = '') =>
  `<?xml version="1.0" encoding="utf-8"?><d:mkcol ${CARD_NS}><d:set><d:prop>` +
  `<d:resourcetype><d:collection/><card:addressbook/></d:resourcetype><d:displayname>${name}</d:displayname>${extra}` +
  '</d:prop></d:set></d:mkcol>';

export const VCARD_TYPE = { 'Content-Type': 'text/vcard; charset=utf-8' };
