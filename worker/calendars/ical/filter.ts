import ICAL from 'ical.js';
import { DAY, groupInstances, groupsOf, overlaps, RECURRING_KINDS, type Ctx, type Instance } from './instances';
import { tryReadCalendar } from './read';
import { textMatches } from './text-match';
import type { CalendarQueryOptions, CompFilter, ParamFilter, PropFilter, TimeRange } from './types';
import { floatingZone, toMs } from './zones';

// RFC 4791 §9.7 calendar-query filters evaluated on one calendar object. Components that recur
// are tested instance by instance (§9.9: "any instance overlapping"), with the properties and
// alarms of the component each instance comes from — the master or its override.

const isRecurringKind = (name: string) => (RECURRING_KINDS as readonly string[]).includes(name);

function bounds(tr: TimeRange): [number, number] {
  return [tr.start ?? -Infinity, tr.end ?? Infinity];
}

/** RFC 4791 §9.7.1: does this calendar object match the filter (whose top comp-filter names VCALENDAR)? */
export function matchesCalendarFilter(text: string, filter: CompFilter, opts: CalendarQueryOptions = {}): boolean {
  const root = tryReadCalendar(text);
  if (!root || filter.name.toUpperCase() !== 'VCALENDAR' || filter.isNotDefined) return false;
  const ctx: Ctx = { floating: floatingZone(opts.timezone), truncated: false };
  try {
    return propsMatch(root, filter.propFilters, ctx) && filter.compFilters.every((f) => compMatches(root, f, ctx, undefined));
  } catch {
    // A rule ical.js cannot iterate (stored before a library change, say) matches nothing rather than failing the REPORT.
    return false;
  }
}

function compMatches(parent: ICAL.Component, f: CompFilter, ctx: Ctx, inst: Instance | undefined): boolean {
  const name = f.name.toLowerCase();
  const comps = parent.getAllSubcomponents(name);
  if (f.isNotDefined) return comps.length === 0;
  if (comps.length === 0) return false;
  if (parent.name === 'vcalendar' && isRecurringKind(name)) return recurringMatches(parent, name, f, ctx);
  return comps.some(
    (c) => (!f.timeRange || componentInRange(c, f.timeRange, ctx, inst)) && propsMatch(c, f.propFilters, ctx) && f.compFilters.every((sub) => compMatches(c, sub, ctx, inst)),
  );
}

function recurringMatches(root: ICAL.Component, name: string, f: CompFilter, ctx: Ctx): boolean {
  const alarmRanges = f.compFilters.filter((c) => c.name.toUpperCase() === 'VALARM' && !c.isNotDefined && c.timeRange).map((c) => c.timeRange!);
  const groups = groupsOf(root).filter((g) => g.kind === name);
  if (!f.timeRange && alarmRanges.length === 0) {
    return groups.some((g) => [g.master, ...g.overrides].some((c) => c !== null && propsMatch(c, f.propFilters, ctx) && f.compFilters.every((sub) => compMatches(c, sub, ctx, undefined))));
  }
  const propsOk = new Map<ICAL.Component, boolean>();
  for (const group of groups) {
    let window: { start: number; end: number };
    if (f.timeRange) {
      const [start, end] = bounds(f.timeRange);
      window = { start, end };
    } else {
      // Only alarms are time-bound: look at the instances whose triggers can reach the ranges.
      const reach = alarmReach([group.master, ...group.overrides]);
      window = { start: Infinity, end: -Infinity };
      for (const tr of alarmRanges) {
        const [s, e] = bounds(tr);
        window = { start: Math.min(window.start, s - reach), end: Math.max(window.end, e + reach) };
      }
    }
    for (const inst of groupInstances(group, ctx, window)) {
      if (f.timeRange && !overlaps(inst, window.start, window.end)) continue;
      let ok = propsOk.get(inst.comp);
      if (ok === undefined) propsOk.set(inst.comp, (ok = propsMatch(inst.comp, f.propFilters, ctx)));
      if (ok && f.compFilters.every((sub) => compMatches(inst.comp, sub, ctx, inst))) return true;
    }
  }
  return false;
}

/** How far (ms) any alarm of these components can trigger from its instance's start or end; Infinity for absolute triggers. */
export function alarmReach(comps: (ICAL.Component | null)[]): number {
  let reach = DAY;
  for (const comp of comps) {
    for (const alarm of comp?.getAllSubcomponents('valarm') ?? []) {
      const trigger = alarm.getFirstPropertyValue('trigger');
      if (trigger instanceof ICAL.Time) return Infinity;
      const offset = trigger instanceof ICAL.Duration ? Math.abs(trigger.toSeconds()) * 1000 : 0;
      const repeat = Number(alarm.getFirstPropertyValue('repeat') ?? 0);
      const dur = alarm.getFirstPropertyValue('duration');
      const repeats = repeat > 0 && dur instanceof ICAL.Duration ? repeat * Math.abs(dur.toSeconds()) * 1000 : 0;
      reach = Math.max(reach, offset + repeats + DAY);
    }
  }
  return reach;
}

/** RFC 5545 §3.8.6.3 / RFC 4791 §9.9: the trigger times of an alarm for one instance of its parent (REPEAT included). */
export function alarmTriggers(alarm: ICAL.Component, inst: Instance | undefined, ctx: Ctx): number[] {
  const prop = alarm.getFirstProperty('trigger');
  if (!prop) return [];
  const value = prop.getFirstValue();
  let t: number | null = null;
  if (value instanceof ICAL.Time) t = toMs(value, ctx.floating);
  else if (value instanceof ICAL.Duration && inst) {
    const related = String(prop.getParameter('related') ?? 'START').toUpperCase();
    const anchor = related === 'END' ? inst.end : inst.start;
    if (anchor !== null) t = anchor + value.toSeconds() * 1000;
  }
  if (t === null) return [];
  const times = [t];
  const repeat = Math.min(Number(alarm.getFirstPropertyValue('repeat') ?? 0) || 0, 1000);
  const dur = alarm.getFirstPropertyValue('duration');
  if (dur instanceof ICAL.Duration) for (let k = 1; k <= repeat; k++) times.push(t + k * dur.toSeconds() * 1000);
  return times;
}

function componentInRange(c: ICAL.Component, tr: TimeRange, ctx: Ctx, inst: Instance | undefined): boolean {
  const [rs, re] = bounds(tr);
  switch (c.name) {
    case 'valarm':
      return alarmTriggers(c, inst, ctx).some((t) => rs <= t && re > t);
    case 'vfreebusy': {
      const s = c.getFirstPropertyValue('dtstart');
      const e = c.getFirstPropertyValue('dtend');
      if (s instanceof ICAL.Time && e instanceof ICAL.Time) return rs <= toMs(e, ctx.floating) && re > toMs(s, ctx.floating);
      return c.getAllProperties('freebusy').some((p) =>
        p.getValues().some((v) => v instanceof ICAL.Period && rs < toMs(v.getEnd(), ctx.floating) && re > toMs(v.start, ctx.floating)),
      );
    }
    default:
      return false; // RFC 4791 §9.9 defines time-range only for the components above and the recurring ones
  }
}

function propsMatch(c: ICAL.Component, filters: PropFilter[], ctx: Ctx): boolean {
  return filters.every((f) => {
    const props = c.getAllProperties(f.name.toLowerCase());
    if (f.isNotDefined) return props.length === 0;
    // RFC 4791 §9.7.2: every condition of the prop-filter must hold for the same property.
    return props.some(
      (p) => (!f.timeRange || propInRange(p, f.timeRange, ctx)) && (!f.textMatch || textMatches(propertyTexts(p), f.textMatch)) && f.paramFilters.every((pf) => paramMatches(p, pf)),
    );
  });
}

function propInRange(p: ICAL.Property, tr: TimeRange, ctx: Ctx): boolean {
  const [rs, re] = bounds(tr);
  return p.getValues().some((v) => {
    if (v instanceof ICAL.Period) return rs < toMs(v.getEnd(), ctx.floating) && re > toMs(v.start, ctx.floating);
    if (!(v instanceof ICAL.Time)) return false;
    const ms = toMs(v, ctx.floating);
    return v.isDate ? rs < ms + DAY && re > ms : rs <= ms && re > ms;
  });
}

const TEXT_TYPES = new Set(['text', 'unknown', 'cal-address', 'uri', 'binary']);

/** A property's value(s) as text-match sees them: unescaped text, or the iCalendar form of other types. */
export function propertyTexts(p: ICAL.Property): string[] {
  if (TEXT_TYPES.has(p.type)) {
    const values = p.getValues().map((v) => (Array.isArray(v) ? v.join(';') : String(v)));
    return values.length > 1 ? [values.join(','), ...values] : values;
  }
  const line = p.toICALString();
  const colon = valueColon(line);
  return [colon < 0 ? '' : line.slice(colon + 1)];
}

function valueColon(line: string): number {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '"') quoted = !quoted;
    else if (line[i] === ':' && !quoted) return i;
  }
  return -1;
}

function paramMatches(p: ICAL.Property, f: ParamFilter): boolean {
  const raw = p.getParameter(f.name.toLowerCase());
  const values = raw === undefined || raw === null ? [] : (Array.isArray(raw) ? raw : [raw]).map(String);
  if (f.isNotDefined) return values.length === 0;
  if (values.length === 0) return false;
  return !f.textMatch || textMatches(values, f.textMatch);
}
