/**
 * The CalDAV bench's calendar (test/bench/caldav.mjs): deterministic events over 2025, 10 %
 * recurring, and the set of events each time window must return, computed from the same data.
 */
import { seededRandom } from '../support/prng.mjs';

const SEED = 'cumulus-caldav-bench-v1';
const YEAR = 2025;
/** The query window: June 2025 (UTC), a month of a busy calendar. */
export const WINDOW = { start: '20250601T000000Z', end: '20250701T000000Z' };

const DAY_MS = 86_400_000;
const TZID = 'Europe/Berlin';
const BYDAY = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
const VTIMEZONE = [
  'BEGIN:VTIMEZONE', `TZID:${TZID}`,
  'BEGIN:DAYLIGHT', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'TZNAME:CEST', 'DTSTART:19700329T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU', 'END:DAYLIGHT',
  'BEGIN:STANDARD', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'TZNAME:CET', 'DTSTART:19701025T030000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU', 'END:STANDARD',
  'END:VTIMEZONE',
];
const pad = (n) => String(n).padStart(2, '0');
/** Days since 1970-01-01 ↔ "YYYYMMDD". */
const ymd = (day) => new Date(day * DAY_MS).toISOString().slice(0, 10).replaceAll('-', '');
const dayOfYmd = (s) => Date.UTC(Number(s.slice(0, 4)), Number(s.slice(4, 6)) - 1, Number(s.slice(6, 8))) / DAY_MS;
const weekday = (day) => (day + 4) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
const dayOfMonth = (day) => new Date(day * DAY_MS).getUTCDate();
const at = (day, h, m) => `${ymd(day)}T${pad(h)}${pad(m)}00`;

/** A VCALENDAR around `components` (lines), with the Europe/Berlin VTIMEZONE when `withTz`. */
export function calendarText(withTz, components) {
  return [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Cumulus//CalDAV bench//EN', 'CALSCALE:GREGORIAN',
    ...(withTz ? VTIMEZONE : []), ...components, 'END:VCALENDAR', '',
  ].join('\r\n');
}

/**
 * The bench calendar of `count` events, deterministic: [{ name, uid, recurring, days, ics(edit) }].
 * `days` are the days (since the epoch) on which an instance happens, after EXDATEs and
 * overrides; every timed instance lies within one UTC day (starts 08:00–17:30 Berlin time or
 * 06:00–17:30 UTC, lasts ≤ 2 h) and all-day events avoid month edges, so an instance overlaps a
 * window of whole UTC days exactly when its day is inside, however a server treats floating time.
 * ics(edit) is the iCalendar text; `edit` (a number) changes the SUMMARY only.
 */
export function benchEvents(count) {
  const yearStart = Date.UTC(YEAR, 0, 1) / DAY_MS;
  const events = [];
  for (let i = 0; i < count; i++) {
    const rand = seededRandom(`${SEED}/${i}`);
    const pick = (n) => Math.floor(rand() * n);
    // The name is the UID + ".ics", the name Radicale gives an event in a whole-calendar upload.
    const uid = `cumulus-bench-${count}-${String(i).padStart(5, '0')}`;
    const name = `${uid}.ics`;
    let day = yearStart + pick(365);
    let hour = 8 + pick(10);
    const minute = 30 * pick(2);
    const duration = 30 * (1 + pick(4));
    const endOf = (h) => {
      const total = h * 60 + minute + duration;
      return [Math.floor(total / 60), total % 60];
    };
    const recurring = i % 10 === 9;
    const master = [];
    const extra = [];
    let days;
    let tz = true;
    if (!recurring) {
      const kind = rand();
      if (kind < 0.05) {
        tz = false;
        if (dayOfMonth(day) === 1) day += 3;
        else if (dayOfMonth(day) >= 28) day -= 4;
        master.push(`DTSTART;VALUE=DATE:${ymd(day)}`, `DTEND;VALUE=DATE:${ymd(day + 1)}`);
      } else if (kind < 0.1) {
        tz = false;
        hour -= 2; // 06:00–15:30 UTC
        const [eh, em] = endOf(hour);
        master.push(`DTSTART:${at(day, hour, minute)}Z`, `DTEND:${at(day, eh, em)}Z`);
      } else {
        const [eh, em] = endOf(hour);
        master.push(`DTSTART;TZID=${TZID}:${at(day, hour, minute)}`, `DTEND;TZID=${TZID}:${at(day, eh, em)}`);
      }
      days = [day];
    } else {
      const [eh, em] = endOf(hour);
      master.push(`DTSTART;TZID=${TZID}:${at(day, hour, minute)}`, `DTEND;TZID=${TZID}:${at(day, eh, em)}`);
      const kind = rand();
      let occ = [];
      if (kind < 0.3) {
        const n = 4 + pick(23);
        master.push(`RRULE:FREQ=WEEKLY;COUNT=${n}`);
        for (let k = 0; k < n; k++) occ.push(day + 7 * k);
      } else if (kind < 0.5) {
        const until = day + 7 * (3 + pick(23)) + pick(7);
        master.push(`RRULE:FREQ=WEEKLY;UNTIL=${ymd(until)}T235959Z`);
        for (let d = day; d <= until; d += 7) occ.push(d);
      } else if (kind < 0.65) {
        const n = 6 + pick(25);
        const second = (weekday(day) + 2 + pick(3)) % 7;
        master.push(`RRULE:FREQ=WEEKLY;BYDAY=${BYDAY[weekday(day)]},${BYDAY[second]};COUNT=${n}`);
        for (let d = day; occ.length < n && d < day + 7 * n; d++) if (d === day || weekday(d) === second || weekday(d) === weekday(day)) occ.push(d);
      } else if (kind < 0.85) {
        const n = 3 + pick(28);
        master.push(`RRULE:FREQ=DAILY;COUNT=${n}`);
        for (let k = 0; k < n; k++) occ.push(day + k);
      } else {
        const until = day + 2 + pick(28);
        master.push(`RRULE:FREQ=DAILY;UNTIL=${ymd(until)}T235959Z`);
        for (let d = day; d <= until; d++) occ.push(d);
      }
      if (rand() < 0.3 && occ.length >= 4) {
        const gone = new Set([1 + pick(occ.length - 1), 1 + pick(occ.length - 1)]);
        master.push(`EXDATE;TZID=${TZID}:${[...gone].sort((a, b) => a - b).map((k) => at(occ[k], hour, minute)).join(',')}`);
        occ = occ.filter((_, k) => !gone.has(k));
      }
      if (rand() < 0.2 && occ.length >= 3) {
        const k = 1 + pick(occ.length - 1);
        const movedDay = occ[k] + pick(2);
        const movedHour = 8 + pick(10);
        const [mh, mm] = endOf(movedHour);
        extra.push(
          'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20250101T000000Z',
          `RECURRENCE-ID;TZID=${TZID}:${at(occ[k], hour, minute)}`,
          `DTSTART;TZID=${TZID}:${at(movedDay, movedHour, minute)}`, `DTEND;TZID=${TZID}:${at(movedDay, mh, mm)}`,
          `SUMMARY:Bench series ${i} (moved instance)`, 'SEQUENCE:1', 'END:VEVENT',
        );
        occ = occ.map((d, j) => (j === k ? movedDay : d));
      }
      days = occ;
    }
    const location = pick(3) === 0 ? [`LOCATION:Room ${1 + pick(40)}`] : [];
    const components = (edit) => [
      'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20250101T000000Z', ...master,
      `SUMMARY:Bench ${recurring ? 'series' : 'event'} ${i}${edit === undefined ? '' : ` (edit ${edit})`}`,
      ...location,
      `DESCRIPTION:Generated by the Cumulus CalDAV bench (event ${i} of ${count}).`,
      'END:VEVENT', ...extra,
    ];
    const ics = (edit) => calendarText(tz || extra.length > 0, components(edit));
    events.push({ name, uid, recurring, days, ics, components });
  }
  return events;
}

/** Names of the events with an instance in [start, end) (UTC "YYYYMMDDT000000Z" day bounds). */
export function eventsInWindow(events, { start, end }) {
  const from = dayOfYmd(start);
  const to = dayOfYmd(end);
  return new Set(events.filter((e) => e.days.some((d) => d >= from && d < to)).map((e) => e.name));
}
