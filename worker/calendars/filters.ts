import { DavError } from '../dav/errors';
import { clark, NS } from '../dav/namespaces';
import { child, elements, textOf, type XmlElement } from '../dav/xml';
import type { Collation, CompFilter, ParamFilter, PropFilter, TextMatch, TimeRange } from './ical/index';

const CAL = (l: string) => clark(NS.CALDAV, l);
const COLLATIONS = new Set<Collation>(['i;ascii-casemap', 'i;octet', 'i;unicode-casemap']);
/** Filters nest a few levels (VCALENDAR → VEVENT → VALARM → prop → param); more is an attack. */
const MAX_FILTER_DEPTH = 8;

const invalidFilter = (message: string) => new DavError(403, message, { condition: CAL('valid-filter') });

/** An iCalendar UTC date-time (`19970714T170000Z`, RFC 4791 §9.9) in ms; 400 when malformed. */
export function parseUtc(value: string | undefined): number | null {
  if (value === undefined) return null;
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value.trim());
  if (!m) throw new DavError(400, `Invalid UTC date-time ${value}`, { condition: CAL('valid-filter') });
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  if (Number.isNaN(ms)) throw new DavError(400, `Invalid UTC date-time ${value}`);
  return ms;
}

const attr = (el: XmlElement, name: string) => el.attrs.find((a) => a.ns === '' && a.local === name)?.value;

/** A CALDAV:time-range element (RFC 4791 §9.9): at least one of start and end, start before end. */
export function parseTimeRange(el: XmlElement): TimeRange {
  const start = parseUtc(attr(el, 'start'));
  const end = parseUtc(attr(el, 'end'));
  if (start === null && end === null) throw invalidFilter('time-range needs start or end');
  if (start !== null && end !== null && end <= start) throw invalidFilter('time-range end must be after start');
  return { start, end };
}

function parseTextMatch(el: XmlElement): TextMatch {
  const collation = (attr(el, 'collation') ?? 'i;ascii-casemap') as Collation;
  if (!COLLATIONS.has(collation)) throw new DavError(403, `Unsupported collation ${collation}`, { condition: CAL('supported-collation') });
  const matchType = attr(el, 'match-type') ?? 'contains';
  if (!['equals', 'contains', 'starts-with', 'ends-with'].includes(matchType)) throw invalidFilter('Unknown match-type');
  return { value: textOf(el), collation, negate: attr(el, 'negate-condition') === 'yes', matchType: matchType as TextMatch['matchType'] };
}

function nameOf(el: XmlElement): string {
  const name = attr(el, 'name');
  if (!name) throw invalidFilter(`${el.local} needs a name`);
  return name.toUpperCase();
}

function parseParamFilter(el: XmlElement): ParamFilter {
  const tm = child(el, NS.CALDAV, 'text-match');
  return { name: nameOf(el), isNotDefined: !!child(el, NS.CALDAV, 'is-not-defined'), textMatch: tm ? parseTextMatch(tm) : null };
}

function parsePropFilter(el: XmlElement): PropFilter {
  const tr = child(el, NS.CALDAV, 'time-range');
  const tm = child(el, NS.CALDAV, 'text-match');
  return {
    name: nameOf(el), isNotDefined: !!child(el, NS.CALDAV, 'is-not-defined'),
    timeRange: tr ? parseTimeRange(tr) : null, textMatch: tm ? parseTextMatch(tm) : null,
    paramFilters: elements(el).filter((c) => c.ns === NS.CALDAV && c.local === 'param-filter').map(parseParamFilter),
  };
}

function parseCompFilter(el: XmlElement, depth: number): CompFilter {
  if (depth > MAX_FILTER_DEPTH) throw invalidFilter('Filter nested too deeply');
  const tr = child(el, NS.CALDAV, 'time-range');
  return {
    name: nameOf(el), isNotDefined: !!child(el, NS.CALDAV, 'is-not-defined'), timeRange: tr ? parseTimeRange(tr) : null,
    propFilters: elements(el).filter((c) => c.ns === NS.CALDAV && c.local === 'prop-filter').map(parsePropFilter),
    compFilters: elements(el).filter((c) => c.ns === NS.CALDAV && c.local === 'comp-filter').map((c) => parseCompFilter(c, depth + 1)),
  };
}

/** The CALDAV:filter of a calendar-query (RFC 4791 §9.7): one comp-filter named VCALENDAR. */
export function parseCalendarFilter(filter: XmlElement | undefined): CompFilter {
  if (!filter) throw invalidFilter('calendar-query needs CALDAV:filter');
  const comps = elements(filter).filter((c) => c.ns === NS.CALDAV && c.local === 'comp-filter');
  if (comps.length !== 1) throw invalidFilter('CALDAV:filter needs exactly one comp-filter');
  const top = parseCompFilter(comps[0], 0);
  if (top.name !== 'VCALENDAR') throw invalidFilter('The top comp-filter must be VCALENDAR');
  return top;
}

/**
 * What the index can narrow: the component asked for and the time range, when the filter is a
 * plain VCALENDAR → one component (with or without a time-range). Anything else reads the calendar.
 */
export function indexablePart(top: CompFilter): { component: string | null; range: TimeRange } {
  const none = { component: null, range: { start: null, end: null } };
  if (top.isNotDefined || top.compFilters.length !== 1) return none;
  const comp = top.compFilters[0];
  if (comp.isNotDefined) return none;
  return { component: comp.name, range: comp.timeRange ?? { start: null, end: null } };
}
