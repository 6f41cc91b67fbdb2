import ICAL from 'ical.js';
import { DAY, groupInstances, groupsOf, instanceOf, isRecurringMaster, overlaps, RECURRING_KINDS, type Ctx, type Instance } from './instances';
import { tryReadCalendar, writeCalendar } from './read';
import type { CalendarQueryOptions, TimeRange } from './types';
import { floatingZone, toMs, utcJcal } from './zones';

// RFC 4791 §9.6.5 (expand) and §9.6.6 (limit-recurrence-set) for calendar-data in REPORTs.

type JCal = [string, unknown[][], JCal[]];
const RECURRENCE_PROPS = new Set(['rrule', 'rdate', 'exdate', 'exrule']);

function dateJcal(t: ICAL.Time): string {
  return `${String(t.year).padStart(4, '0')}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`;
}

/** A DATE stays a DATE; any DATE-TIME becomes UTC. */
function timeProp(name: string, t: ICAL.Time, ms: number): unknown[] {
  return t.isDate ? [name, {}, 'date', dateJcal(t)] : [name, {}, 'date-time', utcJcal(ms)];
}

/** The property with zoned and floating DATE-TIMEs rewritten in UTC (§9.6.5: "converted into date with UTC time"). */
function utcProperty(p: ICAL.Property, ctx: Ctx): unknown[] {
  const jcal = structuredClone(p.jCal) as unknown[];
  if (p.type !== 'date-time') return jcal;
  const params = { ...(jcal[1] as Record<string, unknown>) };
  delete params.tzid;
  const values = p.getValues().map((v) => (v instanceof ICAL.Time ? utcJcal(toMs(v, ctx.floating)) : v));
  return [jcal[0], params, 'date-time', ...values];
}

function utcComponent(c: ICAL.Component, ctx: Ctx): JCal {
  return [c.name, c.getAllProperties().map((p) => utcProperty(p, ctx)), c.getAllSubcomponents().map((s) => utcComponent(s, ctx))];
}

/** One expanded instance: its own DTSTART/DTEND/DUE, a RECURRENCE-ID when it belongs to a recurrence set, no recurrence rules. */
function instanceComponent(inst: Instance, recurrenceSet: boolean, ctx: Ctx): JCal {
  const comp = inst.comp;
  const props: unknown[][] = [];
  const replaced = inst.fromMaster ? new Set(['dtstart', 'dtend', 'due', 'recurrence-id']) : new Set(['recurrence-id']);
  for (const p of comp.getAllProperties()) {
    if (RECURRENCE_PROPS.has(p.name) || replaced.has(p.name)) continue;
    props.push(utcProperty(p, ctx));
  }
  if (inst.fromMaster && inst.startTime && inst.start !== null) {
    props.unshift(timeProp('dtstart', inst.startTime, inst.start));
    const endName = comp.hasProperty('dtend') ? 'dtend' : comp.hasProperty('due') ? 'due' : null;
    if (endName && inst.end !== null) {
      let endTime = inst.startTime;
      if (inst.startTime.isDate) {
        endTime = inst.startTime.clone();
        endTime.adjust(Math.round((inst.end - inst.start) / DAY), 0, 0, 0);
      }
      props.push(timeProp(endName, endTime, inst.end));
    }
  }
  if (recurrenceSet && inst.recurrenceId) props.push(timeProp('recurrence-id', inst.recurrenceId, toMs(inst.recurrenceId, ctx.floating)));
  return [comp.name, props, comp.getAllSubcomponents().map((s) => utcComponent(s, ctx))];
}

/** RFC 4791 §9.6.5 expand: instances overlapping the range as separate components in UTC, no RRULE/RDATE/EXDATE, no VTIMEZONE. */
export function expandCalendarObject(text: string, range: TimeRange, opts: CalendarQueryOptions = {}): string {
  const root = tryReadCalendar(text);
  if (!root) return text;
  const ctx: Ctx = { floating: floatingZone(opts.timezone), truncated: false };
  const rs = range.start ?? -Infinity;
  const re = range.end ?? Infinity;
  const others: JCal[] = [];
  for (const sub of root.getAllSubcomponents()) {
    if (sub.name !== 'vtimezone' && !(RECURRING_KINDS as readonly string[]).includes(sub.name)) others.push(utcComponent(sub, ctx));
  }
  const instances: { start: number; jcal: JCal }[] = [];
  for (const group of groupsOf(root)) {
    const recurrenceSet = group.overrides.length > 0 || (group.master !== null && isRecurringMaster(group.master));
    for (const inst of groupInstances(group, ctx, { start: rs, end: re })) {
      if (overlaps(inst, rs, re)) instances.push({ start: inst.start ?? -Infinity, jcal: instanceComponent(inst, recurrenceSet, ctx) });
    }
  }
  instances.sort((a, b) => a.start - b.start);
  const props = root.getAllProperties().map((p) => structuredClone(p.jCal) as unknown[]);
  return writeCalendar(['vcalendar', props, [...others, ...instances.map((i) => i.jcal)]]);
}

/**
 * RFC 4791 §9.6.6 limit-recurrence-set: the master and only the overrides that matter to the
 * range — those whose instance overlaps it, whose original time did (the client must learn that
 * instance moved away), or that change every later instance (RANGE=THISANDFUTURE).
 */
export function limitRecurrenceSet(text: string, range: TimeRange, opts: CalendarQueryOptions = {}): string {
  const root = tryReadCalendar(text);
  if (!root) return text;
  const ctx: Ctx = { floating: floatingZone(opts.timezone), truncated: false };
  const rs = range.start ?? -Infinity;
  const re = range.end ?? Infinity;
  const drop = new Set<unknown>();
  for (const group of groupsOf(root)) {
    for (const o of group.overrides) {
      const ridProp = o.getFirstProperty('recurrence-id')!;
      const rid = ridProp.getFirstValue();
      if (!(rid instanceof ICAL.Time)) continue;
      const own = instanceOf(o, group.kind, (o.getFirstPropertyValue('dtstart') as ICAL.Time | null) ?? rid, ctx);
      const original = instanceOf(group.master ?? o, group.kind, rid, ctx);
      const future = String(ridProp.getParameter('range') ?? '').toUpperCase() === 'THISANDFUTURE' && toMs(rid, ctx.floating) < re;
      if (!overlaps(own, rs, re) && !overlaps(original, rs, re) && !future) drop.add(o.jCal);
    }
  }
  if (drop.size === 0) return text;
  const [name, props, comps] = root.jCal as JCal;
  return writeCalendar([name, props, comps.filter((c) => !drop.has(c))]);
}
