import { alarmReach, alarmTriggers } from './filter';
import { groupInstances, groupsOf, type Ctx } from './instances';
import { tryReadCalendar } from './read';
import type { CalendarQueryOptions } from './types';
import { floatingZone, toMs } from './zones';

/** One alarm firing: which instance it belongs to and what it asks for. */
export interface AlarmInstance {
  /** When the alarm fires (ms). */
  trigger: number;
  uid: string;
  /** The start of the instance it reminds of (null for a VTODO without DTSTART). */
  instanceStart: number | null;
  /** RECURRENCE-ID of that instance in ms, null outside recurrence sets. */
  recurrenceId: number | null;
  /** AUDIO, DISPLAY, EMAIL… (RFC 5545 §3.8.6.1), upper-case. */
  action: string;
  summary: string | null;
}

/**
 * Every alarm of the object triggering in [range.start, range.end), for each instance of a
 * recurring set (RFC 5545 §3.6.6: TRIGGER relative to start or end, REPEAT/DURATION included),
 * in trigger order. For the reminders job.
 */
export function alarmInstances(text: string, range: { start: number; end: number }, opts: CalendarQueryOptions = {}): AlarmInstance[] {
  const root = tryReadCalendar(text);
  if (!root) return [];
  const ctx: Ctx = { floating: floatingZone(opts.timezone), truncated: false };
  const out: AlarmInstance[] = [];
  try {
    for (const group of groupsOf(root)) {
      const comps = [group.master, ...group.overrides];
      if (!comps.some((c) => c && c.getAllSubcomponents('valarm').length > 0)) continue;
      const reach = alarmReach(comps);
      for (const inst of groupInstances(group, ctx, { start: range.start - reach, end: range.end + reach })) {
        for (const alarm of inst.comp.getAllSubcomponents('valarm')) {
          for (const trigger of alarmTriggers(alarm, inst, ctx)) {
            if (trigger < range.start || trigger >= range.end) continue;
            const summary = inst.comp.getFirstPropertyValue('summary');
            out.push({
              trigger,
              uid: group.uid,
              instanceStart: inst.start,
              recurrenceId: inst.recurrenceId ? toMs(inst.recurrenceId, ctx.floating) : null,
              action: String(alarm.getFirstPropertyValue('action') ?? 'DISPLAY').toUpperCase(),
              summary: summary === null ? null : String(summary),
            });
          }
        }
      }
    }
  } catch {
    // a rule ical.js cannot iterate yields no alarms rather than stopping the job
  }
  return out.sort((a, b) => a.trigger - b.trigger);
}

