import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { expandCalendarObject, limitRecurrenceSet } from '../../../worker/calendars/ical';
import { appleWeeklyOverride, cal, davx5FloatingRdate, googleAllDay, googleDailyBerlin, thunderbirdTodo, utc, vevent } from './fixtures';

interface Shown { dtstart: string; dtend: string | null; rid: string | null; summary: string; rrule: boolean; exdate: boolean; rdate: boolean }

/** The components of an expanded object, as a client reads them. */
function components(text: string, name = 'vevent'): Shown[] {
  const root = new ICAL.Component(ICAL.parse(text) as unknown[]);
  expect(root.getAllSubcomponents('vtimezone')).toHaveLength(0);
  return root.getAllSubcomponents(name).map((c) => {
    const line = (n: string) => {
      const p = c.getFirstProperty(n);
      return p ? p.toICALString() : null;
    };
    return {
      dtstart: line('dtstart')!,
      dtend: line('dtend') ?? line('due'),
      rid: line('recurrence-id'),
      summary: String(c.getFirstPropertyValue('summary')),
      rrule: c.hasProperty('rrule'),
      exdate: c.hasProperty('exdate'),
      rdate: c.hasProperty('rdate'),
    };
  });
}

describe('RFC 4791 §9.6.5 expand', () => {
  it('Apple weekly set in January: instances in UTC with RECURRENCE-ID, EXDATE gone, the override in its new slot', () => {
    const shown = components(expandCalendarObject(appleWeeklyOverride, { start: utc('20240101'), end: utc('20240201') }));
    expect(shown.map((s) => [s.dtstart, s.dtend, s.rid])).toEqual([
      ['DTSTART:20240108T150000Z', 'DTEND:20240108T160000Z', 'RECURRENCE-ID:20240108T150000Z'],
      ['DTSTART:20240115T150000Z', 'DTEND:20240115T160000Z', 'RECURRENCE-ID:20240115T150000Z'],
      ['DTSTART:20240131T200000Z', 'DTEND:20240131T210000Z', 'RECURRENCE-ID:20240129T150000Z'],
    ]);
    expect(shown[2].summary).toBe('Team sync (moved to Wednesday)');
    expect(shown.some((s) => s.rrule || s.exdate || s.rdate)).toBe(false);
  });

  it('instances after the DST change keep their wall-clock time, shown in UTC', () => {
    const shown = components(expandCalendarObject(googleDailyBerlin, { start: utc('20240330'), end: utc('20240402') }));
    expect(shown.map((s) => s.dtstart)).toEqual(['DTSTART:20240330T073000Z', 'DTSTART:20240331T063000Z', 'DTSTART:20240401T063000Z']);
  });

  it('DURATION instances keep DURATION; RDATE PERIODs get their own DTEND-less length', () => {
    const text = expandCalendarObject(davx5FloatingRdate, { start: utc('20240101'), end: utc('20240301') });
    const shown = components(text);
    expect(shown.map((s) => s.dtstart)).toEqual([
      'DTSTART:20240110T170000Z',
      'DTSTART:20240117T170000Z',
      'DTSTART:20240124T180000Z',
      'DTSTART:20240207T170000Z',
    ]);
    expect(text).toContain('DURATION:PT45M');
  });

  it('all-day events stay DATE values (DTSTART, DTEND and RECURRENCE-ID)', () => {
    const text = cal(...vevent('DTSTART;VALUE=DATE:20240101', 'DTEND;VALUE=DATE:20240102', 'RRULE:FREQ=YEARLY', 'SUMMARY:New year'));
    const shown = components(expandCalendarObject(text, { start: utc('20300101'), end: utc('20300102') }));
    expect(shown).toHaveLength(1);
    expect([shown[0].dtstart, shown[0].dtend, shown[0].rid]).toEqual(['DTSTART;VALUE=DATE:20300101', 'DTEND;VALUE=DATE:20300102', 'RECURRENCE-ID;VALUE=DATE:20300101']);
  });

  it('a non-recurring event outside the range is left out; inside, it is kept without RECURRENCE-ID', () => {
    expect(components(expandCalendarObject(googleAllDay, { start: utc('20240401'), end: utc('20240501') }))).toHaveLength(0);
    const shown = components(expandCalendarObject(googleAllDay, { start: utc('20240316'), end: utc('20240317') }));
    expect(shown.map((s) => [s.dtstart, s.rid])).toEqual([['DTSTART;VALUE=DATE:20240315', null]]);
  });

  it('zoned DATE-TIMEs elsewhere (a VTODO\'s DUE) are converted to UTC and the VTIMEZONE dropped', () => {
    const text = expandCalendarObject(thunderbirdTodo, { start: utc('20240501'), end: utc('20240601') });
    const [todo] = components(text, 'vtodo');
    expect([todo.dtstart, todo.dtend]).toEqual(['DTSTART:20240501T070000Z', 'DUE:20240515T160000Z']);
    expect(text).not.toContain('TZID');
  });

  it('floating times are converted with the calendar\'s time zone', () => {
    const shown = components(expandCalendarObject(davx5FloatingRdate, { start: utc('20240110'), end: utc('20240111') }, { timezone: 'Europe/Berlin' }));
    expect(shown.map((s) => s.dtstart)).toEqual(['DTSTART:20240110T160000Z']);
  });

  it('the result is itself a valid calendar object (round-trips through ical.js)', () => {
    const text = expandCalendarObject(appleWeeklyOverride, { start: utc('20240101'), end: utc('20240401') });
    expect(() => ICAL.parse(text)).not.toThrow();
    expect(text.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
  });
});

describe('RFC 4791 §9.6.6 limit-recurrence-set', () => {
  const text = cal(
    ...vevent('DTSTART:20240101T100000Z', 'DTEND:20240101T110000Z', 'RRULE:FREQ=DAILY;COUNT=60', 'SUMMARY:master'),
    ...vevent('RECURRENCE-ID:20240105T100000Z', 'DTSTART:20240105T120000Z', 'DTEND:20240105T130000Z', 'SUMMARY:early override'),
    ...vevent('RECURRENCE-ID:20240210T100000Z', 'DTSTART:20240210T120000Z', 'DTEND:20240210T130000Z', 'SUMMARY:late override'),
    ...vevent('RECURRENCE-ID:20240120T100000Z', 'DTSTART:20240215T120000Z', 'DTEND:20240215T130000Z', 'SUMMARY:moved out'),
  );

  it('keeps the master and the overrides touching the range (by new time or by the instance they replace)', () => {
    const limited = limitRecurrenceSet(text, { start: utc('20240115'), end: utc('20240125') });
    const summaries = components(limited).map((s) => s.summary);
    expect(summaries).toEqual(['master', 'moved out']);
    const later = components(limitRecurrenceSet(text, { start: utc('20240209'), end: utc('20240220') })).map((s) => s.summary);
    expect(later).toEqual(['master', 'late override', 'moved out']);
  });

  it('returns the text as stored when nothing is left out', () => {
    expect(limitRecurrenceSet(appleWeeklyOverride, { start: utc('20240101'), end: utc('20240301') })).toBe(appleWeeklyOverride);
  });

  it('keeps VTIMEZONE (the master still needs it)', () => {
    expect(limitRecurrenceSet(googleDailyBerlin, { start: utc('20240401'), end: utc('20240402') })).toContain('BEGIN:VTIMEZONE');
  });
});
