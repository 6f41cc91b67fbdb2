import ICAL from 'ical.js';

/** Parses vCard text into its one VCARD; throws on anything else (several cards, iCalendar, garbage). */
export function readCard(text: string): ICAL.Component {
  // A byte-order mark (Outlook and Windows exports) is not part of the content.
  let jcard = ICAL.parse(text.replace(/^\uFEFF/, '')) as unknown[];
  if (!Array.isArray(jcard) || jcard.length === 0) throw new Error('no vCard found');
  if (Array.isArray(jcard[0])) {
    // RFC 6352 §5.1: an address object resource holds exactly one vCard.
    if (jcard.length !== 1) throw new Error('more than one vCard in one resource');
    jcard = jcard[0] as unknown[];
  }
  if (jcard[0] !== 'vcard') throw new Error(`expected VCARD, found ${String(jcard[0]).toUpperCase()}`);
  return new ICAL.Component(jcard);
}

export function tryReadCard(text: string): ICAL.Component | null {
  try {
    return readCard(text);
  } catch {
    return null;
  }
}

/** The vCard version as the VERSION property states it ('' when absent). */
export function cardVersion(card: ICAL.Component): string {
  return String(card.getFirstPropertyValue('version') ?? '').trim();
}
