import type { Collation } from '../calendars/ical/index';
import { DavError } from '../dav/errors';
import { clark, NS } from '../dav/namespaces';
import { child, elements, textOf, type XmlElement } from '../dav/xml';
import type { CardFilter, CardParamFilter, CardPropFilter, CardTextMatch } from './vcard/index';

const CARD = (l: string) => clark(NS.CARDDAV, l);
const COLLATIONS = new Set<Collation>(['i;ascii-casemap', 'i;octet', 'i;unicode-casemap']);
/** More prop-filters than any client sends; a bound on the work one query can ask for. */
const MAX_PROP_FILTERS = 50;

const invalidFilter = (message: string) => new DavError(403, message, { condition: CARD('valid-filter') });
const attr = (el: XmlElement, name: string) => el.attrs.find((a) => a.ns === '' && a.local === name)?.value;
const cardChildren = (el: XmlElement, local: string) => elements(el).filter((c) => c.ns === NS.CARDDAV && c.local === local);

function testOf(el: XmlElement): 'anyof' | 'allof' {
  const t = attr(el, 'test') ?? 'anyof';
  if (t !== 'anyof' && t !== 'allof') throw invalidFilter('test must be anyof or allof');
  return t;
}

function nameOf(el: XmlElement): string {
  const name = attr(el, 'name')?.trim();
  if (!name) throw invalidFilter(`${el.local} needs a name`);
  return name.toUpperCase();
}

/** RFC 6352 §10.5.4: the default collation of CardDAV is i;unicode-casemap, the default match-type contains. */
function parseTextMatch(el: XmlElement): CardTextMatch {
  const collation = (attr(el, 'collation') ?? 'i;unicode-casemap') as Collation;
  if (!COLLATIONS.has(collation)) throw new DavError(403, `Unsupported collation ${collation}`, { condition: CARD('supported-collation') });
  const matchType = attr(el, 'match-type') ?? 'contains';
  if (!['equals', 'contains', 'starts-with', 'ends-with'].includes(matchType)) throw invalidFilter('Unknown match-type');
  return { value: textOf(el), collation, negate: attr(el, 'negate-condition') === 'yes', matchType: matchType as CardTextMatch['matchType'] };
}

function parseParamFilter(el: XmlElement): CardParamFilter {
  const tm = child(el, NS.CARDDAV, 'text-match');
  return { name: nameOf(el), isNotDefined: !!child(el, NS.CARDDAV, 'is-not-defined'), textMatch: tm ? parseTextMatch(tm) : null };
}

function parsePropFilter(el: XmlElement): CardPropFilter {
  return {
    name: nameOf(el), test: testOf(el), isNotDefined: !!child(el, NS.CARDDAV, 'is-not-defined'),
    textMatches: cardChildren(el, 'text-match').map(parseTextMatch),
    paramFilters: cardChildren(el, 'param-filter').map(parseParamFilter),
  };
}

/** The CARDDAV:filter of an addressbook-query (RFC 6352 §10.5); an empty filter matches every card. */
export function parseCardFilter(filter: XmlElement | undefined): CardFilter {
  if (!filter) throw invalidFilter('addressbook-query needs CARDDAV:filter');
  const props = cardChildren(filter, 'prop-filter');
  if (props.length > MAX_PROP_FILTERS) throw invalidFilter(`At most ${MAX_PROP_FILTERS} prop-filters`);
  return { test: testOf(filter), propFilters: props.map(parsePropFilter) };
}

/** CARDDAV:limit/nresults (RFC 6352 §8.6.1, an unsigned integer), or null without a limit. */
export function parseLimit(body: XmlElement): number | null {
  const limit = child(body, NS.CARDDAV, 'limit');
  if (!limit) return null;
  const n = child(limit, NS.CARDDAV, 'nresults');
  const text = n ? textOf(n).trim() : '';
  if (!/^\d{1,9}$/.test(text)) throw new DavError(400, 'CARDDAV:limit needs a CARDDAV:nresults count');
  return Number(text);
}
