import { DavError } from '../dav/errors';
import { clark, NS } from '../dav/namespaces';
import { elements, type XmlElement } from '../dav/xml';
import { convertCard } from './vcard/index';

export type CardVersion = '3.0' | '4.0';

/** What a client asks of CARDDAV:address-data (RFC 6352 §10.4): a version and a subset of properties. */
export interface AddressDataRequest {
  /** null = the version the card was stored in. */
  version: CardVersion | null;
  /** Upper-case property names to return; null = all of them. */
  props: string[] | null;
}

export const WHOLE_CARD: AddressDataRequest = { version: null, props: null };

/** Always returned with a property selection: a card is not a card without them (as SabreDAV keeps them). */
const ALWAYS = new Set(['BEGIN', 'END', 'VERSION', 'UID', 'FN']);
const VCARD_TYPES = new Set(['text/vcard', 'text/x-vcard']);

const unsupported = (message: string) => new DavError(403, message, { condition: clark(NS.CARDDAV, 'supported-address-data') });
const attr = (el: XmlElement, name: string) => el.attrs.find((a) => a.ns === '' && a.local === name)?.value;

/**
 * Parses a CARDDAV:address-data element of a REPORT or PROPFIND. Without a version attribute the
 * card comes as stored: the DTD's default of 3.0 would silently rewrite the 4.0 cards that
 * clients (vdirsyncer, DAVx5) uploaded and then compare byte for byte.
 */
export function parseAddressDataRequest(el: XmlElement): AddressDataRequest {
  const type = (attr(el, 'content-type') ?? 'text/vcard').trim().toLowerCase();
  if (!VCARD_TYPES.has(type)) throw unsupported(`address-data content-type ${type} is not supported (text/vcard only)`);
  const rawVersion = attr(el, 'version')?.trim();
  if (rawVersion !== undefined && rawVersion !== '3.0' && rawVersion !== '4.0') throw unsupported(`vCard version ${rawVersion} is not supported (3.0 and 4.0)`);
  const children = elements(el).filter((c) => c.ns === NS.CARDDAV);
  let props: string[] | null = null;
  if (!children.some((c) => c.local === 'allprop')) {
    const names = children.filter((c) => c.local === 'prop').map((c) => (attr(c, 'name') ?? '').trim().toUpperCase()).filter((n) => n !== '');
    if (names.length > 0) props = names;
  }
  return { version: (rawVersion as CardVersion | undefined) ?? null, props };
}

/** The version an Accept header asks for (GET, RFC 6352 §5.1.1), or null for "as stored". */
export function versionFromAccept(accept: string | null): CardVersion | null {
  if (!accept) return null;
  const ranges = accept.split(',').map((part, i) => {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    const map = new Map(params.map((p) => { const [k, v = ''] = p.split('='); return [k.trim().toLowerCase(), v.trim().replace(/^"|"$/g, '')]; }));
    const q = map.has('q') ? Number(map.get('q')) : 1;
    return { type: type.toLowerCase(), version: map.get('version') ?? null, q: Number.isNaN(q) ? 0 : q, i };
  }).filter((r) => r.q > 0 && (VCARD_TYPES.has(r.type) || r.type === '*/*' || r.type === 'text/*'));
  ranges.sort((a, b) => b.q - a.q || a.i - b.i);
  const best = ranges[0];
  return best && VCARD_TYPES.has(best.type) && (best.version === '3.0' || best.version === '4.0') ? best.version : null;
}

/** The card in the version asked for; as stored when the conversion cannot be made (it was valid when stored). */
export function cardInVersion(text: string, stored: string, version: CardVersion | null): string {
  if (version === null || version === stored) return text;
  try {
    return convertCard(text, version);
  } catch {
    return text;
  }
}

/**
 * The card as address-data asks for it: converted when the other version is asked for, then
 * reduced to the selected properties. Selection works on content lines (folded continuations
 * stay with their line), so what remains is byte for byte what was stored.
 */
export function renderAddressData(text: string, stored: string, req: AddressDataRequest): string {
  const card = cardInVersion(text, stored, req.version);
  if (req.props === null) return card;
  const keep = new Set([...ALWAYS, ...req.props]);
  const out: string[] = [];
  let keeping = false;
  for (const line of card.split(/(?<=\n)/)) {
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (keeping) out.push(line);
      continue;
    }
    // The name ends at the first ';' or ':'; a group prefix ("item1.EMAIL") is not part of it.
    const name = /^[^;:]*/.exec(line)![0].replace(/^.*\./, '').trim().toUpperCase();
    keeping = name === '' ? false : keep.has(name);
    if (keeping) out.push(line);
  }
  return out.join('');
}
