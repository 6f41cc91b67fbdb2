import ICAL from 'ical.js';
import { groupInstances, groupsOf, overlaps, type Ctx } from './instances';
import { tryReadCalendar, writeCalendar } from './read';
import type { BusyPeriod, BusyType, CalendarQueryOptions } from './types';
import { floatingZone, toMs, utcJcal } from './zones';

// RFC 4791 §7.10 free-busy-query: busy time of a calendar's objects in a range.

/** Where periods of different types overlap, the stronger one shows (SabreDAV lets events override unavailability too). */
const STRENGTH: Record<BusyType, number> = { 'BUSY-UNAVAILABLE': 0, 'BUSY-TENTATIVE': 1, BUSY: 2 };
const TYPES: BusyType[] = ['BUSY-UNAVAILABLE', 'BUSY-TENTATIVE', 'BUSY'];

/** RFC 4791 §7.10 free-busy: busy periods of these objects in the range (OPAQUE events, not CANCELLED), merged and clipped. */
export function busyPeriods(texts: string[], range: { start: number; end: number }, opts: CalendarQueryOptions = {}): BusyPeriod[] {
  const ctx: Ctx = { floating: floatingZone(opts.timezone), truncated: false };
  const raw: BusyPeriod[] = [];
  const add = (start: number, end: number, type: BusyType) => {
    const s = Math.max(start, range.start);
    const e = Math.min(end, range.end);
    if (e > s) raw.push({ start: s, end: e, type });
  };
  for (const text of texts) {
    const root = tryReadCalendar(text);
    if (!root) continue;
    try {
      for (const group of groupsOf(root)) {
        if (group.kind !== 'vevent') continue;
        for (const inst of groupInstances(group, ctx, range)) {
          // A zero-length event takes no time (RFC 4791 §7.10 table: only events with a duration).
          if (inst.mode !== 'interval' || !overlaps(inst, range.start, range.end)) continue;
          const transp = String(inst.comp.getFirstPropertyValue('transp') ?? 'OPAQUE').toUpperCase();
          const status = String(inst.comp.getFirstPropertyValue('status') ?? '').toUpperCase();
          if (transp === 'TRANSPARENT' || status === 'CANCELLED') continue;
          add(inst.start!, inst.end!, status === 'TENTATIVE' ? 'BUSY-TENTATIVE' : 'BUSY');
        }
      }
      for (const fb of root.getAllSubcomponents('vfreebusy')) {
        for (const p of fb.getAllProperties('freebusy')) {
          const fbtype = String(p.getParameter('fbtype') ?? 'BUSY').toUpperCase();
          if (fbtype === 'FREE') continue;
          const type: BusyType = (TYPES as string[]).includes(fbtype) ? (fbtype as BusyType) : 'BUSY';
          for (const v of p.getValues()) if (v instanceof ICAL.Period) add(toMs(v.start, ctx.floating), toMs(v.getEnd(), ctx.floating), type);
        }
      }
    } catch {
      // an object whose rule ical.js cannot iterate adds no busy time rather than failing the query
    }
  }
  return mergeBusy(raw);
}

/** Sweeps the periods into non-overlapping ones, the strongest type winning, adjacent ones of a type joined. */
function mergeBusy(periods: BusyPeriod[]): BusyPeriod[] {
  const edges: { at: number; type: BusyType; delta: 1 | -1 }[] = [];
  for (const p of periods) edges.push({ at: p.start, type: p.type, delta: 1 }, { at: p.end, type: p.type, delta: -1 });
  edges.sort((a, b) => a.at - b.at);
  const open: Record<BusyType, number> = { 'BUSY-UNAVAILABLE': 0, 'BUSY-TENTATIVE': 0, BUSY: 0 };
  const out: BusyPeriod[] = [];
  let i = 0;
  while (i < edges.length) {
    const at = edges[i].at;
    while (i < edges.length && edges[i].at === at) open[edges[i].type] += edges[i++].delta;
    if (i === edges.length) break;
    const strongest = TYPES.filter((t) => open[t] > 0).sort((a, b) => STRENGTH[b] - STRENGTH[a])[0];
    if (!strongest) continue;
    const end = edges[i].at;
    const last = out[out.length - 1];
    if (last && last.type === strongest && last.end === at) last.end = end;
    else out.push({ start: at, end, type: strongest });
  }
  return out;
}

/** A VCALENDAR with one VFREEBUSY for a free-busy-query response (BUSY is the default FBTYPE and is left out). */
export function freeBusyCalendar(periods: BusyPeriod[], range: { start: number; end: number }, now: number): string {
  const props: unknown[][] = [
    ['dtstamp', {}, 'date-time', utcJcal(now)],
    ['dtstart', {}, 'date-time', utcJcal(range.start)],
    ['dtend', {}, 'date-time', utcJcal(range.end)],
  ];
  for (const p of periods) {
    props.push(['freebusy', p.type === 'BUSY' ? {} : { fbtype: p.type }, 'period', [utcJcal(p.start), utcJcal(p.end)]]);
  }
  const jcal = ['vcalendar', [['version', {}, 'text', '2.0'], ['prodid', {}, 'text', '-//Cumulus//CalDAV//EN'], ['calscale', {}, 'text', 'GREGORIAN']], [['vfreebusy', props, []]]];
  return writeCalendar(jcal);
}
