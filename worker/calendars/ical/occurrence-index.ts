import ICAL from 'ical.js';
import { groupInstances, groupsOf, type Ctx } from './instances';
import { tryReadCalendar } from './read';
import type { CalendarQueryOptions } from './types';
import { floatingZone } from './zones';

// The instances of a VEVENT object for an occurrence index (worker/calendars/instances.ts), built
// from the same recurrence sets matchesCalendarFilter tests (groupInstances), so an index lookup
// answers a plain VEVENT time-range exactly where the index says it covers the query.

/**
 * One instance encoded so that RFC 4791 §9.9 overlap with [rs, re) is `start < re AND end > rs`:
 * an interval keeps [DTSTART, DTEND); an instant (point) becomes [t, t + 1 ms), which turns its
 * `rs <= t` into `rs < t + 1` (query bounds are whole milliseconds).
 */
export interface IndexedInstance { start: number; end: number }

export interface EventInstanceIndex {
  instances: IndexedInstance[];
  /**
   * The index holds every instance overlapping a query [rs, re) when
   * `(coverFrom === null || coverFrom <= rs) && (coverTo === null || re <= coverTo)`.
   * coverFrom > coverTo means it covers nothing (evaluate the object itself).
   */
  coverFrom: number | null;
  coverTo: number | null;
  /** Some instance has a floating or DATE start: exact only for the zone it was computed in. */
  floating: boolean;
}

const NOTHING = { coverFrom: 1, coverTo: 0 };

/**
 * The VEVENT instances of `text` overlapping `horizon` (and every override, wherever it is),
 * with the range of query windows they answer exactly. At most `maxInstances` master
 * occurrences are listed; coverage ends at the first one left out. null when the text is not a
 * VEVENT object (nothing to index).
 */
export function eventInstanceIndex(
  text: string,
  horizon: { start: number; end: number },
  opts: CalendarQueryOptions & { maxInstances?: number } = {},
): EventInstanceIndex | null {
  const root = tryReadCalendar(text);
  if (!root) return null;
  const groups = groupsOf(root).filter((g) => g.kind === 'vevent');
  if (groups.length === 0) return null;
  const max = opts.maxInstances ?? 2000;
  const ctx: Ctx = { floating: floatingZone(opts.timezone), truncated: false };
  const instances: IndexedInstance[] = [];
  let floating = false;
  let coverFrom: number | null = null;
  let coverTo: number | null = null;
  try {
    for (const group of groups) {
      const master = group.master;
      const recurring = master !== null && (master.hasProperty('rrule') || master.hasProperty('rdate'));
      // RANGE=THISANDFUTURE shifts later occurrences, so they no longer come in start order: not
      // worth an exact cut-off; such (rare) objects are evaluated at query time.
      if (recurring && group.overrides.some((o) => String(o.getFirstProperty('recurrence-id')?.getParameter('range') ?? '').toUpperCase() === 'THISANDFUTURE')) {
        return { instances: [], ...NOTHING, floating: false };
      }
      // Recurring masters are listed from the horizon's start (ical.js may fast-forward to it),
      // so coverage starts there unless DTSTART itself is inside.
      const dtstart = master?.getFirstPropertyValue('dtstart');
      const startsInside = !recurring || (dtstart instanceof ICAL.Time && dtstart.toUnixTime() * 1000 - 14 * 3_600_000 >= horizon.start);
      if (!startsInside) coverFrom = coverFrom === null ? horizon.start : Math.max(coverFrom, horizon.start);
      let listed = 0;
      for (const inst of groupInstances(group, ctx, { start: startsInside ? -Infinity : horizon.start, end: Infinity })) {
        if (inst.start === null || inst.mode === 'never') continue;
        if (inst.fromMaster && recurring) {
          // Occurrences come in start order: stopping here covers every window ending by this start.
          if (inst.start > horizon.end || listed >= max) {
            coverTo = coverTo === null ? inst.start : Math.min(coverTo, inst.start);
            break;
          }
          listed++;
        }
        floating ||= inst.floating;
        instances.push(inst.mode === 'point' ? { start: inst.start, end: inst.start + 1 } : { start: inst.start, end: inst.end! });
      }
    }
  } catch {
    return { instances: [], ...NOTHING, floating: false };
  }
  // A rule cut short by MAX_OCCURRENCES: its missing occurrences could be anywhere after.
  if (ctx.truncated) return { instances: [], ...NOTHING, floating: false };
  return { instances, coverFrom, coverTo, floating };
}
