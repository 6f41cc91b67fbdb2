/** XML namespaces and the prefixes Nextcloud emits for them (clients match some prefixes literally). */
export const NS = {
  DAV: 'DAV:',
  SABRE: 'http://sabredav.org/ns',
  OC: 'http://owncloud.org/ns',
  NC: 'http://nextcloud.org/ns',
  CALDAV: 'urn:ietf:params:xml:ns:caldav',
  CARDDAV: 'urn:ietf:params:xml:ns:carddav',
  CS: 'http://calendarserver.org/ns/',
  APPLE: 'http://apple.com/ns/ical/',
  NC_COM: 'http://nextcloud.com/ns',
} as const;

/** Prefixes declared once on every multistatus root, as Nextcloud does. */
export const PREFIXES: ReadonlyMap<string, string> = new Map([
  [NS.DAV, 'd'],
  [NS.SABRE, 's'],
  [NS.OC, 'oc'],
  [NS.NC, 'nc'],
  [NS.CALDAV, 'cal'],
  [NS.CARDDAV, 'card'],
  [NS.CS, 'cs'],
  [NS.APPLE, 'x1'],
  [NS.NC_COM, 'x2'],
]);

/** The xmlns declarations for PREFIXES, ready to put on a root element. */
export const ROOT_XMLNS = [...PREFIXES].map(([uri, p]) => ` xmlns:${p}="${uri}"`).join('');

/** Clark notation: `{namespace}local`. */
export function clark(ns: string, local: string): string {
  return `{${ns}}${local}`;
}

/** Splits a Clark name into namespace and local name. */
export function parseClark(name: string): { ns: string; local: string } {
  // The last brace: a namespace URI may contain '}', an XML local name never does.
  const end = name.lastIndexOf('}');
  return { ns: name.slice(1, end), local: name.slice(end + 1) };
}
