import ICAL from 'ical.js';
import { groupInstances, groupsOf, instanceBounds, type Ctx, type Group } from './instances';
import { isUnbounded, untilBound } from './occurrences';
import { readCalendar } from './read';
import type { CalendarComponent, CalendarObjectInfo, CalendarPrecondition, ParseCalendarOptions, ParsedCalendarObject } from './types';

// RFC 4791 §4.1 / §5.3.2.1 validation of one calendar object resource, and what the server
// indexes about it. Refusals name the CALDAV precondition the DAV layer puts in its error body.

const MAIN = ['VEVENT', 'VTODO', 'VJOURNAL'];
/** Floating times and dates are somewhere between UTC−12 and UTC+14: widen their bounds so an index holds for every zone. */
const FLOATING_SLACK = 14 * 3_600_000;

const refuse = (precondition: CalendarPrecondition, message: string): ParsedCalendarObject => ({ ok: false, precondition, message });

/** Validates one calendar object resource (one UID, one component type, VTIMEZONEs allowed; a max size in bytes). */
export function parseCalendarObject(text: string, opts: ParseCalendarOptions = {}): ParsedCalendarObject {
  if (opts.maxBytes !== undefined && new TextEncoder().encode(text).length > opts.maxBytes) {
    return refuse('max-resource-size', `calendar object larger than ${opts.maxBytes} bytes`);
  }
  let root: ICAL.Component;
  try {
    root = readCalendar(text);
  } catch (e) {
    return refuse('valid-calendar-data', `not a valid iCalendar object: ${(e as Error).message}`);
  }
  const version = root.getFirstPropertyValue('version');
  if (version !== null && String(version).trim() !== '2.0') return refuse('valid-calendar-data', `unsupported iCalendar VERSION ${String(version)}`);
  if (root.hasProperty('method') && !opts.allowMethod) {
    return refuse('valid-calendar-object-resource', 'a calendar object resource must not have a METHOD property (RFC 4791 §4.1)');
  }

  const comps = root.getAllSubcomponents();
  const names = new Set(comps.map((c) => c.name.toUpperCase()).filter((n) => n !== 'VTIMEZONE' && !n.startsWith('X-')));
  const main = [...names].filter((n) => MAIN.includes(n));
  if (main.length === 0) return refuse('supported-calendar-component', 'the object has no VEVENT, VTODO or VJOURNAL');
  if (names.size > 1) return refuse('valid-calendar-object-resource', `one component type per object (RFC 4791 §4.1), found ${[...names].join(', ')}`);
  const component = main[0] as CalendarComponent;
  if (opts.allowed && !opts.allowed.includes(component)) return refuse('supported-calendar-component', `${component} is not supported by this calendar`);

  const items = comps.filter((c) => c.name.toUpperCase() === component);
  const uids = new Set<string>();
  for (const c of items) {
    const uid = c.getFirstPropertyValue('uid');
    if (typeof uid !== 'string' || uid.trim() === '') return refuse('valid-calendar-object-resource', `every ${component} needs a UID`);
    uids.add(uid);
  }
  if (uids.size > 1) return refuse('valid-calendar-object-resource', 'all components of a calendar object resource share one UID (RFC 4791 §4.1)');

  const problem = structuralProblem(root, items, component, opts.allowMethod === true);
  if (problem) return refuse('valid-calendar-data', problem);

  const [group] = groupsOf(root);
  let bounds: { firstStart: number | null; lastEnd: number | null };
  try {
    bounds = objectBounds(group);
  } catch (e) {
    return refuse('valid-calendar-data', `invalid recurrence: ${(e as Error).message}`);
  }
  const first = group.master ?? group.overrides[0];
  const attendees = new Set<string>();
  for (const c of items) for (const p of c.getAllProperties('attendee')) attendees.add(String(p.getFirstValue()));
  const organizer = items.map((c) => c.getFirstPropertyValue('organizer')).find((o) => o !== null);
  const summary = first.getFirstPropertyValue('summary');
  const info: CalendarObjectInfo = {
    uid: [...uids][0],
    component,
    ...bounds,
    recurring: group.overrides.length > 0 || (group.master !== null && (group.master.hasProperty('rrule') || group.master.hasProperty('rdate'))),
    summary: summary === null ? null : String(summary),
    organizer: organizer === undefined ? null : String(organizer),
    attendees: [...attendees],
    hasAlarms: items.some((c) => c.getAllSubcomponents('valarm').length > 0),
  };
  return { ok: true, info };
}

/** RFC 5545 rules a server must hold to (those SabreDAV refuses too), and values ical.js cannot read. */
function structuralProblem(root: ICAL.Component, items: ICAL.Component[], component: string, hasMethod: boolean): string | null {
  let masters = 0;
  const rids = new Set<number>();
  for (const c of items) {
    const rid = c.getFirstPropertyValue('recurrence-id');
    if (rid === null) masters++;
    else if (rid instanceof ICAL.Time) {
      const key = rid.toUnixTime();
      if (rids.has(key)) return 'two overrides with the same RECURRENCE-ID';
      rids.add(key);
    }
    if (component === 'VEVENT' && !hasMethod && !c.hasProperty('dtstart')) return 'VEVENT without DTSTART (RFC 5545 §3.6.1)';
    if (c.hasProperty('dtend') && c.hasProperty('duration')) return `${component} with both DTEND and DURATION`;
    if (c.hasProperty('due') && c.hasProperty('duration')) return 'VTODO with both DUE and DURATION';
    if ((c.hasProperty('rrule') || c.hasProperty('rdate')) && !c.hasProperty('dtstart')) return 'recurrence without DTSTART';
  }
  if (masters > 1) return `more than one ${component} without RECURRENCE-ID for the same UID`;
  try {
    decodeAll(root);
  } catch (e) {
    return `unreadable value: ${(e as Error).message}`;
  }
  return null;
}

const DATE_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const DATE_TIME_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)Z?$/;

/** Reads every property value (ical.js decodes lazily and rolls 2024-13-01 over into 2025), so malformed values surface now. */
function decodeAll(comp: ICAL.Component): void {
  for (const p of comp.getAllProperties()) {
    if (p.type === 'date' || p.type === 'date-time') {
      const pattern = p.type === 'date' ? DATE_RE : DATE_TIME_RE;
      for (const raw of p.jCal.slice(3)) if (typeof raw !== 'string' || !pattern.test(raw)) throw new Error(`${p.name.toUpperCase()}: bad ${p.type} ${String(raw)}`);
    }
    p.getValues();
  }
  for (const sub of comp.getAllSubcomponents()) decodeAll(sub);
}

/** firstStart/lastEnd of the object's one recurrence set (see CalendarObjectInfo). */
function objectBounds(group: Group): { firstStart: number | null; lastEnd: number | null } {
  const ctx: Ctx = { floating: null, truncated: false };
  const unbounded = group.master !== null && isUnbounded(group.master);
  let lo = Infinity;
  let hi = -Infinity;
  let loOpen = false;
  let hiOpen = unbounded;
  let floating = false;
  let span = 0;
  for (const inst of groupInstances(group, ctx, { start: -Infinity, end: Infinity })) {
    if (inst.fromMaster && inst.start !== null && inst.end !== null) span = Math.max(span, inst.end - inst.start);
    const b = instanceBounds(inst);
    if (b) {
      floating ||= inst.floating;
      if (b[0] === null) loOpen = true;
      else lo = Math.min(lo, b[0]);
      if (b[1] === null) hiOpen = true;
      else hi = Math.max(hi, b[1]);
    }
    // An endless rule: the first occurrence gives firstStart, nothing gives lastEnd.
    if (unbounded && inst.fromMaster) break;
  }
  if (ctx.truncated && !hiOpen) {
    const until = group.master ? untilBound(group.master, ctx) : null;
    if (until === null) hiOpen = true;
    else hi = Math.max(hi, until + span);
  }
  if (lo === Infinity && !loOpen) return { firstStart: null, lastEnd: null };
  // One more millisecond each way makes strict comparisons (first_start < end, last_end > start)
  // as safe as inclusive ones: RFC 4791 §9.9 matches an instant at the range start, a DUE at its end.
  const slack = (floating ? FLOATING_SLACK : 0) + 1;
  return { firstStart: loOpen ? null : lo - slack, lastEnd: hiOpen ? null : hi + slack };
}
