import ICAL from 'ical.js';
import { expandCalendarObject } from './ical/index';
import type { CalendarRow, CalendarService } from './service';

// The model behind the embed page (embed-page.ts renders it): which days a view shows, and the
// event instances in them, recurrence expanded by the iCalendar module. Days are "civil" day
// numbers (days since 1970-01-01), independent of any time zone; the display zone maps them to
// instants.

export const EMBED_VIEWS = ['month', 'week', 'day', 'listMonth', 'listWeek', 'listDay'] as const;
export type EmbedView = (typeof EMBED_VIEWS)[number];

const DAY = 86_400_000;

/** 'YYYY-MM-DD' → civil day number; null when malformed or not a real date. */
export function parseIsoDay(s: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return null;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3]);
  if (+m[1] < 1000 || new Date(ms).toISOString().slice(0, 10) !== s) return null;
  return ms / DAY;
}

export const isoDay = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);
/** Monday = 0 … Sunday = 6 (ISO 8601 weeks, as Nextcloud's calendar defaults to). */
export const weekday = (day: number) => (new Date(day * DAY).getUTCDay() + 6) % 7;

/** An IANA zone name the runtime knows, else null. */
export function knownZone(name: string): string | null {
  try {
    return new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

const partsFormat = new Map<string, Intl.DateTimeFormat>();
/** The wall-clock fields of an instant in a zone. */
function wallClock(ms: number, zone: string): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  let f = partsFormat.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    partsFormat.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return { y: +p.year, mo: +p.month, d: +p.day, h: +p.hour % 24, mi: +p.minute, s: +p.second };
}

/** The civil day an instant falls on in a zone. */
export function dayOf(ms: number, zone: string): number {
  const w = wallClock(ms, zone);
  return Date.UTC(w.y, w.mo - 1, w.d) / DAY;
}

function offsetAt(ms: number, zone: string): number {
  const w = wallClock(ms, zone);
  return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) - Math.floor(ms / 1000) * 1000;
}

/** The instant a civil day starts in a zone (re-checked once across a DST change). */
export function dayStart(day: number, zone: string): number {
  const guess = day * DAY;
  const first = guess - offsetAt(guess, zone);
  const second = guess - offsetAt(first, zone);
  return second;
}

/** The days a view shows, the days it is "about" (a month grid shows neighbours' days too), and its neighbours. */
export interface Period {
  view: EmbedView;
  /** First and after-last civil day shown. */
  start: number;
  end: number;
  /** The days the view is about (the month of a month grid). */
  focusStart: number;
  focusEnd: number;
  prev: number;
  next: number;
}

function monthBounds(day: number): { first: number; next: number; prevFirst: number } {
  const d = new Date(day * DAY);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  return { first: Date.UTC(y, m, 1) / DAY, next: Date.UTC(y, m + 1, 1) / DAY, prevFirst: Date.UTC(y, m - 1, 1) / DAY };
}

/** The period a view shows around a day. */
export function periodOf(view: EmbedView, day: number): Period {
  if (view === 'month' || view === 'listMonth') {
    const { first, next, prevFirst } = monthBounds(day);
    const start = view === 'month' ? first - weekday(first) : first;
    const end = view === 'month' ? next + ((7 - weekday(next)) % 7) : next;
    return { view, start, end, focusStart: first, focusEnd: next, prev: prevFirst, next };
  }
  if (view === 'week' || view === 'listWeek') {
    const start = day - weekday(day);
    return { view, start, end: start + 7, focusStart: start, focusEnd: start + 7, prev: start - 7, next: start + 7 };
  }
  return { view, start: day, end: day + 1, focusStart: day, focusEnd: day + 1, prev: day - 1, next: day + 1 };
}

/** One instance of an event, ready to place on days. */
export interface Occurrence {
  calendar: number;
  summary: string;
  location: string | null;
  allDay: boolean;
  /** Instants of a timed instance (ms). */
  start: number;
  end: number;
  /** Civil days it covers: [firstDay, lastDay]. */
  firstDay: number;
  lastDay: number;
  cancelled: boolean;
}

function timeOf(comp: ICAL.Component, name: string): ICAL.Time | null {
  const v = comp.getFirstPropertyValue(name);
  return v instanceof ICAL.Time ? v : null;
}

const civil = (t: ICAL.Time) => Date.UTC(t.year, t.month - 1, t.day) / DAY;

/**
 * The instances of one object (text) overlapping the period's days in the display zone. Private
 * events (CLASS:PRIVATE) stay out of a public page; confidential ones show as "Busy" (as
 * Nextcloud shows them to anyone but the owner).
 */
export function occurrencesOf(text: string, calendar: number, period: Period, zone: string, calendarZone: string | null): Occurrence[] {
  // A day of margin each side: all-day and floating instances are placed by their dates afterwards.
  const range = { start: dayStart(period.start, zone) - DAY, end: dayStart(period.end, zone) + DAY };
  let root: ICAL.Component;
  try {
    root = new ICAL.Component(ICAL.parse(expandCalendarObject(text, range, { timezone: calendarZone })) as never);
  } catch {
    return []; // stored objects were validated on PUT; an unreadable one is left out, not a broken page
  }
  const out: Occurrence[] = [];
  for (const ev of root.getAllSubcomponents('vevent')) {
    const klass = String(ev.getFirstPropertyValue('class') ?? 'PUBLIC').toUpperCase();
    if (klass === 'PRIVATE') continue;
    const start = timeOf(ev, 'dtstart');
    if (!start) continue;
    let endTime = timeOf(ev, 'dtend');
    const duration = ev.getFirstPropertyValue('duration');
    const allDay = start.isDate;
    let occ: Occurrence;
    const base = {
      calendar,
      summary: klass === 'CONFIDENTIAL' ? 'Busy' : String(ev.getFirstPropertyValue('summary') ?? 'Untitled event'),
      location: klass === 'CONFIDENTIAL' ? null : (ev.getFirstPropertyValue('location') as string | null) ?? null,
      cancelled: String(ev.getFirstPropertyValue('status') ?? '').toUpperCase() === 'CANCELLED',
    };
    if (allDay) {
      const first = civil(start);
      let after = endTime?.isDate ? civil(endTime) : first + 1;
      if (!endTime && duration instanceof ICAL.Duration) after = first + Math.max(1, Math.ceil(duration.toSeconds() / 86400));
      const last = Math.max(first, after - 1);
      occ = { ...base, allDay, start: first * DAY, end: (last + 1) * DAY, firstDay: first, lastDay: last };
    } else {
      const s = start.toUnixTime() * 1000;
      if (!endTime && duration instanceof ICAL.Duration) {
        endTime = start.clone();
        endTime.addDuration(duration);
      }
      const e = endTime ? Math.max(s, endTime.toUnixTime() * 1000) : s;
      occ = { ...base, allDay, start: s, end: e, firstDay: dayOf(s, zone), lastDay: dayOf(Math.max(s, e - 1), zone) };
    }
    if (occ.lastDay >= period.start && occ.firstDay < period.end) out.push(occ);
  }
  return out;
}

/** Every instance of these calendars' events in the period, sorted (all-day first, then by start). */
export async function periodOccurrences(cals: { row: CalendarRow; service: CalendarService }[], period: Period, zone: string): Promise<Occurrence[]> {
  const range = { start: dayStart(period.start, zone) - DAY, end: dayStart(period.end, zone) + DAY };
  const all: Occurrence[] = [];
  for (const [i, { row, service }] of cals.entries()) {
    const calZone = row.timezone;
    for (const obj of await service.candidates(row, 'VEVENT', range)) all.push(...occurrencesOf(obj.data, i, period, zone, calZone));
  }
  return all.sort((a, b) => Number(b.allDay) - Number(a.allDay) || a.start - b.start || a.summary.localeCompare(b.summary));
}

/** The TZID of a calendar-timezone VCALENDAR, when the runtime knows that zone. */
export function calendarZoneName(cal: CalendarRow): string | null {
  const m = cal.timezone ? /^TZID[^:\r\n]*:([^\r\n]+)/m.exec(cal.timezone) : null;
  return m ? knownZone(m[1].trim()) : null;
}
