import ICAL from 'ical.js';
import { masterOccurrences } from './occurrences';
import { isFloating, toMs } from './zones';

// The recurrence model shared by filters, expansion, free-busy and indexing: a recurrence set
// (RFC 5545 §3.8.5) is the master's RRULE/RDATE occurrences minus EXDATEs, each replaced by the
// override component whose RECURRENCE-ID names it, plus every override wherever it moved to.
// The RRULE arithmetic is ical.js's (Recur/RecurIterator); what is ours is the merge, the
// override bookkeeping, and fast-forwarding to a query window.

export const DAY = 86_400_000;
export const RECURRING_KINDS = ['vevent', 'vtodo', 'vjournal'] as const;
export type Kind = (typeof RECURRING_KINDS)[number];

/** How an instance answers a time-range test (RFC 4791 §9.9 tables). */
export type Mode = 'interval' | 'point' | 'never' | 'todo';

export interface Instance {
  /** The component whose properties this instance has: the master or an override. */
  comp: ICAL.Component;
  kind: Kind;
  /** DTSTART of this instance; null without one. */
  start: number | null;
  /** DTEND (VEVENT, derived per RFC 5545 when absent) or DUE (VTODO); null without one. */
  end: number | null;
  mode: Mode;
  /** The instance's start as a wall-clock time in its zone (DATE stays DATE). */
  startTime: ICAL.Time | null;
  /** The original start this instance replaces (RECURRENCE-ID), for members of a recurrence set. */
  recurrenceId: ICAL.Time | null;
  fromMaster: boolean;
  /** DTSTART is floating or a DATE: its absolute time depends on the reader's zone. */
  floating: boolean;
  todo?: { hasDuration: boolean; completed: number | null; created: number | null };
}

export interface Ctx {
  /** The zone of floating times and dates (null = UTC). */
  floating: ICAL.Timezone | null;
  /** Set when an enumeration stopped at MAX_OCCURRENCES. */
  truncated: boolean;
  /** Per-component values read once per query (see shapeOf). */
  shapes?: Map<ICAL.Component, Shape>;
}

export interface Group {
  kind: Kind;
  uid: string;
  master: ICAL.Component | null;
  overrides: ICAL.Component[];
}

/** The VEVENT/VTODO/VJOURNAL components of a VCALENDAR grouped into recurrence sets by UID. */
export function groupsOf(root: ICAL.Component): Group[] {
  const groups = new Map<string, Group>();
  for (const kind of RECURRING_KINDS) {
    for (const comp of root.getAllSubcomponents(kind)) {
      const uid = String(comp.getFirstPropertyValue('uid') ?? '');
      const key = `${kind}\u0000${uid}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { kind, uid, master: null, overrides: [] }));
      if (comp.hasProperty('recurrence-id')) group.overrides.push(comp);
      else if (!group.master) group.master = comp;
    }
  }
  return [...groups.values()];
}

export function isRecurringMaster(comp: ICAL.Component): boolean {
  return comp.hasProperty('rrule') || comp.hasProperty('rdate');
}

function timeValue(comp: ICAL.Component, name: string): ICAL.Time | null {
  const v = comp.getFirstPropertyValue(name);
  return v instanceof ICAL.Time ? v : null;
}

/** RFC 5545 §3.3.6: weeks and days are nominal (wall clock), hours and less are exact. */
export function addDuration(startTime: ICAL.Time, startMs: number, dur: ICAL.Duration, ctx: Ctx): number {
  const sign = dur.isNegative ? -1 : 1;
  const days = dur.weeks * 7 + dur.days;
  let base = startMs;
  if (days) {
    const t = startTime.clone();
    t.adjust(sign * days, 0, 0, 0);
    base = toMs(t, ctx.floating);
  }
  return base + sign * (dur.hours * 3600 + dur.minutes * 60 + dur.seconds) * 1000;
}

/** What every instance of a component shares, read once per component and query. */
interface Shape {
  ownStartMs: number | null;
  dur: ICAL.Duration | null;
  /** DTEND − DTSTART (VEVENT) or DUE − DTSTART (VTODO), exact. */
  endDelta: number | null;
  dueMs: number | null;
  dueFloating: boolean;
  completed: number | null;
  created: number | null;
}

function shapeOf(comp: ICAL.Component, kind: Kind, ctx: Ctx): Shape {
  let shape = ctx.shapes?.get(comp);
  if (shape) return shape;
  const ownStart = timeValue(comp, 'dtstart');
  const ownStartMs = ownStart ? toMs(ownStart, ctx.floating) : null;
  const duration = comp.getFirstPropertyValue('duration');
  const end = timeValue(comp, kind === 'vtodo' ? 'due' : 'dtend');
  const endMs = end ? toMs(end, ctx.floating) : null;
  const completed = kind === 'vtodo' ? timeValue(comp, 'completed') : null;
  const created = kind === 'vtodo' ? timeValue(comp, 'created') : null;
  shape = {
    ownStartMs,
    dur: duration instanceof ICAL.Duration ? duration : null,
    endDelta: endMs !== null && ownStartMs !== null ? endMs - ownStartMs : null,
    dueMs: kind === 'vtodo' ? endMs : null,
    dueFloating: end !== null && isFloating(end),
    completed: completed ? toMs(completed, ctx.floating) : null,
    created: created ? toMs(created, ctx.floating) : null,
  };
  (ctx.shapes ??= new Map()).set(comp, shape);
  return shape;
}

/** Builds one instance of `comp` starting at `startTime` (its own DTSTART, or a master occurrence). */
export function instanceOf(
  comp: ICAL.Component,
  kind: Kind,
  startTime: ICAL.Time | null,
  ctx: Ctx,
  extra: { recurrenceId?: ICAL.Time | null; fromMaster?: boolean; periodEnd?: number; startMs?: number } = {},
): Instance {
  const start = startTime ? extra.startMs ?? toMs(startTime, ctx.floating) : null;
  const base = { comp, kind, start, startTime, recurrenceId: extra.recurrenceId ?? null, fromMaster: extra.fromMaster ?? false, floating: startTime ? isFloating(startTime) : false };
  const shape = shapeOf(comp, kind, ctx);
  const dur = shape.dur;

  if (kind === 'vtodo') {
    let end: number | null = null;
    if (start !== null && dur) end = addDuration(startTime!, start, dur, ctx);
    else if (shape.dueMs !== null) end = start !== null && shape.endDelta !== null ? start + shape.endDelta : shape.dueMs;
    return {
      ...base, end, mode: 'todo', floating: base.floating || (!startTime && shape.dueFloating),
      todo: { hasDuration: start !== null && dur !== null, completed: shape.completed, created: shape.created },
    };
  }
  if (start === null) return { ...base, end: null, mode: 'never' };
  const oneDayLater = () => addDuration(startTime!, start, ONE_DAY, ctx);
  if (kind === 'vjournal') {
    return startTime!.isDate ? { ...base, end: oneDayLater(), mode: 'interval' } : { ...base, end: start, mode: 'point' };
  }
  // VEVENT, RFC 4791 §9.9 table: DTEND → interval; DURATION > 0 → interval, = 0 → point;
  // neither: DATE → one day, DATE-TIME → point.
  if (extra.periodEnd !== undefined) return { ...base, end: Math.max(start, extra.periodEnd), mode: 'interval' };
  if (shape.endDelta !== null) return { ...base, end: Math.max(start, start + shape.endDelta), mode: 'interval' };
  if (dur) {
    const end = addDuration(startTime!, start, dur, ctx);
    return end > start ? { ...base, end, mode: 'interval' } : { ...base, end: start, mode: 'point' };
  }
  if (startTime!.isDate) return { ...base, end: oneDayLater(), mode: 'interval' };
  return { ...base, end: start, mode: 'point' };
}

const ONE_DAY = ICAL.Duration.fromData({ days: 1 });

/** RFC 4791 §9.9: does the instance overlap [rs, re)? (±Infinity for an open side) */
export function overlaps(i: Instance, rs: number, re: number): boolean {
  switch (i.mode) {
    case 'interval':
      return rs < i.end! && re > i.start!;
    case 'point':
      return rs <= i.start! && re > i.start!;
    case 'never':
      return false;
    case 'todo':
      return todoOverlaps(i, rs, re);
  }
}

// RFC 4791 §9.9, the VTODO table, row by row.
function todoOverlaps(i: Instance, rs: number, re: number): boolean {
  const s = i.start;
  const due = i.end;
  const { hasDuration, completed, created } = i.todo!;
  if (s !== null) {
    if (hasDuration) return rs <= due! && (re > s || re >= due!);
    if (due !== null) return (rs < due || rs <= s) && (re > s || re >= due);
    return rs <= s && re > s;
  }
  if (due !== null) return rs < due && re >= due;
  if (completed !== null && created !== null) return (rs <= created || rs <= completed) && (re >= created || re >= completed);
  if (completed !== null) return rs <= completed && re >= completed;
  if (created !== null) return re > created;
  return true;
}

/** The smallest [lo, hi] outside which no time range can match the instance; null = unbounded; undefined = never matches. */
export function instanceBounds(i: Instance): [number | null, number | null] | undefined {
  switch (i.mode) {
    case 'interval':
      return [i.start, i.end];
    case 'point':
      return [i.start, i.start];
    case 'never':
      return undefined;
    case 'todo': {
      const { completed, created } = i.todo!;
      if (i.start !== null) return [Math.min(i.start, i.end ?? i.start), Math.max(i.start, i.end ?? i.start)];
      if (i.end !== null) return [i.end, i.end];
      if (completed !== null && created !== null) return [Math.min(completed, created), Math.max(completed, created)];
      if (completed !== null) return [completed, completed];
      if (created !== null) return [created, null];
      return [null, null];
    }
  }
}

interface RangeOverride { ridMs: number; comp: ICAL.Component; shift: number }

/**
 * Every instance of a recurrence set that may overlap [window.start, window.end]: all overrides
 * first (few, wherever they moved), then the master's occurrences in time order, skipping
 * overridden ones and applying RANGE=THISANDFUTURE overrides to the occurrences after them.
 */
export function* groupInstances(group: Group, ctx: Ctx, window: { start: number; end: number }): Generator<Instance> {
  const overridden = new Set<number>();
  const ranges: RangeOverride[] = [];
  for (const o of group.overrides) {
    const rid = timeValue(o, 'recurrence-id');
    const own = timeValue(o, 'dtstart') ?? rid;
    if (!rid) continue;
    const ridMs = toMs(rid, ctx.floating);
    overridden.add(ridMs);
    const range = o.getFirstProperty('recurrence-id')!.getParameter('range');
    if (typeof range === 'string' && range.toUpperCase() === 'THISANDFUTURE' && own) {
      ranges.push({ ridMs, comp: o, shift: toMs(own, ctx.floating) - ridMs });
    }
    yield instanceOf(o, group.kind, own, ctx, { recurrenceId: rid });
  }
  const master = group.master;
  if (!master) return;
  if (!isRecurringMaster(master)) {
    yield instanceOf(master, group.kind, timeValue(master, 'dtstart'), ctx, { fromMaster: true, recurrenceId: group.overrides.length ? timeValue(master, 'dtstart') : null });
    return;
  }
  ranges.sort((a, b) => a.ridMs - b.ridMs);
  const first = instanceOf(master, group.kind, timeValue(master, 'dtstart'), ctx);
  const span = first.start !== null && first.end !== null ? Math.max(0, first.end - first.start) : 0;
  const from = window.start === -Infinity ? -Infinity : window.start - span;
  for (const occ of masterOccurrences(master, from, ctx)) {
    if (occ.ms > window.end) return;
    if (overridden.has(occ.ms)) continue;
    let range: RangeOverride | undefined;
    for (const r of ranges) if (r.ridMs < occ.ms) range = r;
    if (range) {
      const time = occ.time.clone();
      time.adjust(0, 0, 0, range.shift / 1000);
      yield instanceOf(range.comp, group.kind, time, ctx, { recurrenceId: occ.time, fromMaster: true });
    } else {
      yield instanceOf(master, group.kind, occ.time, ctx, { recurrenceId: occ.time, fromMaster: true, periodEnd: occ.periodEnd, startMs: occ.ms });
    }
  }
}
