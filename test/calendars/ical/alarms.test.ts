import { describe, expect, it } from 'vitest';
import { alarmInstances } from '../../../worker/calendars/ical';
import { appleWeeklyOverride, cal, thunderbirdTodo, utc, vevent } from './fixtures';

describe('RFC 5545 §3.6.6 alarm instances (for the reminders job)', () => {
  it('one trigger per instance of a recurring event; none for EXDATE\'d instances or overrides without VALARM', () => {
    const alarms = alarmInstances(appleWeeklyOverride, { start: utc('20240101'), end: utc('20240201') });
    expect(alarms.map((a) => [a.trigger, a.recurrenceId, a.action])).toEqual([
      [utc('20240108T144500'), utc('20240108T150000'), 'AUDIO'],
      [utc('20240115T144500'), utc('20240115T150000'), 'AUDIO'],
    ]);
  });

  it('RELATED=END on a VTODO fires before DUE', () => {
    const [alarm] = alarmInstances(thunderbirdTodo, { start: utc('20240501'), end: utc('20240601') });
    expect(alarm).toMatchObject({ trigger: utc('20240514T160000'), summary: 'File taxes', action: 'DISPLAY', recurrenceId: null });
  });

  it('REPEAT/DURATION repeats the trigger; only triggers inside the range are returned', () => {
    const text = cal(...vevent('DTSTART:20240301T100000Z', 'BEGIN:VALARM', 'ACTION:DISPLAY', 'TRIGGER:-PT30M', 'REPEAT:2', 'DURATION:PT10M', 'DESCRIPTION:x', 'END:VALARM'));
    expect(alarmInstances(text, { start: utc('20240301T093500'), end: utc('20240301T100000') }).map((a) => a.trigger)).toEqual([utc('20240301T094000'), utc('20240301T095000')]);
  });

  it('an endless daily rule: the alarms of the days asked for only', () => {
    const text = cal(...vevent('DTSTART:20200101T080000Z', 'RRULE:FREQ=DAILY', 'BEGIN:VALARM', 'ACTION:DISPLAY', 'TRIGGER:-PT5M', 'DESCRIPTION:x', 'END:VALARM'));
    expect(alarmInstances(text, { start: utc('20300101'), end: utc('20300103') }).map((a) => a.trigger)).toEqual([utc('20300101T075500'), utc('20300102T075500')]);
  });
});
