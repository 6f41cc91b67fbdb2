import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { expandCalendarObject, matchesCalendarFilter, parseCalendarObject } from '../../../worker/calendars/ical';
import { inRange } from './filters';
import { cal, googleDailyBerlin, utc, vevent } from './fixtures';

// The module iterates RRULEs on the wall clock and jumps ahead to the query window instead of
// walking from DTSTART. These tests hold that to ical.js's own ICAL.Event iterator, walked from
// the start, for rules of every frequency in UTC, a DST zone and floating time.

const BERLIN_VTIMEZONE = googleDailyBerlin.slice(googleDailyBerlin.indexOf('BEGIN:VTIMEZONE'), googleDailyBerlin.indexOf('BEGIN:VEVENT')).trim().split(/\r?\n/);
const HOUR = 3_600_000;

function eventText(rule: string, zone: 'utc' | 'berlin' | 'floating', extra: string[] = []): string {
  const start = zone === 'utc' ? 'DTSTART:20150105T093000Z' : zone === 'berlin' ? 'DTSTART;TZID=Europe/Berlin:20150105T093000' : 'DTSTART:20150105T093000';
  const end = start.replace('DTSTART', 'DTEND').replace('T093000', 'T103000');
  return cal(...(zone === 'berlin' ? BERLIN_VTIMEZONE : []), ...vevent(start, end, `RRULE:${rule}`, ...extra));
}

/** Instance starts overlapping [from, to), walking ical.js's own iterator from DTSTART. */
function reference(text: string, from: number, to: number): number[] {
  const root = new ICAL.Component(ICAL.parse(text) as unknown[]);
  const event = new ICAL.Event(root.getFirstSubcomponent('vevent')!);
  const it = event.iterator();
  const out: number[] = [];
  for (let t = it.next(); t; t = it.next()) {
    const ms = t.toUnixTime() * 1000;
    if (ms >= to) break;
    if (ms + HOUR > from) out.push(ms);
  }
  return out;
}

/** Instance starts our expand returns for [from, to). */
function expanded(text: string, from: number, to: number): number[] {
  const out = expandCalendarObject(text, { start: from, end: to });
  return [...out.matchAll(/^DTSTART:(\d{8}T\d{6})Z\r?$/gm)].map((m) => utc(m[1])).sort((a, b) => a - b);
}

const RULES = [
  'FREQ=DAILY',
  'FREQ=DAILY;INTERVAL=3',
  'FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR',
  'FREQ=DAILY;BYMONTH=1,7;BYHOUR=9,17',
  'FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH',
  'FREQ=WEEKLY;BYDAY=SU;WKST=MO',
  'FREQ=WEEKLY;BYDAY=MO,WE,FR;BYSETPOS=-1',
  'FREQ=HOURLY;INTERVAL=7',
  'FREQ=MONTHLY;BYDAY=-1FR',
  'FREQ=MONTHLY;BYMONTHDAY=31',
  'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29',
  'FREQ=DAILY;UNTIL=20310315T000000Z',
  'FREQ=WEEKLY;COUNT=900',
];

describe('RFC 5545 §3.3.10: recurrence sets agree with ical.js walked from DTSTART', () => {
  for (const zone of ['utc', 'berlin', 'floating'] as const) {
    it(`${zone}: a window 16 years after DTSTART, across the March DST change`, () => {
      const from = utc('20310301T000000');
      const to = utc('20310420T000000');
      for (const rule of RULES) {
        const text = eventText(rule, zone);
        expect(expanded(text, from, to), `${rule} (${zone})`).toEqual(reference(text, from, to));
      }
    });
  }

  it('MINUTELY with EXDATE and RDATE, a window two years in', () => {
    const text = eventText('FREQ=MINUTELY;INTERVAL=90', 'utc', ['EXDATE:20170310T000000Z', 'RDATE:20170310T001500Z']);
    const from = utc('20170309T000000');
    const to = utc('20170311T000000');
    const ours = expanded(text, from, to);
    expect(ours).toEqual(reference(text, from, to));
    expect(ours).not.toContain(utc('20170310T000000'));
    expect(ours).toContain(utc('20170310T001500'));
  });
});

describe('recurrence limits', () => {
  it('an endless FREQ=SECONDLY rule queried decades later still answers (jumping ahead, not walking)', () => {
    const text = cal(...vevent('DTSTART:20000101T000000Z', 'DURATION:PT1S', 'RRULE:FREQ=SECONDLY;INTERVAL=7'));
    expect(matchesCalendarFilter(text, inRange('VEVENT', utc('20400101T000000'), utc('20400101T000010')))).toBe(true);
    // 2040-01-01T00:00:00Z is 1262304000 s after DTSTART: instances at −6 s and +1 s.
    expect(matchesCalendarFilter(text, inRange('VEVENT', utc('20400101T000001'), utc('20400101T000002')))).toBe(true);
    expect(matchesCalendarFilter(text, inRange('VEVENT', utc('20400101T000002'), utc('20400101T000008')))).toBe(false);
  });

  it('a bounded rule with more instances than the cap is indexed up to its UNTIL, never cut short', () => {
    const parsed = parseCalendarObject(cal(...vevent('DTSTART:20200101T000000Z', 'DURATION:PT1M', 'RRULE:FREQ=MINUTELY;UNTIL=20210101T000000Z')));
    expect(parsed.ok && parsed.info.lastEnd).toBeGreaterThanOrEqual(utc('20210101T000100'));
  });

  it('a COUNT rule with more instances than the cap is treated as unbounded (the index stays a superset)', () => {
    const parsed = parseCalendarObject(cal(...vevent('DTSTART:20200101T000000Z', 'RRULE:FREQ=MINUTELY;COUNT=50000')));
    expect(parsed.ok && parsed.info.lastEnd).toBeNull();
  });
});
