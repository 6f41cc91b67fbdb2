import { describe, expect, it } from 'vitest';
import { matchesCalendarFilter } from '../../../worker/calendars/ical';
import { comp, inRange, param, prop, text, tr } from './filters';
import { appleWeeklyOverride, cal, davx5FloatingRdate, googleAllDay, googleDailyBerlin, thunderbirdTodo, utc, vevent } from './fixtures';

const at = (s: string) => utc(s);

describe('RFC 4791 §9.7.1 comp-filter', () => {
  it('a VCALENDAR filter alone matches every object; a top filter that is not VCALENDAR matches none', () => {
    expect(matchesCalendarFilter(googleAllDay, comp('VCALENDAR'))).toBe(true);
    expect(matchesCalendarFilter(googleAllDay, comp('VEVENT'))).toBe(false);
  });

  it('VCALENDAR > VEVENT matches events, not to-dos; VTODO the reverse', () => {
    const events = comp('VCALENDAR', { compFilters: [comp('VEVENT')] });
    const todos = comp('VCALENDAR', { compFilters: [comp('VTODO')] });
    expect(matchesCalendarFilter(googleAllDay, events)).toBe(true);
    expect(matchesCalendarFilter(googleAllDay, todos)).toBe(false);
    expect(matchesCalendarFilter(thunderbirdTodo, todos)).toBe(true);
  });

  it('is-not-defined: VEVENT without VALARM', () => {
    const noAlarm = comp('VCALENDAR', { compFilters: [comp('VEVENT', { compFilters: [comp('VALARM', { isNotDefined: true })] })] });
    expect(matchesCalendarFilter(googleAllDay, noAlarm)).toBe(true);
    // The Apple master has an alarm: its VEVENT matches "has VALARM"; its override has none and matches "no VALARM".
    const withAlarm = comp('VCALENDAR', { compFilters: [comp('VEVENT', { compFilters: [comp('VALARM')] })] });
    expect(matchesCalendarFilter(appleWeeklyOverride, withAlarm)).toBe(true);
    expect(matchesCalendarFilter(googleAllDay, withAlarm)).toBe(false);
  });

  it('garbage never matches (stored objects are valid; the query stays total)', () => {
    expect(matchesCalendarFilter('not ical', comp('VCALENDAR'))).toBe(false);
  });
});

describe('RFC 4791 §9.9 time-range on VEVENT (the table, row by row)', () => {
  const withEnd = cal(...vevent('DTSTART:20240301T100000Z', 'DTEND:20240301T110000Z'));
  const withDuration = cal(...vevent('DTSTART:20240301T100000Z', 'DURATION:PT1H'));
  const zeroDuration = cal(...vevent('DTSTART:20240301T100000Z', 'DURATION:PT0S'));
  const instant = cal(...vevent('DTSTART:20240301T100000Z'));
  const allDay = cal(...vevent('DTSTART;VALUE=DATE:20240301'));
  const m = (t: string, s: string, e: string) => matchesCalendarFilter(t, inRange('VEVENT', at(s), at(e)));

  it('DTEND: start < DTEND AND end > DTSTART (touching edges do not overlap)', () => {
    expect(m(withEnd, '20240301T103000', '20240301T120000')).toBe(true);
    expect(m(withEnd, '20240301T110000', '20240301T120000')).toBe(false);
    expect(m(withEnd, '20240301T090000', '20240301T100000')).toBe(false);
    expect(m(withEnd, '20240301T000000', '20240302T000000')).toBe(true);
  });

  it('DURATION > 0: start < DTSTART+DURATION AND end > DTSTART', () => {
    expect(m(withDuration, '20240301T105959', '20240301T120000')).toBe(true);
    expect(m(withDuration, '20240301T110000', '20240301T120000')).toBe(false);
  });

  it('DURATION = 0 and DATE-TIME without end: start <= DTSTART AND end > DTSTART', () => {
    for (const t of [zeroDuration, instant]) {
      expect(m(t, '20240301T100000', '20240301T100001')).toBe(true);
      expect(m(t, '20240301T090000', '20240301T100000')).toBe(false);
    }
  });

  it('DATE without end: start < DTSTART+P1D AND end > DTSTART', () => {
    expect(m(allDay, '20240301T230000', '20240302T010000')).toBe(true);
    expect(m(allDay, '20240302T000000', '20240302T010000')).toBe(false);
    expect(m(allDay, '20240229T000000', '20240301T000000')).toBe(false);
  });

  it('open-ended ranges: only a start, or only an end', () => {
    expect(matchesCalendarFilter(withEnd, inRange('VEVENT', at('20240301T105959'), null))).toBe(true);
    expect(matchesCalendarFilter(withEnd, inRange('VEVENT', at('20240301T110000'), null))).toBe(false);
    expect(matchesCalendarFilter(withEnd, inRange('VEVENT', null, at('20240301T100001')))).toBe(true);
    expect(matchesCalendarFilter(withEnd, inRange('VEVENT', null, at('20240301T100000')))).toBe(false);
  });

  it('RFC 4791 §9.9: floating times are read in the calendar\'s time zone when given', () => {
    const floating = cal(...vevent('DTSTART:20240301T100000', 'DTEND:20240301T110000'));
    // 10:00 in New York is 15:00 UTC.
    const range = inRange('VEVENT', at('20240301T143000'), at('20240301T153000'));
    expect(matchesCalendarFilter(floating, range)).toBe(false);
    expect(matchesCalendarFilter(floating, range, { timezone: 'America/New_York' })).toBe(true);
    const vtimezone = appleWeeklyOverride.slice(0, appleWeeklyOverride.indexOf('BEGIN:VEVENT')) + 'END:VCALENDAR\r\n';
    expect(matchesCalendarFilter(floating, range, { timezone: vtimezone })).toBe(true);
  });

  it('all-day events in the calendar\'s zone: a Tokyo day starts at 15:00 UTC the day before', () => {
    const range = inRange('VEVENT', at('20240314T160000'), at('20240314T170000'));
    expect(matchesCalendarFilter(googleAllDay, range)).toBe(false);
    expect(matchesCalendarFilter(googleAllDay, range, { timezone: 'Asia/Tokyo' })).toBe(true);
  });
});

describe('RFC 4791 §9.9 time-range on recurring VEVENTs', () => {
  const m = (t: string, s: string, e: string) => matchesCalendarFilter(t, inRange('VEVENT', at(s), at(e)));

  it('any instance overlapping matches, also far in the future of an endless rule', () => {
    const weekly = cal(...vevent('DTSTART:20200106T090000Z', 'DTEND:20200106T100000Z', 'RRULE:FREQ=WEEKLY;BYDAY=MO'));
    expect(m(weekly, '20350101T000000', '20350108T000000')).toBe(true); // contains a Monday
    expect(m(weekly, '20350102T000000', '20350107T000000')).toBe(false); // Tue 2 Jan – Sun 6 Jan 2035
  });

  it('RFC 5545 §3.8.5.1: an EXDATE removes its instance', () => {
    // Apple: 22 Jan excluded.
    expect(m(appleWeeklyOverride, '20240122T000000', '20240123T000000')).toBe(false);
    expect(m(appleWeeklyOverride, '20240115T000000', '20240116T000000')).toBe(true);
  });

  it('RFC 5545 §3.8.4.4: an overridden instance moves — the old slot is empty, the new one busy', () => {
    // Apple: Monday 29 Jan 10:00 EST moved to Wednesday 31 Jan 15:00 EST.
    expect(m(appleWeeklyOverride, '20240129T000000', '20240130T000000')).toBe(false);
    expect(m(appleWeeklyOverride, '20240131T200000', '20240131T203000')).toBe(true);
  });

  it('RFC 5545 §3.8.5.2: RDATEs add instances, a PERIOD RDATE with its own length', () => {
    expect(m(davx5FloatingRdate, '20240124T180000', '20240124T181000')).toBe(true); // the 18:00 RDATE
    expect(m(davx5FloatingRdate, '20240124T170000', '20240124T174500')).toBe(false); // no 17:00 on the 24th
    expect(m(davx5FloatingRdate, '20240207T183000', '20240207T190000')).toBe(true); // inside the 2-hour PERIOD
    expect(m(davx5FloatingRdate, '20240131T000000', '20240201T000000')).toBe(false);
  });

  it('COUNT and UNTIL end the set', () => {
    expect(m(appleWeeklyOverride, '20240318T000000', '20240319T000000')).toBe(false); // an 11th Monday
    expect(m(appleWeeklyOverride, '20240311T000000', '20240312T000000')).toBe(true); // the 10th
    expect(m(googleDailyBerlin, '20240405T000000', '20240406T000000')).toBe(true);
    expect(m(googleDailyBerlin, '20240406T000000', '20240407T000000')).toBe(false);
  });

  it('instances keep their wall-clock time across DST (VTIMEZONE rules)', () => {
    // Stand-up at 08:30 Berlin: 07:30 UTC in March (CET), 06:30 UTC from 31 March (CEST).
    expect(m(googleDailyBerlin, '20240327T073000', '20240327T073100')).toBe(true);
    expect(m(googleDailyBerlin, '20240402T063000', '20240402T063100')).toBe(true);
    expect(m(googleDailyBerlin, '20240402T073000', '20240402T075900')).toBe(false);
  });

  it('RFC 5545 §3.8.4.4 RANGE=THISANDFUTURE: the override shifts every later instance', () => {
    const text = cal(
      ...vevent('DTSTART:20240101T100000Z', 'DTEND:20240101T110000Z', 'RRULE:FREQ=DAILY;COUNT=10'),
      ...vevent('RECURRENCE-ID;RANGE=THISANDFUTURE:20240105T100000Z', 'DTSTART:20240105T140000Z', 'DTEND:20240105T150000Z'),
    );
    expect(m(text, '20240104T100000', '20240104T101000')).toBe(true);
    expect(m(text, '20240107T100000', '20240107T110000')).toBe(false);
    expect(m(text, '20240107T140000', '20240107T141000')).toBe(true);
  });

  it('prop-filters apply to the component each instance comes from (master or override)', () => {
    const moved = comp('VCALENDAR', {
      compFilters: [comp('VEVENT', { timeRange: tr(at('20240101T000000'), at('20240201T000000')), propFilters: [prop('SUMMARY', { textMatch: text('moved') })] })],
    });
    expect(matchesCalendarFilter(appleWeeklyOverride, moved)).toBe(true);
    const movedInFebruary = comp('VCALENDAR', {
      compFilters: [comp('VEVENT', { timeRange: tr(at('20240201T000000'), at('20240301T000000')), propFilters: [prop('SUMMARY', { textMatch: text('moved') })] })],
    });
    expect(matchesCalendarFilter(appleWeeklyOverride, movedInFebruary)).toBe(false);
  });
});

describe('RFC 4791 §9.9 time-range on VTODO (the table, row by row)', () => {
  const todo = (...lines: string[]) => cal('BEGIN:VTODO', 'UID:t', 'DTSTAMP:20240101T000000Z', ...lines, 'END:VTODO');
  const m = (t: string, s: string | null, e: string | null) => matchesCalendarFilter(t, inRange('VTODO', s === null ? null : at(s), e === null ? null : at(e)));

  it('DTSTART+DURATION: start <= DTSTART+DURATION AND (end > DTSTART OR end >= DTSTART+DURATION)', () => {
    const t = todo('DTSTART:20240301T100000Z', 'DURATION:PT2H');
    expect(m(t, '20240301T120000', '20240301T130000')).toBe(true); // start == DTSTART+DURATION
    expect(m(t, '20240301T120001', '20240301T130000')).toBe(false);
    expect(m(t, '20240301T090000', '20240301T100001')).toBe(true);
    expect(m(t, '20240301T090000', '20240301T100000')).toBe(false);
  });

  it('DTSTART+DUE: (start < DUE OR start <= DTSTART) AND (end > DTSTART OR end >= DUE)', () => {
    expect(m(thunderbirdTodo, '20240510T000000', '20240511T000000')).toBe(true);
    expect(m(thunderbirdTodo, '20240515T160000', '20240516T000000')).toBe(false); // start == DUE
    expect(m(thunderbirdTodo, '20240401T000000', '20240501T070000')).toBe(false); // end == DTSTART
  });

  it('DTSTART only: start <= DTSTART AND end > DTSTART', () => {
    const t = todo('DTSTART:20240301T100000Z');
    expect(m(t, '20240301T100000', '20240301T100001')).toBe(true);
    expect(m(t, '20240301T100001', '20240302T000000')).toBe(false);
  });

  it('DUE only: start < DUE AND end >= DUE', () => {
    const t = todo('DUE:20240301T100000Z');
    expect(m(t, '20240301T090000', '20240301T100000')).toBe(true);
    expect(m(t, '20240301T100000', '20240301T110000')).toBe(false);
  });

  it('COMPLETED and/or CREATED, and neither: always', () => {
    const both = todo('CREATED:20240301T100000Z', 'COMPLETED:20240305T100000Z');
    expect(m(both, '20240303T000000', '20240304T000000')).toBe(true); // inside [CREATED, COMPLETED]
    expect(m(both, '20240305T100001', '20240306T000000')).toBe(false);
    expect(m(both, '20240220T000000', '20240301T095959')).toBe(false);
    const completed = todo('COMPLETED:20240305T100000Z');
    expect(m(completed, '20240305T100000', '20240305T100000')).toBe(true);
    expect(m(completed, '20240305T100001', '20240306T000000')).toBe(false);
    const created = todo('CREATED:20240301T100000Z');
    expect(m(created, '20300101T000000', null)).toBe(true);
    expect(m(created, null, '20240301T100000')).toBe(false);
    expect(m(todo(), '19700101T000000', '19700102T000000')).toBe(true);
  });

  it('a recurring VTODO: each instance keeps DUE − DTSTART', () => {
    const t = todo('DTSTART:20240101T090000Z', 'DUE:20240101T170000Z', 'RRULE:FREQ=WEEKLY');
    expect(m(t, '20240108T160000', '20240108T163000')).toBe(true);
    expect(m(t, '20240109T000000', '20240115T080000')).toBe(false);
  });
});

describe('RFC 4791 §9.9 time-range on VJOURNAL, VFREEBUSY and VALARM', () => {
  it('VJOURNAL: DATE-TIME is an instant, DATE a day, no DTSTART never matches', () => {
    const journal = (...lines: string[]) => cal('BEGIN:VJOURNAL', 'UID:j', 'DTSTAMP:20240101T000000Z', ...lines, 'END:VJOURNAL');
    const m = (t: string, s: string, e: string) => matchesCalendarFilter(t, inRange('VJOURNAL', at(s), at(e)));
    expect(m(journal('DTSTART:20240301T100000Z'), '20240301T100000', '20240301T100001')).toBe(true);
    expect(m(journal('DTSTART:20240301T100000Z'), '20240301T090000', '20240301T100000')).toBe(false);
    expect(m(journal('DTSTART;VALUE=DATE:20240301'), '20240301T230000', '20240302T000000')).toBe(true);
    expect(m(journal(), '19700101T000000', '20700101T000000')).toBe(false);
  });

  it('VFREEBUSY: DTSTART/DTEND, else any FREEBUSY period', () => {
    const fb = (...lines: string[]) => cal('BEGIN:VFREEBUSY', 'UID:f', 'DTSTAMP:20240101T000000Z', ...lines, 'END:VFREEBUSY');
    const m = (t: string, s: string, e: string) => matchesCalendarFilter(t, inRange('VFREEBUSY', at(s), at(e)));
    const span = fb('DTSTART:20240301T000000Z', 'DTEND:20240302T000000Z');
    expect(m(span, '20240302T000000', '20240303T000000')).toBe(true); // start <= DTEND
    expect(m(span, '20240302T000001', '20240303T000000')).toBe(false);
    const periods = fb('FREEBUSY:20240301T100000Z/PT1H,20240301T150000Z/20240301T160000Z');
    expect(m(periods, '20240301T153000', '20240301T154500')).toBe(true);
    expect(m(periods, '20240301T110000', '20240301T150000')).toBe(false);
    expect(m(fb(), '19700101T000000', '20700101T000000')).toBe(false);
  });

  it('VALARM: the trigger of some instance falls in the range (Apple: 15 minutes before each Monday)', () => {
    const alarms = (s: string, e: string) =>
      comp('VCALENDAR', { compFilters: [comp('VEVENT', { compFilters: [comp('VALARM', { timeRange: tr(at(s), at(e)) })] })] });
    expect(matchesCalendarFilter(appleWeeklyOverride, alarms('20240115T144500', '20240115T144600'))).toBe(true);
    expect(matchesCalendarFilter(appleWeeklyOverride, alarms('20240115T150000', '20240115T160000'))).toBe(false);
    // The EXDATE'd Monday has no alarm either.
    expect(matchesCalendarFilter(appleWeeklyOverride, alarms('20240122T144500', '20240122T144600'))).toBe(false);
  });

  it('VALARM: RELATED=END triggers from DUE; REPEAT/DURATION adds triggers; absolute triggers', () => {
    const alarms = (t: string, s: string, e: string, kind = 'VTODO') =>
      matchesCalendarFilter(t, comp('VCALENDAR', { compFilters: [comp(kind, { compFilters: [comp('VALARM', { timeRange: tr(at(s), at(e)) })] })] }));
    expect(alarms(thunderbirdTodo, '20240514T160000', '20240514T160001')).toBe(true); // DUE − 1 day
    const repeating = cal(
      ...vevent('DTSTART:20240301T100000Z', 'BEGIN:VALARM', 'ACTION:DISPLAY', 'TRIGGER:-PT30M', 'REPEAT:2', 'DURATION:PT10M', 'DESCRIPTION:x', 'END:VALARM'),
    );
    expect(alarms(repeating, '20240301T094955', '20240301T095005', 'VEVENT')).toBe(true); // the 2nd repetition, 09:50
    expect(alarms(repeating, '20240301T095001', '20240301T100000', 'VEVENT')).toBe(false);
    const absolute = cal(...vevent('DTSTART:20240301T100000Z', 'BEGIN:VALARM', 'ACTION:DISPLAY', 'TRIGGER;VALUE=DATE-TIME:20240220T080000Z', 'DESCRIPTION:x', 'END:VALARM'));
    expect(alarms(absolute, '20240220T080000', '20240220T080001', 'VEVENT')).toBe(true);
  });
});

describe('RFC 4791 §9.7.2 prop-filter, §9.7.3 param-filter, §9.7.5 text-match', () => {
  const q = (...propFilters: ReturnType<typeof prop>[]) => comp('VCALENDAR', { compFilters: [comp('VEVENT', { propFilters })] });

  it('i;ascii-casemap (the default) folds ASCII only; i;octet is exact; i;unicode-casemap folds Unicode', () => {
    const t = cal(...vevent('DTSTART:20240101T100000Z', 'SUMMARY:Réunion ÉQUIPE Weekly'));
    expect(matchesCalendarFilter(t, q(prop('SUMMARY', { textMatch: text('weekly') })))).toBe(true);
    expect(matchesCalendarFilter(t, q(prop('SUMMARY', { textMatch: text('équipe') })))).toBe(false);
    expect(matchesCalendarFilter(t, q(prop('SUMMARY', { textMatch: text('équipe', { collation: 'i;unicode-casemap' }) })))).toBe(true);
    expect(matchesCalendarFilter(t, q(prop('SUMMARY', { textMatch: text('weekly', { collation: 'i;octet' }) })))).toBe(false);
    expect(matchesCalendarFilter(t, q(prop('SUMMARY', { textMatch: text('Weekly', { collation: 'i;octet' }) })))).toBe(true);
  });

  it('match-type equals / starts-with / ends-with, and negate-condition', () => {
    const t = cal(...vevent('DTSTART:20240101T100000Z', 'SUMMARY:Team sync'));
    const s = (v: string, o: Parameters<typeof text>[1]) => matchesCalendarFilter(t, q(prop('SUMMARY', { textMatch: text(v, o) })));
    expect(s('team sync', { matchType: 'equals' })).toBe(true);
    expect(s('team', { matchType: 'equals' })).toBe(false);
    expect(s('team', { matchType: 'starts-with' })).toBe(true);
    expect(s('sync', { matchType: 'starts-with' })).toBe(false);
    expect(s('sync', { matchType: 'ends-with' })).toBe(true);
    expect(s('lunch', { negate: true })).toBe(true);
    expect(s('sync', { negate: true })).toBe(false);
  });

  it('a text-match on a missing property fails even when negated; is-not-defined matches its absence', () => {
    const t = cal(...vevent('DTSTART:20240101T100000Z'));
    expect(matchesCalendarFilter(t, q(prop('LOCATION', { textMatch: text('x', { negate: true }) })))).toBe(false);
    expect(matchesCalendarFilter(t, q(prop('LOCATION', { isNotDefined: true })))).toBe(true);
    expect(matchesCalendarFilter(googleAllDay, q(prop('LOCATION', { isNotDefined: true })))).toBe(false);
    expect(matchesCalendarFilter(googleAllDay, q(prop('LOCATION')))).toBe(true);
  });

  it('UID text-match equals (how clients look an object up by UID)', () => {
    expect(matchesCalendarFilter(googleAllDay, q(prop('UID', { textMatch: text('2a1b3c4d5e6f7g8h9i0j@google.com', { matchType: 'equals', collation: 'i;octet' }) })))).toBe(true);
  });

  it('param-filter: text-match and conditions hold for the same property (attendee Bob needs action)', () => {
    const bobPending = prop('ATTENDEE', { textMatch: text('bob@'), paramFilters: [param('PARTSTAT', { textMatch: text('NEEDS-ACTION', { matchType: 'equals' }) })] });
    const alicePending = prop('ATTENDEE', { textMatch: text('alice@'), paramFilters: [param('PARTSTAT', { textMatch: text('NEEDS-ACTION', { matchType: 'equals' }) })] });
    expect(matchesCalendarFilter(appleWeeklyOverride, q(bobPending))).toBe(true);
    expect(matchesCalendarFilter(appleWeeklyOverride, q(alicePending))).toBe(false);
    expect(matchesCalendarFilter(appleWeeklyOverride, q(prop('ATTENDEE', { paramFilters: [param('RSVP')] })))).toBe(true);
    expect(matchesCalendarFilter(appleWeeklyOverride, q(prop('ORGANIZER', { paramFilters: [param('RSVP', { isNotDefined: true })] })))).toBe(true);
  });

  it('time-range on a DATE-TIME property (LAST-MODIFIED, DTSTAMP)', () => {
    const lm = (s: string, e: string) => matchesCalendarFilter(googleAllDay, q(prop('LAST-MODIFIED', { timeRange: tr(at(s), at(e)) })));
    expect(lm('20240228T090000', '20240228T090001')).toBe(true);
    expect(lm('20240228T090001', '20240301T000000')).toBe(false);
  });

  it('text-match on CATEGORIES sees each value and the whole list', () => {
    const t = cal(...vevent('DTSTART:20240101T100000Z', 'CATEGORIES:Work,Travel'));
    expect(matchesCalendarFilter(t, q(prop('CATEGORIES', { textMatch: text('travel', { matchType: 'equals' }) })))).toBe(true);
    expect(matchesCalendarFilter(t, q(prop('CATEGORIES', { textMatch: text('travel', { negate: true }) })))).toBe(false);
  });
});
