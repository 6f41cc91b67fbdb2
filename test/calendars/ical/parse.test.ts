import { describe, expect, it } from 'vitest';
import { matchesCalendarFilter, parseCalendarObject, type ParsedCalendarObject } from '../../../worker/calendars/ical';
import { inRange } from './filters';
import { appleWeeklyOverride, cal, davx5FloatingRdate, googleAllDay, googleDailyBerlin, outlookTzidWithoutVtimezone, thunderbirdTodo, utc, vevent } from './fixtures';

const HOUR = 3_600_000;
const EPS = 1; // every bound is widened by 1 ms, so strict index comparisons stay inclusive
const SLACK = 14 * HOUR + EPS; // floating and all-day bounds are widened by 14 h more

function info(result: ParsedCalendarObject) {
  if (!result.ok) throw new Error(`refused: ${result.precondition}: ${result.message}`);
  return result.info;
}

function refusal(result: ParsedCalendarObject) {
  if (result.ok) throw new Error('accepted');
  return result.precondition;
}

describe('parseCalendarObject: refusals (RFC 4791 §5.3.2.1 preconditions)', () => {
  it('RFC 4791 §5.3.2.1 valid-calendar-data: garbage, empty text, a vCard, an unterminated VCALENDAR', () => {
    expect(refusal(parseCalendarObject('hello world'))).toBe('valid-calendar-data');
    expect(refusal(parseCalendarObject(''))).toBe('valid-calendar-data');
    expect(refusal(parseCalendarObject('BEGIN:VCARD\r\nVERSION:3.0\r\nFN:x\r\nEND:VCARD\r\n'))).toBe('valid-calendar-data');
    expect(refusal(parseCalendarObject('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\n'))).toBe('valid-calendar-data');
  });

  it('RFC 4791 §5.3.2.1 valid-calendar-data: two VCALENDARs in one body', () => {
    const one = cal(...vevent('DTSTART:20240101T100000Z'));
    expect(refusal(parseCalendarObject(one + one))).toBe('valid-calendar-data');
  });

  it('RFC 5545 §3.7.4: a VERSION other than 2.0 (vCalendar 1.0) is not iCalendar', () => {
    const text = cal(...vevent('DTSTART:20240101T100000Z')).replace('VERSION:2.0', 'VERSION:1.0');
    expect(refusal(parseCalendarObject(text))).toBe('valid-calendar-data');
  });

  it('RFC 5545 §3.3.5: an unreadable DATE-TIME value → valid-calendar-data', () => {
    expect(refusal(parseCalendarObject(cal(...vevent('DTSTART:2024-garbage'))))).toBe('valid-calendar-data');
  });

  it('RFC 5545 §3.6.1: VEVENT without DTSTART, or with both DTEND and DURATION → valid-calendar-data', () => {
    expect(refusal(parseCalendarObject(cal(...vevent('SUMMARY:no start'))))).toBe('valid-calendar-data');
    expect(refusal(parseCalendarObject(cal(...vevent('DTSTART:20240101T100000Z', 'DTEND:20240101T110000Z', 'DURATION:PT1H'))))).toBe('valid-calendar-data');
  });

  it('RFC 4791 §4.1: a component without UID → valid-calendar-object-resource', () => {
    const text = cal('BEGIN:VEVENT', 'DTSTAMP:20240101T000000Z', 'DTSTART:20240101T100000Z', 'END:VEVENT');
    expect(refusal(parseCalendarObject(text))).toBe('valid-calendar-object-resource');
  });

  it('RFC 4791 §4.1: components with different UIDs → valid-calendar-object-resource', () => {
    const text = cal(...vevent('DTSTART:20240101T100000Z'), 'BEGIN:VEVENT', 'UID:other', 'DTSTART:20240102T100000Z', 'END:VEVENT');
    expect(refusal(parseCalendarObject(text))).toBe('valid-calendar-object-resource');
  });

  it('RFC 4791 §4.1: a VEVENT and a VTODO in one object → valid-calendar-object-resource', () => {
    const text = cal(...vevent('DTSTART:20240101T100000Z'), 'BEGIN:VTODO', 'UID:test-1', 'DTSTAMP:20240101T000000Z', 'END:VTODO');
    expect(refusal(parseCalendarObject(text))).toBe('valid-calendar-object-resource');
  });

  it('RFC 4791 §4.1: METHOD is not allowed in a calendar collection (SabreDAV refuses it too); scheduling messages may opt in', () => {
    const text = cal('METHOD:REQUEST', ...vevent('DTSTART:20240101T100000Z'));
    expect(refusal(parseCalendarObject(text))).toBe('valid-calendar-object-resource');
    expect(parseCalendarObject(text, { allowMethod: true }).ok).toBe(true);
  });

  it('RFC 4791 §4.1: two masters for one UID, or two overrides of one instance → refused', () => {
    const twoMasters = cal(...vevent('DTSTART:20240101T100000Z'), ...vevent('DTSTART:20240102T100000Z'));
    expect(parseCalendarObject(twoMasters).ok).toBe(false);
    const override = vevent('RECURRENCE-ID:20240102T100000Z', 'DTSTART:20240102T120000Z');
    const twoOverrides = cal(...vevent('DTSTART:20240101T100000Z', 'RRULE:FREQ=DAILY'), ...override, ...override);
    expect(parseCalendarObject(twoOverrides).ok).toBe(false);
  });

  it('RFC 4791 §5.3.2.1 supported-calendar-component: a VTODO in a VEVENT-only calendar, or no component at all', () => {
    expect(refusal(parseCalendarObject(thunderbirdTodo, { allowed: ['VEVENT'] }))).toBe('supported-calendar-component');
    expect(info(parseCalendarObject(thunderbirdTodo, { allowed: ['VEVENT', 'VTODO'] })).component).toBe('VTODO');
    const onlyTimezone = googleDailyBerlin.replace(/BEGIN:VEVENT[\s\S]*END:VEVENT\r?\n/, '');
    expect(refusal(parseCalendarObject(onlyTimezone))).toBe('supported-calendar-component');
    const freebusy = cal('BEGIN:VFREEBUSY', 'UID:fb', 'DTSTAMP:20240101T000000Z', 'END:VFREEBUSY');
    expect(refusal(parseCalendarObject(freebusy))).toBe('supported-calendar-component');
  });

  it('RFC 4791 §5.3.2.1 max-resource-size: counted in UTF-8 bytes, not characters', () => {
    const text = cal(...vevent('DTSTART:20240101T100000Z', `SUMMARY:${'ü'.repeat(100)}`));
    const bytes = new TextEncoder().encode(text).length;
    expect(refusal(parseCalendarObject(text, { maxBytes: bytes - 1 }))).toBe('max-resource-size');
    expect(text.length).toBeLessThan(bytes - 1); // the character count alone would have passed
    expect(parseCalendarObject(text, { maxBytes: bytes }).ok).toBe(true);
  });

  it('RFC 5545 §3.3.10 / §3.3.6: a malformed RRULE or DURATION → valid-calendar-data', () => {
    expect(refusal(parseCalendarObject(cal(...vevent('DTSTART:20240101T100000Z', 'RRULE:FREQ=SOMETIMES'))))).toBe('valid-calendar-data');
    expect(refusal(parseCalendarObject(cal(...vevent('DTSTART:20240101T100000Z', 'DURATION:about an hour'))))).toBe('valid-calendar-data');
    expect(refusal(parseCalendarObject(cal(...vevent('DTSTART:20241301T100000Z'))))).toBe('valid-calendar-data');
  });

  it('RFC 5545 §3.8.5.3: an RRULE ical.js cannot iterate → valid-calendar-data', () => {
    const text = cal(...vevent('DTSTART:20240101T100000Z', 'RRULE:FREQ=YEARLY;BYYEARDAY=10;BYMONTH=2'));
    expect(refusal(parseCalendarObject(text))).toBe('valid-calendar-data');
  });
});

describe('parseCalendarObject: accepted objects and their index bounds', () => {
  it('Apple: VTIMEZONE, weekly COUNT rule with EXDATE and an override; organizer, attendees, alarms', () => {
    const i = info(parseCalendarObject(appleWeeklyOverride));
    expect(i).toMatchObject({ uid: '7B2A4F1E-8C1D-4E6B-9A2F-3D4C5B6A7E8F', component: 'VEVENT', recurring: true, summary: 'Team sync', organizer: 'mailto:alice@example.com', hasAlarms: true });
    expect(i.attendees.sort()).toEqual(['mailto:alice@example.com', 'mailto:bob@example.com', 'mailto:carol@example.com']);
    // 10 Mondays from 8 Jan 10:00 New York (EST, UTC−5) to 11 Mar (EDT since 10 Mar, UTC−4).
    expect(i.firstStart).toBe(utc('20240108T150000') - EPS);
    expect(i.lastEnd).toBe(utc('20240311T150000') + EPS);
  });

  it('RFC 5545 §3.6.1: all-day DATE values with DTEND; bounds widened for the reader\'s zone', () => {
    const i = info(parseCalendarObject(googleAllDay));
    expect(i.recurring).toBe(false);
    expect(i.firstStart).toBe(utc('20240315') - SLACK);
    expect(i.lastEnd).toBe(utc('20240318') + SLACK);
  });

  it('RFC 5545 §3.6.1: DATE without DTEND lasts one day; DATE-TIME without DTEND lasts no time', () => {
    const allDay = info(parseCalendarObject(cal(...vevent('DTSTART;VALUE=DATE:20240301'))));
    expect([allDay.firstStart, allDay.lastEnd]).toEqual([utc('20240301') - SLACK, utc('20240302') + SLACK]);
    const instant = info(parseCalendarObject(cal(...vevent('DTSTART:20240301T120000Z'))));
    expect([instant.firstStart, instant.lastEnd]).toEqual([utc('20240301T120000') - EPS, utc('20240301T120000') + EPS]);
  });

  it('RFC 5545 §3.8.2.5: DURATION gives the end; nominal days keep the wall-clock time across DST', () => {
    const hour = info(parseCalendarObject(cal(...vevent('DTSTART:20240301T120000Z', 'DURATION:PT90M'))));
    expect(hour.lastEnd).toBe(utc('20240301T133000') + EPS);
    // P1D from 30 Mar 12:00 Berlin (CET) ends 31 Mar 12:00 CEST: 23 real hours.
    const text = googleDailyBerlin.replace(/BEGIN:VEVENT[\s\S]*END:VEVENT\r?\n/, ['BEGIN:VEVENT', 'UID:d', 'DTSTAMP:20240101T000000Z', 'DTSTART;TZID=Europe/Berlin:20240330T120000', 'DURATION:P1D', 'END:VEVENT', ''].join('\r\n'));
    const day = info(parseCalendarObject(text));
    expect(day.lastEnd! - day.firstStart!).toBe(23 * HOUR + 2 * EPS);
  });

  it('Google: daily UNTIL in UTC across the DST change, an override moved later that day', () => {
    const i = info(parseCalendarObject(googleDailyBerlin));
    expect(i.firstStart).toBe(utc('20240325T073000') - EPS); // 08:30 CET
    expect(i.lastEnd).toBe(utc('20240405T070000') + EPS); // 5 Apr 09:00 CEST, the last instance UNTIL allows
  });

  it('RFC 5545 §3.8.5.3: an endless RRULE has no lastEnd', () => {
    const i = info(parseCalendarObject(cal(...vevent('DTSTART:20240101T100000Z', 'DTEND:20240101T110000Z', 'RRULE:FREQ=WEEKLY'))));
    expect([i.firstStart, i.lastEnd]).toEqual([utc('20240101T100000') - EPS, null]);
  });

  it('RFC 5545 §3.8.5.3: a long UNTIL rule is bounded by iterating (daily for 20 years)', () => {
    const i = info(parseCalendarObject(cal(...vevent('DTSTART:20000101T100000Z', 'DTEND:20000101T110000Z', 'RRULE:FREQ=DAILY;UNTIL=20191231T100000Z'))));
    expect(i.lastEnd).toBe(utc('20191231T110000') + EPS);
  });

  it('an override moved before the first or after the last occurrence widens the bounds', () => {
    const text = cal(
      ...vevent('DTSTART:20240110T100000Z', 'DTEND:20240110T110000Z', 'RRULE:FREQ=DAILY;COUNT=3'),
      ...vevent('RECURRENCE-ID:20240110T100000Z', 'DTSTART:20240105T080000Z', 'DTEND:20240105T090000Z'),
      ...vevent('RECURRENCE-ID:20240112T100000Z', 'DTSTART:20240220T080000Z', 'DTEND:20240220T090000Z'),
    );
    const i = info(parseCalendarObject(text));
    expect([i.firstStart, i.lastEnd]).toEqual([utc('20240105T080000') - EPS, utc('20240220T090000') + EPS]);
  });

  it('an override alone (an invitation to one instance) is a valid object', () => {
    const i = info(parseCalendarObject(cal(...vevent('RECURRENCE-ID:20240110T100000Z', 'DTSTART:20240110T120000Z', 'DTEND:20240110T130000Z'))));
    expect([i.recurring, i.firstStart, i.lastEnd]).toEqual([true, utc('20240110T120000') - EPS, utc('20240110T130000') + EPS]);
  });

  it('DAVx5: floating DATE-TIMEs with DURATION and RDATEs (one a PERIOD)', () => {
    const i = info(parseCalendarObject(davx5FloatingRdate));
    expect(i.firstStart).toBe(utc('20240110T170000') - SLACK);
    expect(i.lastEnd).toBe(utc('20240207T190000') + SLACK);
  });

  it('a TZID without VTIMEZONE resolves through the IANA database', () => {
    const i = info(parseCalendarObject(outlookTzidWithoutVtimezone));
    expect(i.firstStart).toBe(utc('20240610T000000') - EPS); // 09:00 in Tokyo
  });

  it('RFC 4791 §9.9 VTODO: DTSTART+DUE, DUE only, COMPLETED only, CREATED only, nothing', () => {
    const t = info(parseCalendarObject(thunderbirdTodo));
    expect([t.firstStart, t.lastEnd]).toEqual([utc('20240501T070000') - EPS, utc('20240515T160000') + EPS]);
    const todo = (...lines: string[]) => info(parseCalendarObject(cal('BEGIN:VTODO', 'UID:t', 'DTSTAMP:20240101T000000Z', ...lines, 'END:VTODO')));
    expect(todo('DUE:20240301T100000Z')).toMatchObject({ firstStart: utc('20240301T100000') - EPS, lastEnd: utc('20240301T100000') + EPS });
    expect(todo('COMPLETED:20240302T100000Z')).toMatchObject({ firstStart: utc('20240302T100000') - EPS, lastEnd: utc('20240302T100000') + EPS });
    expect(todo('CREATED:20240303T100000Z')).toMatchObject({ firstStart: utc('20240303T100000') - EPS, lastEnd: null });
    expect(todo()).toMatchObject({ firstStart: null, lastEnd: null });
  });

  it('VJOURNAL with a DATE', () => {
    const j = info(parseCalendarObject(cal('BEGIN:VJOURNAL', 'UID:j', 'DTSTAMP:20240101T000000Z', 'DTSTART;VALUE=DATE:20240105', 'SUMMARY:Notes', 'END:VJOURNAL')));
    expect(j).toMatchObject({ component: 'VJOURNAL', summary: 'Notes', firstStart: utc('20240105') - SLACK, lastEnd: utc('20240106') + SLACK });
  });

  it('a byte-order mark and trailing blank lines are accepted (Windows exports)', () => {
    expect(info(parseCalendarObject('\uFEFF' + googleAllDay + '\r\n\r\n')).uid).toBe('2a1b3c4d5e6f7g8h9i0j@google.com');
  });

  it('LF line endings and folded lines are accepted (clients differ)', () => {
    const text = cal(...vevent('DTSTART:20240101T100000Z', 'SUMMARY:A long', '  summary')).replace(/\r\n/g, '\n');
    expect(info(parseCalendarObject(text)).summary).toBe('A long summary');
  });
});

describe('index bounds are a superset of what time-range queries match', () => {
  it('for every fixture, range and reader zone: a match implies first_start < end AND last_end > start (strict, as the index query compares)', () => {
    const objects = [
      appleWeeklyOverride, googleAllDay, googleDailyBerlin, thunderbirdTodo, davx5FloatingRdate, outlookTzidWithoutVtimezone,
      cal(...vevent('DTSTART:20240301T100000Z')),
      cal('BEGIN:VTODO', 'UID:t', 'DTSTAMP:20240101T000000Z', 'DUE:20240301T100000Z', 'END:VTODO'),
      cal('BEGIN:VTODO', 'UID:t', 'DTSTAMP:20240101T000000Z', 'COMPLETED:20240301T100000Z', 'END:VTODO'),
    ];
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const points = [utc('20240301T100000'), utc('20240108T150000'), utc('20240515T160000'), utc('20240314T150000')];
    let checked = 0;
    for (const text of objects) {
      const i = info(parseCalendarObject(text));
      for (let n = 0; n < 150; n++) {
        // Ranges around the instants that sit on bounds, plus random ones over the year.
        const start = n < 40 ? points[n % 4] - (n % 3) * HOUR : utc('20240101') + Math.floor(random() * 200) * 86_400_000 + Math.floor(random() * 24) * HOUR;
        const end = start + (n < 40 ? ((n % 5) + 1) * HOUR * (n % 2) : Math.floor(random() * 72) * HOUR);
        for (const timezone of [undefined, 'Pacific/Kiritimati', 'Pacific/Pago_Pago']) {
          if (!matchesCalendarFilter(text, inRange(i.component, start, end), { timezone })) continue;
          checked++;
          expect(i.firstStart === null || i.firstStart < end, `${i.uid} [${start}, ${end}) ${timezone}`).toBe(true);
          expect(i.lastEnd === null || i.lastEnd > start, `${i.uid} [${start}, ${end}) ${timezone}`).toBe(true);
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});
