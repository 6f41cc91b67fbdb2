import ICAL from 'ical.js';
import { cardVersion, readCard } from './read';

// RFC 6352 §5.1 / §6.3.2.1 validation of one address object resource, and what the server
// indexes about it.

export interface CardInfo {
  uid: string;
  version: '3.0' | '4.0';
  fn: string;
  /** BDAY as YYYY-MM-DD, or --MM-DD when the year is unknown (vCard 4 "--0412", Apple's X-APPLE-OMIT-YEAR); null when absent or free text. */
  bday: string | null;
  hasPhoto: boolean;
}

export type ParsedCard =
  | {
      ok: true;
      info: CardInfo;
      /**
       * Set when the card was repaired (a missing UID or FN added, as SabreDAV does): store this
       * text instead of the request body, and send no ETag in the PUT response (RFC 4918 §9.7.1:
       * the stored representation differs from the one sent).
       */
      repaired?: string;
    }
  | { ok: false; precondition: 'valid-address-data' | 'max-resource-size'; message: string };

const refuse = (message: string): ParsedCard => ({ ok: false, precondition: 'valid-address-data', message });

function escapeText(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

/** Inserts property lines right before the card's END:VCARD, leaving everything else as sent. */
function insertLines(text: string, lines: string[]): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const end = text.search(/END:VCARD\s*$/i);
  const at = end < 0 ? text.length : end;
  const before = text.slice(0, at);
  return before + (before.endsWith('\n') ? '' : eol) + lines.map((l) => l + eol).join('') + text.slice(at);
}

/** FN from N, ORG, EMAIL or TEL (the order SabreDAV repairs in), or null. */
function derivedFn(card: ICAL.Component): string | null {
  const n = card.getFirstPropertyValue('n');
  if (Array.isArray(n)) {
    const [family, given, additional, prefix, suffix] = n.map((part) => (Array.isArray(part) ? part.join(' ') : String(part ?? '')));
    const full = [prefix, given, additional, family, suffix].filter(Boolean).join(' ').trim();
    if (full) return full;
  } else if (typeof n === 'string' && n.replace(/;/g, '').trim()) {
    return n.split(';').filter(Boolean).reverse().join(' ').trim();
  }
  const org = card.getFirstPropertyValue('org');
  const orgName = Array.isArray(org) ? String(org[0] ?? '') : org === null ? '' : String(org);
  if (orgName.trim()) return orgName.trim();
  for (const name of ['email', 'tel']) {
    const v = card.getFirstPropertyValue(name);
    if (v !== null && String(v).trim()) return String(v).trim().replace(/^tel:/i, '');
  }
  return null;
}

/** The BDAY of a card in the CardInfo.bday form. */
export function normalizedBday(card: ICAL.Component): string | null {
  const prop = card.getFirstProperty('bday');
  if (!prop || prop.type === 'text') return null;
  const raw = String(prop.jCal[3] ?? '').split('T')[0];
  const omitYear = prop.getParameter('x-apple-omit-year');
  let m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(raw);
  if (m) return typeof omitYear === 'string' && omitYear === m[1] ? `--${m[2]}-${m[3]}` : `${m[1]}-${m[2]}-${m[3]}`;
  m = /^--(\d{2})-?(\d{2})$/.exec(raw);
  return m ? `--${m[1]}-${m[2]}` : null;
}

/** Validates one address object resource: one vCard 3.0 or 4.0; a missing UID or FN is added rather than refused. */
export function parseCard(text: string, opts: { maxBytes?: number } = {}): ParsedCard {
  if (opts.maxBytes !== undefined && new TextEncoder().encode(text).length > opts.maxBytes) {
    return { ok: false, precondition: 'max-resource-size', message: `vCard larger than ${opts.maxBytes} bytes` };
  }
  let card: ICAL.Component;
  try {
    card = readCard(text);
    for (const p of card.getAllProperties()) p.getValues(); // decode now: malformed values surface here
  } catch (e) {
    return refuse(`not a valid vCard: ${(e as Error).message}`);
  }
  const version = cardVersion(card);
  // RFC 6352 §5.1: CardDAV carries vCard 3.0 (and 4.0, which clients negotiate); SabreDAV refuses 2.1 too.
  if (version !== '3.0' && version !== '4.0') return refuse(version ? `unsupported vCard VERSION ${version}` : 'vCard without VERSION');

  const added: string[] = [];
  let uid = String(card.getFirstPropertyValue('uid') ?? '').trim();
  if (!uid) {
    // RFC 6352 §6.3.2.1 wants a UID; many clients omit it. SabreDAV adds one, and so do we.
    uid = crypto.randomUUID();
    added.push(`UID:${uid}`);
  }
  let fn = card.getFirstPropertyValue('fn');
  if (fn === null) {
    const derived = derivedFn(card);
    if (derived === null) return refuse('vCard without FN (RFC 6350 §6.2.1) and nothing to derive one from');
    fn = derived;
    added.push(`FN:${escapeText(derived)}`);
  }
  const photo = card.getFirstProperty('photo');
  const info: CardInfo = {
    uid,
    version,
    fn: String(fn),
    bday: normalizedBday(card),
    hasPhoto: photo !== null && String(photo.getFirstValue() ?? '').length > 0,
  };
  return added.length ? { ok: true, info, repaired: insertLines(text, added) } : { ok: true, info };
}

