import ICAL from 'ical.js';
import type { Ctx } from './instances';
import { isFloating, toMs } from './zones';

// A master's occurrences: RRULEs (iterated by ical.js) ∪ RDATEs ∪ DTSTART, minus EXDATEs.

/** Occurrences examined per rule and call: a sane bound against FREQ=SECONDLY and friends (SabreDAV stops at 3500). */
export const MAX_OCCURRENCES = 10_000;
const DAY = 86_400_000;

function timeValue(comp: ICAL.Component, name: string): ICAL.Time | null {
  const v = comp.getFirstPropertyValue(name);
  return v instanceof ICAL.Time ? v : null;
}

export interface Occurrence { time: ICAL.Time; ms: number; periodEnd?: number }

const PERIOD_SECONDS: Record<string, number> = { SECONDLY: 1, MINUTELY: 60, HOURLY: 3600, DAILY: 86_400, WEEKLY: 604_800 };

/**
 * One RRULE's occurrences from `from` on (earlier ones may be skipped). Iterates on the wall
 * clock — ical.js compares zoned times through UTC offsets at each step, several times slower —
 * and jumps ahead by whole periods for rules without COUNT, which leaves the set unchanged.
 */
function* ruleOccurrences(rule: ICAL.Recur, dtstart: ICAL.Time, from: number, ctx: Ctx): Generator<Occurrence> {
  const zone = dtstart.zone;
  const wall = dtstart.clone();
  wall.zone = ICAL.Timezone.localTimezone;
  let recur = rule;
  if (rule.until && !rule.until.isDate && !isFloating(dtstart) && !isFloating(rule.until) && zone !== ICAL.Timezone.utcTimezone) {
    recur = rule.clone();
    const until = rule.until.convertToZone(zone);
    until.zone = ICAL.Timezone.localTimezone;
    recur.until = until;
  }
  let first = wall;
  let skipFirst = false;
  const period = (PERIOD_SECONDS[recur.freq] ?? 0) * (recur.interval || 1);
  if (from > -Infinity && !recur.count && period) {
    const wallMs = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
    // Two hours of slack cover DST shifts between the wall clock and UTC.
    const target = wallClockOf(from, isFloating(dtstart) ? ctx.floating : zone) - 2 * 3_600_000;
    const k = Math.floor((target - wallMs) / (period * 1000));
    if (k > 0) {
      first = wall.clone();
      if (period % 86_400 === 0) first.adjust((k * period) / 86_400, 0, 0, 0);
      else first.adjust(0, 0, 0, k * period);
      // ical.js yields the start it is given as the first occurrence even when the rule would
      // not produce it; that start lies before the window, so it can go either way.
      skipFirst = true;
    }
  }
  const iterator = recur.iterator(first);
  for (let n = 0; ; n++) {
    if (n >= MAX_OCCURRENCES) {
      ctx.truncated = true;
      return;
    }
    const next = iterator.next();
    if (!next) return;
    if (skipFirst && n === 0 && next.compare(first) === 0) continue;
    const time = next.clone();
    time.zone = zone;
    yield { time, ms: toMs(time, ctx.floating) };
  }
}

/** The wall-clock reading (as epoch ms of those fields) of an instant in a zone; null zone = UTC. */
function wallClockOf(ms: number, zone: ICAL.Timezone | null): number {
  if (!zone || zone === ICAL.Timezone.utcTimezone || zone === ICAL.Timezone.localTimezone || zone.tzid === 'UTC') return ms;
  const t = ICAL.Time.fromJSDate(new Date(ms), true).convertToZone(zone);
  return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
}

function dateKey(t: ICAL.Time): string {
  return `${t.year}-${t.month}-${t.day}`;
}

/** The master's occurrences in time order (RRULEs ∪ RDATEs ∪ DTSTART, minus EXDATEs), from about `from` on. */
export function* masterOccurrences(master: ICAL.Component, from: number, ctx: Ctx): Generator<Occurrence> {
  const dtstart = timeValue(master, 'dtstart');
  if (!dtstart) return;
  const exMs = new Set<number>();
  const exDays = new Set<string>();
  for (const prop of master.getAllProperties('exdate')) {
    for (const v of prop.getValues()) {
      // An EXDATE;VALUE=DATE removes the occurrence on that day, whatever its time (as ical.js does).
      if (v instanceof ICAL.Time) v.isDate ? exDays.add(dateKey(v)) : exMs.add(toMs(v, ctx.floating));
    }
  }
  const extra: Occurrence[] = [];
  for (const prop of master.getAllProperties('rdate')) {
    for (const v of prop.getValues()) {
      if (v instanceof ICAL.Time) extra.push({ time: v, ms: toMs(v, ctx.floating) });
      else if (v instanceof ICAL.Period) {
        const start = v.start;
        extra.push({ time: start, ms: toMs(start, ctx.floating), periodEnd: toMs(v.getEnd(), ctx.floating) });
      }
    }
  }
  const rules = master.getAllProperties('rrule').map((p) => p.getFirstValue()).filter((r): r is ICAL.Recur => r instanceof ICAL.Recur);
  // RFC 5545 §3.8.5.2: DTSTART is always the first instance; an RRULE iterator yields it itself.
  if (rules.length === 0) extra.push({ time: dtstart, ms: toMs(dtstart, ctx.floating) });
  extra.sort((a, b) => a.ms - b.ms);

  const sources: Iterator<Occurrence>[] = [extra[Symbol.iterator](), ...rules.map((r) => ruleOccurrences(r, dtstart, from, ctx))];
  const heads = sources.map((s) => s.next());
  let last = -Infinity;
  for (;;) {
    let pick = -1;
    for (let i = 0; i < heads.length; i++) {
      if (!heads[i].done && (pick < 0 || heads[i].value!.ms < heads[pick].value!.ms)) pick = i;
    }
    if (pick < 0) return;
    const occ = heads[pick].value as Occurrence;
    heads[pick] = sources[pick].next();
    if (occ.ms === last) continue; // an RDATE repeating an RRULE occurrence
    last = occ.ms;
    if (exMs.has(occ.ms) || exDays.has(dateKey(occ.time))) continue;
    yield occ;
  }
}

/** Whether the master recurs forever (an RRULE without COUNT or UNTIL). */
export function isUnbounded(master: ICAL.Component): boolean {
  return master.getAllProperties('rrule').some((p) => {
    const r = p.getFirstValue();
    return r instanceof ICAL.Recur && !r.count && !r.until;
  });
}

/** Upper bound of the master's occurrence starts from its UNTILs (for when enumeration was cut short); null when a rule has none. */
export function untilBound(master: ICAL.Component, ctx: Ctx): number | null {
  let bound = -Infinity;
  for (const p of master.getAllProperties('rrule')) {
    const r = p.getFirstValue();
    if (!(r instanceof ICAL.Recur) || !r.until) return null;
    bound = Math.max(bound, toMs(r.until, ctx.floating) + DAY);
  }
  for (const p of master.getAllProperties('rdate')) {
    for (const v of p.getValues()) {
      if (v instanceof ICAL.Time) bound = Math.max(bound, toMs(v, ctx.floating));
      else if (v instanceof ICAL.Period) bound = Math.max(bound, toMs(v.getEnd(), ctx.floating));
    }
  }
  return bound;
}

