import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeUser } from '../helpers';
import { matchesCalendarFilter, parseCalendarObject, type CompFilter } from '../../worker/calendars/ical/index';
import { eventCandidates, indexLazily } from '../../worker/calendars/instances';
import { CalendarService, type CalendarRow } from '../../worker/calendars/service';
import { davRequest, responsesOf } from './dav-helpers';

// The occurrence index (worker/calendars/instances.ts) must answer exactly what
// matchesCalendarFilter answers, object by object, for every window.

const NOW = Date.UTC(2026, 0, 15);
const DAY = 86_400_000;
const TZ = [
  'BEGIN:VTIMEZONE', 'TZID:Europe/Berlin',
  'BEGIN:DAYLIGHT', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'TZNAME:CEST', 'DTSTART:19700329T020000', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU', 'END:DAYLIGHT',
  'BEGIN:STANDARD', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'TZNAME:CET', 'DTSTART:19701025T030000', 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU', 'END:STANDARD',
  'END:VTIMEZONE',
];

function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10).replaceAll('-', '');
const dateTimeOf = (ms: number) => new Date(ms).toISOString().slice(0, 19).replaceAll('-', '').replaceAll(':', '');

/** A random event: UTC, Berlin, floating or all-day; single or recurring with EXDATE, RDATE, overrides; sometimes endless, sometimes an instant. */
function randomEvent(i: number, rand: () => number): string {
  const pick = (n: number) => Math.floor(rand() * n);
  const uid = `ev-${i}`;
  const start = Date.UTC(2024, 0, 1) + pick(5 * 365) * DAY + pick(48) * 1_800_000;
  const kind = pick(4); // 0 UTC, 1 Berlin, 2 floating, 3 all-day
  const fmt = (ms: number) => {
    if (kind === 3) return `;VALUE=DATE:${dateOf(ms)}`;
    if (kind === 1) return `;TZID=Europe/Berlin:${dateTimeOf(ms)}`;
    return `:${dateTimeOf(ms)}${kind === 0 ? 'Z' : ''}`;
  };
  const lines = ['BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20240101T000000Z', `DTSTART${fmt(start)}`];
  const shape = pick(5);
  const length = kind === 3 ? (1 + pick(3)) * DAY : (pick(3) === 0 ? 10 * DAY : (1 + pick(8)) * 1_800_000);
  if (shape === 0) lines.push(`DTEND${fmt(start + length)}`);
  else if (shape === 1) lines.push(kind === 3 ? `DURATION:P${1 + pick(3)}D` : `DURATION:PT${1 + pick(5)}H`);
  else if (shape === 2 && kind !== 3) lines.push('DURATION:PT0S'); // an instant
  else if (shape === 3) lines.push(`DTEND${fmt(start + length)}`);
  // shape 4: neither DTEND nor DURATION (an instant, or one day)
  const recurring = rand() < 0.6;
  const extra: string[] = [];
  if (recurring) {
    const freq = ['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'][pick(4)];
    const end = pick(3);
    lines.push(`RRULE:FREQ=${freq};INTERVAL=${1 + pick(3)}${end === 0 ? `;COUNT=${2 + pick(40)}` : end === 1 ? `;UNTIL=${dateTimeOf(start + pick(900) * DAY)}Z` : ''}`);
    const step = { DAILY: 1, WEEKLY: 7, MONTHLY: 30, YEARLY: 365 }[freq]!;
    if (rand() < 0.4) lines.push(`EXDATE${fmt(start + step * (1 + pick(3)) * DAY)}`);
    if (rand() < 0.3) lines.push(`RDATE${fmt(start + (3 + pick(400)) * DAY + 3_600_000)}`);
    if (rand() < 0.35) {
      const rid = start + step * (1 + pick(2)) * DAY;
      const moved = rid + (pick(5) - 2) * 40 * DAY + pick(10) * 3_600_000;
      extra.push('BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20240101T000000Z', `RECURRENCE-ID${fmt(rid)}`, `DTSTART${fmt(moved)}`, `DTEND${fmt(moved + (kind === 3 ? DAY : 3_600_000))}`, 'SUMMARY:moved', 'END:VEVENT');
    }
  }
  lines.push(`SUMMARY:Event ${i}`, 'END:VEVENT');
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Cumulus tests//EN', ...(kind === 1 ? TZ : []), ...lines, ...extra, 'END:VCALENDAR', ''].join('\r\n');
}

const plainFilter = (start: number | null, end: number | null): CompFilter => ({
  name: 'VCALENDAR', isNotDefined: false, timeRange: null, propFilters: [],
  compFilters: [{ name: 'VEVENT', isNotDefined: false, timeRange: { start, end }, propFilters: [], compFilters: [] }],
});

/** What a calendar-query answers through the index: the index's matches plus the evaluated ones that match. */
async function viaIndex(cal: CalendarRow, start: number | null, end: number | null) {
  const { indexed, evaluate } = await eventCandidates(env, cal, { start, end }, { withData: true });
  const filter = plainFilter(start, end);
  return { uris: new Set([...indexed.map((o) => o.uri), ...evaluate.filter((o) => matchesCalendarFilter(o.data, filter)).map((o) => o.uri)]), indexed, evaluate };
}

let service: CalendarService;
let cal: CalendarRow;
const texts = new Map<string, string>();

function exact(start: number | null, end: number | null): Set<string> {
  const filter = plainFilter(start, end);
  return new Set([...texts].filter(([, t]) => matchesCalendarFilter(t, filter)).map(([u]) => u));
}

async function store(svc: CalendarService, c: CalendarRow, uri: string, text: string) {
  const parsed = parseCalendarObject(text);
  if (!parsed.ok) throw new Error(`${uri}: ${parsed.message}`);
  const existing = await svc.object(c, uri);
  await svc.put(c, uri, text, parsed.info, existing, undefined);
}

beforeAll(async () => {
  await makeUser('ines');
  service = new CalendarService(env, 'ines', NOW);
  cal = await service.create('random', { displayname: 'Random' });
  const rand = prng(20260115);
  for (let i = 0; i < 300; i++) {
    const text = randomEvent(i, rand);
    texts.set(`ev-${i}.ics`, text);
    await store(service, cal, `ev-${i}.ics`, text);
  }
});

describe('occurrence index (calendar_instances)', () => {
  it('answers exactly what matchesCalendarFilter answers, on 300 random events and 60 random windows', async () => {
    const rand = prng(7);
    let indexedHits = 0;
    for (let k = 0; k < 60; k++) {
      const start = Date.UTC(2024, 0, 1) + Math.floor(rand() * 5 * 365) * DAY + Math.floor(rand() * 24) * 3_600_000;
      const length = [3_600_000, DAY, 7 * DAY, 31 * DAY, 200 * DAY][Math.floor(rand() * 5)];
      const { uris, indexed, evaluate } = await viaIndex(cal, start, start + length);
      expect([...uris].sort(), `window ${new Date(start).toISOString()} + ${length / 3_600_000} h`).toEqual([...exact(start, start + length)].sort());
      indexedHits += indexed.length;
      // Inside the horizon (2024–2030 around 2026) only endless rules past their 2,000 listed instances need evaluating.
      expect(evaluate.length).toBeLessThanOrEqual(5);
    }
    expect(indexedHits).toBeGreaterThan(300);
  });

  it('open-ended windows and windows past the horizon fall back to evaluation and stay exact', async () => {
    for (const [s, e] of [[Date.UTC(2025, 5, 1), null], [null, Date.UTC(2024, 2, 1)], [Date.UTC(2040, 0, 1), Date.UTC(2040, 1, 1)], [Date.UTC(2019, 0, 1), Date.UTC(2019, 0, 8)]] as const) {
      const { uris } = await viaIndex(cal, s, e);
      expect([...uris].sort()).toEqual([...exact(s, e)].sort());
    }
  });

  it('edge instants: an instant at the range start counts, one at the range end does not', async () => {
    const c = await service.create('edges', {});
    const at = (uid: string, t: string, extra = '') => ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//EN', 'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20240101T000000Z', `DTSTART:${t}`, ...(extra ? [extra] : []), 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
    await store(service, c, 'p.ics', at('p', '20260301T100000Z'));
    await store(service, c, 'z.ics', at('z', '20260302T100000Z', 'DTEND:20260302T100000Z'));
    const t = Date.UTC(2026, 2, 1, 10);
    expect([...(await viaIndex(c, t, t + 1)).uris]).toEqual(['p.ics']);
    expect([...(await viaIndex(c, t - 1000, t)).uris]).toEqual([]);
    const z = Date.UTC(2026, 2, 2, 10);
    // A zero-length DTEND = DTSTART event is an interval: §9.9 needs start < DTEND, never true at its own instant.
    expect((await viaIndex(c, z, z + 1)).uris.has('z.ics')).toBe(matchesCalendarFilter(at('z', '20260302T100000Z', 'DTEND:20260302T100000Z'), plainFilter(z, z + 1)));
  });

  it('objects written without their index (old rows, other writers) are evaluated, then indexed lazily', async () => {
    const c = await service.create('lazy', {});
    const text = randomEvent(1000, () => 0.5);
    await store(service, c, 'a.ics', text);
    // Another writer rewrites the text directly: the trigger leaves it covered nowhere.
    const moved = text.replace(/DTSTART(;[^:]*)?:[0-9TZ]+/, 'DTSTART:20270704T120000Z').replace(/\r\n(DTEND|DURATION|RRULE)[^\r]*/g, '');
    await env.DB.prepare("UPDATE calendar_objects SET data = ? WHERE uri = 'a.ics' AND calendar_id = ?").bind(moved, c.id).run();
    const w = { start: Date.UTC(2027, 6, 4), end: Date.UTC(2027, 6, 5) };
    let r = await eventCandidates(env, c, w, { withData: true });
    expect(r.indexed).toHaveLength(0);
    expect(r.evaluate.map((o) => o.uri)).toEqual(['a.ics']);
    await indexLazily(env, c, r.evaluate, w, NOW);
    r = await eventCandidates(env, c, w, { withData: false });
    expect(r.indexed.map((o) => o.uri)).toEqual(['a.ics']);
    expect(r.evaluate).toHaveLength(0);
    expect(r.indexed[0].data).toBe(''); // getetag-only answers never read the text
  });

  it('a PUT replaces the index in the same batch; DELETE removes it', async () => {
    const c = await service.create('replace', {});
    const ev = (s: string) => ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//EN', 'BEGIN:VEVENT', 'UID:r', 'DTSTAMP:20240101T000000Z', `DTSTART:${s}`, 'DURATION:PT1H', 'RRULE:FREQ=WEEKLY', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
    await store(service, c, 'r.ics', ev('20260105T100000Z'));
    const mon = { start: Date.UTC(2026, 1, 2), end: Date.UTC(2026, 1, 3) };
    const tue = { start: Date.UTC(2026, 1, 3), end: Date.UTC(2026, 1, 4) };
    expect((await eventCandidates(env, c, mon, { withData: false })).indexed).toHaveLength(1);
    await store(service, c, 'r.ics', ev('20260106T100000Z'));
    expect((await eventCandidates(env, c, mon, { withData: false })).indexed).toHaveLength(0);
    expect((await eventCandidates(env, c, tue, { withData: false })).indexed).toHaveLength(1);
    const obj = (await service.object(c, 'r.ics'))!;
    await service.deleteObject(c, obj);
    const count = async () => (await env.DB.prepare('SELECT COUNT(*) AS n FROM calendar_instances WHERE calendar_id = ?').bind(c.id).first<{ n: number }>())!.n;
    const r = await eventCandidates(env, c, tue, { withData: false });
    expect(r.indexed.length + r.evaluate.length).toBe(0);
    // A trashed object keeps its rows (a restore needs no re-indexing); purging it drops them by cascade.
    expect(await count()).toBeGreaterThan(0);
    await service.purgeObject({ ...obj, deletedAt: NOW });
    expect(await count()).toBe(0);
  });
});

describe('calendar-query over the index (REPORT)', () => {
  const CAL = '/remote.php/dav/calendars/ines/random/';
  const NS = 'xmlns:d="DAV:" xmlns:cal="urn:ietf:params:xml:ns:caldav"';
  const report = (filter: string, prop = '<d:getetag/>', path = CAL, user = 'ines') => davRequest(user, 'REPORT', path, {
    headers: { Depth: '1', 'Content-Type': 'application/xml' },
    body: `<cal:calendar-query ${NS}><d:prop>${prop}</d:prop><cal:filter>${filter}</cal:filter></cal:calendar-query>`,
  });
  const tr = (s: string, e: string) => `<cal:time-range start="${s}" end="${e}"/>`;
  const uriSet = (xml: string) => [...responsesOf(xml).keys()].map((h) => h.slice(CAL.length)).sort();

  it('getetag-only and calendar-data answers both equal the exact evaluation', async () => {
    const filter = `<cal:comp-filter name="VCALENDAR"><cal:comp-filter name="VEVENT">${tr('20250601T000000Z', '20250701T000000Z')}</cal:comp-filter></cal:comp-filter>`;
    const want = [...exact(Date.UTC(2025, 5, 1), Date.UTC(2025, 6, 1))].sort();
    expect(want.length).toBeGreaterThan(10);
    const etags = await report(filter);
    expect(etags.status).toBe(207);
    expect(uriSet(await etags.text())).toEqual(want);
    const data = await report(filter, '<d:getetag/><cal:calendar-data/>');
    const xml = await data.text();
    expect(uriSet(xml)).toEqual(want);
    expect(xml.match(/BEGIN:VCALENDAR/g)).toHaveLength(want.length);
  });

  it('a filter with more than a time-range uses the index as a prefilter only', async () => {
    const filter = `<cal:comp-filter name="VCALENDAR"><cal:comp-filter name="VEVENT">${tr('20250101T000000Z', '20260101T000000Z')}` +
      '<cal:prop-filter name="SUMMARY"><cal:text-match>moved</cal:text-match></cal:prop-filter></cal:comp-filter></cal:comp-filter>';
    const f: CompFilter = { ...plainFilter(Date.UTC(2025, 0, 1), Date.UTC(2026, 0, 1)) };
    f.compFilters = [{ ...f.compFilters[0], propFilters: [{ name: 'SUMMARY', isNotDefined: false, timeRange: null, paramFilters: [], textMatch: { value: 'moved', collation: 'i;ascii-casemap', negate: false, matchType: 'contains' } }] }];
    const want = [...texts].filter(([, t]) => matchesCalendarFilter(t, f)).map(([u]) => u).sort();
    expect(want.length).toBeGreaterThan(0);
    expect(uriSet(await (await report(filter)).text())).toEqual(want);
  });

  it('a query whose only time-range is on VALARM is not narrowed by the event index', async () => {
    const c = '/remote.php/dav/calendars/ines/alarms/';
    await service.create('alarms', {});
    // The event is in 2026; its alarm fires a week before, in December 2025.
    const ics = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//EN', 'BEGIN:VEVENT', 'UID:al', 'DTSTAMP:20240101T000000Z', 'DTSTART:20260108T100000Z', 'DTEND:20260108T110000Z',
      'BEGIN:VALARM', 'ACTION:DISPLAY', 'DESCRIPTION:x', 'TRIGGER:-P7D', 'END:VALARM', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
    expect((await davRequest('ines', 'PUT', `${c}al.ics`, { headers: { 'Content-Type': 'text/calendar' }, body: ics })).status).toBe(201);
    const res = await report(`<cal:comp-filter name="VCALENDAR"><cal:comp-filter name="VEVENT"><cal:comp-filter name="VALARM">${tr('20260101T000000Z', '20260102T000000Z')}</cal:comp-filter></cal:comp-filter></cal:comp-filter>`, '<d:getetag/>', c);
    expect([...responsesOf(await res.text()).keys()]).toEqual([`${c}al.ics`]);
    const none = await report(`<cal:comp-filter name="VCALENDAR"><cal:comp-filter name="VEVENT"><cal:comp-filter name="VALARM">${tr('20260108T000000Z', '20260109T000000Z')}</cal:comp-filter></cal:comp-filter></cal:comp-filter>`, '<d:getetag/>', c);
    expect(responsesOf(await none.text()).size).toBe(0);
  });

  it('another user cannot query the calendar (403, no data), anonymous gets 401', async () => {
    await makeUser('olaf');
    const filter = `<cal:comp-filter name="VCALENDAR"><cal:comp-filter name="VEVENT">${tr('20250601T000000Z', '20250701T000000Z')}</cal:comp-filter></cal:comp-filter>`;
    const other = await report(filter, '<d:getetag/>', CAL, 'olaf');
    expect(other.status).toBe(403);
    expect(await other.text()).not.toContain('ev-');
    const anon = await davRequest(null, 'REPORT', CAL, { headers: { Depth: '1' }, body: `<cal:calendar-query ${NS}><d:prop><d:getetag/></d:prop><cal:filter>${filter}</cal:filter></cal:calendar-query>` });
    expect(anon.status).toBe(401);
  });
});
