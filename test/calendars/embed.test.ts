import { beforeAll, describe, expect, it } from 'vitest';
import { makeUser } from '../helpers';
import { davRequest, okPart, propfindBody, responsesOf } from './dav-helpers';
import { eventIcs } from './fixtures';

const PUT_HEADERS = { 'Content-Type': 'text/calendar; charset=utf-8' };
const XML = { 'Content-Type': 'application/xml; charset=utf-8' };
const PUBLISH = '<cs:publish-calendar xmlns:cs="http://calendarserver.org/ns/"/>';

const ics = (...lines: string[]) => ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Cumulus tests//EN', ...lines, 'END:VCALENDAR', ''].join('\r\n');
/** Weekly on Mondays 09:00–09:30Z from 5 Jan 2026, ten times; 19 Jan excluded; 26 Jan moved to Tuesday 27 Jan 10:00Z. */
const WEEKLY = ics(
  'BEGIN:VEVENT', 'UID:standup', 'DTSTAMP:20260101T000000Z', 'DTSTART:20260105T090000Z', 'DTEND:20260105T093000Z', 'SUMMARY:Stand-up',
  'RRULE:FREQ=WEEKLY;COUNT=10', 'EXDATE:20260119T090000Z', 'END:VEVENT',
  'BEGIN:VEVENT', 'UID:standup', 'DTSTAMP:20260101T000000Z', 'RECURRENCE-ID:20260126T090000Z', 'DTSTART:20260127T100000Z', 'DTEND:20260127T103000Z',
  'SUMMARY:Stand-up (moved)', 'LOCATION:Room <7>', 'END:VEVENT');
const ALL_DAY = ics('BEGIN:VEVENT', 'UID:offsite', 'DTSTAMP:20260101T000000Z', 'DTSTART;VALUE=DATE:20260114', 'DTEND;VALUE=DATE:20260116', 'SUMMARY:Offsite', 'END:VEVENT');
const PRIVATE = eventIcs('private', '20260113T100000Z', '20260113T110000Z', 'CLASS:PRIVATE').replace('SUMMARY:Event private', 'SUMMARY:Secret doctor');
const CONFIDENTIAL = eventIcs('confidential', '20260113T140000Z', '20260113T150000Z', 'CLASS:CONFIDENTIAL\r\nLOCATION:Room 5').replace('SUMMARY:Event confidential', 'SUMMARY:Salary talk');

let emmaToken = '';
let ellaToken = '';

async function publish(user: string, cal: string): Promise<string> {
  expect((await davRequest(user, 'POST', cal, { headers: XML, body: PUBLISH })).status).toBe(202);
  const res = await davRequest(user, 'PROPFIND', cal, { headers: { Depth: '0' }, body: propfindBody('<cs:publish-url/>') });
  return /public-calendars\/([^<]+)<\/d:href>/.exec(okPart([...responsesOf(await res.text()).values()][0]))![1];
}

const embed = (path: string) => davRequest(null, 'GET', `/apps/calendar/embed/${path}`);
async function page(path: string): Promise<string> {
  const res = await embed(path);
  expect(res.status, path).toBe(200);
  expect(res.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
  return res.text();
}
/** The content of a month/week table cell, by its date. */
function cell(html: string, date: string): string {
  const m = new RegExp(`<td data-date="${date}"[^>]*>([\\s\\S]*?)</td>`).exec(html);
  if (!m) throw new Error(`no cell for ${date}`);
  return m[1];
}
/** The content of a list view's section for a day, or null when the day has none. */
function section(html: string, date: string): string | null {
  return new RegExp(`<section[^>]*data-date="${date}"[^>]*>([\\s\\S]*?)</section>`).exec(html)?.[1] ?? null;
}
const datesOf = (html: string, tag: 'td' | 'section') => [...html.matchAll(new RegExp(`<${tag}[^>]*data-date="([^"]+)"`, 'g'))].map((m) => m[1]);

beforeAll(async () => {
  await makeUser('emma');
  await makeUser('ella');
  const cal = '/remote.php/dav/calendars/emma/personal/';
  for (const [name, body] of [['weekly.ics', WEEKLY], ['allday.ics', ALL_DAY], ['private.ics', PRIVATE], ['confidential.ics', CONFIDENTIAL]]) {
    expect((await davRequest('emma', 'PUT', cal + name, { headers: PUT_HEADERS, body })).status, name).toBe(201);
  }
  await davRequest('emma', 'PROPPATCH', cal, {
    headers: XML,
    body: '<d:propertyupdate xmlns:d="DAV:" xmlns:x1="http://apple.com/ns/ical/"><d:set><d:prop><d:displayname>Emma &amp; &lt;team&gt;</d:displayname>' +
      '<x1:calendar-color>#ff0000ff</x1:calendar-color></d:prop></d:set></d:propertyupdate>',
  });
  emmaToken = await publish('emma', cal);
  const ellaCal = '/remote.php/dav/calendars/ella/personal/';
  expect((await davRequest('ella', 'PUT', `${ellaCal}x.ics`, { headers: PUT_HEADERS, body: eventIcs('ella1', '20260112T150000Z', '20260112T160000Z') })).status).toBe(201);
  ellaToken = await publish('ella', ellaCal);
});

describe('embed page /apps/calendar/embed/{token}/{view}/{date}', () => {
  it('month: a 7-column grid of whole weeks with the recurring instances on their days (EXDATE gone, override moved)', async () => {
    const html = await page(`${emmaToken}/month/2026-01-10`);
    const dates = datesOf(html, 'td');
    expect(dates[0]).toBe('2025-12-29');
    expect(dates.at(-1)).toBe('2026-02-01');
    expect(dates).toHaveLength(35);
    expect(html).toContain('<caption id="caption">January 2026</caption>');
    for (const d of ['2026-01-05', '2026-01-12']) expect(cell(html, d)).toContain('<span class="what">Stand-up</span>');
    expect(cell(html, '2026-01-05')).toContain('09:00–09:30');
    for (const d of ['2026-01-19', '2026-01-26']) expect(cell(html, d)).not.toContain('Stand-up');
    expect(cell(html, '2026-01-27')).toContain('Stand-up (moved)');
    expect(cell(html, '2026-01-27')).toContain('Room &lt;7&gt;');
    // Days of the neighbouring months are shown, marked as such; Feb 2 is outside the grid.
    expect(html).toMatch(/<td data-date="2025-12-29" class="other"/);
    expect(html).not.toContain('2026-02-02');
    // The all-day event covers its two days (DTEND exclusive).
    expect(cell(html, '2026-01-14')).toContain('All day');
    expect(cell(html, '2026-01-15')).toContain('Offsite');
    expect(cell(html, '2026-01-16')).not.toContain('Offsite');
    // Private events stay out of a public page; confidential ones only say "Busy".
    expect(html).not.toContain('Secret doctor');
    expect(cell(html, '2026-01-13')).toContain('<span class="what">Busy</span>');
    expect(html).not.toContain('Salary');
    expect(html).not.toContain('Room 5');
    // The calendar colour marks events; its name is escaped.
    expect(cell(html, '2026-01-05')).toContain('style="--cal:#ff0000"');
    expect(html).toContain('<h1>Emma &amp; &lt;team&gt;</h1>');
  });

  it('week: Monday to Sunday in one row, with the instance of that week', async () => {
    const html = await page(`${emmaToken}/week/2026-01-14`);
    expect(datesOf(html, 'td')).toEqual(['2026-01-12', '2026-01-13', '2026-01-14', '2026-01-15', '2026-01-16', '2026-01-17', '2026-01-18']);
    expect(html.match(/<tr>/g)).toHaveLength(2); // header row + one week
    expect(cell(html, '2026-01-12')).toContain('Stand-up');
    expect(cell(html, '2026-01-14')).toContain('Offsite');
    expect(html).toContain('Week of 12 Jan 2026 to 18 Jan 2026');
  });

  it('day: that day only, with its times; a day without events says so', async () => {
    const html = await page(`${emmaToken}/day/2026-01-27`);
    expect(datesOf(html, 'section')).toEqual(['2026-01-27']);
    expect(section(html, '2026-01-27')).toContain('10:00–10:30');
    expect(section(html, '2026-01-27')).toContain('Stand-up (moved)');
    const empty = await page(`${emmaToken}/day/2026-01-19`);
    expect(section(empty, '2026-01-19')).toContain('No events.');
  });

  it('listMonth, listWeek, listDay: one section per day with events, in order', async () => {
    expect(datesOf(await page(`${emmaToken}/listMonth/2026-01-31`), 'section'))
      .toEqual(['2026-01-05', '2026-01-12', '2026-01-13', '2026-01-14', '2026-01-15', '2026-01-27']);
    const week = await page(`${emmaToken}/listWeek/2026-01-28`);
    expect(datesOf(week, 'section')).toEqual(['2026-01-27']);
    expect(section(week, '2026-01-27')).toContain('10:00–10:30');
    expect(datesOf(await page(`${emmaToken}/listDay/2026-03-02`), 'section')).toEqual(['2026-03-02']);
    expect(await page(`${emmaToken}/listDay/2026-03-10`)).toContain('No events in this period.');
    // March 9 is the tenth and last instance.
    expect(section(await page(`${emmaToken}/listDay/2026-03-09`), '2026-03-09')).toContain('Stand-up');
    expect(await page(`${emmaToken}/listWeek/2026-03-16`)).toContain('No events in this period.');
  });

  it('previous / today / next links and view links keep the tokens; the timezone parameter moves times', async () => {
    const html = await page(`${emmaToken}/month/2026-01-10`);
    expect(html).toContain(`href="/apps/calendar/embed/${emmaToken}/month/2025-12-01" rel="prev"`);
    expect(html).toContain(`href="/apps/calendar/embed/${emmaToken}/month/2026-02-01" rel="next"`);
    expect(html).toContain(`href="/apps/calendar/embed/${emmaToken}/month/now"`);
    expect(html).toContain(`href="/apps/calendar/embed/${emmaToken}/month/2026-01-01" aria-current="page"`);
    expect(html).toContain(`href="/apps/calendar/embed/${emmaToken}/listWeek/2026-01-01"`);
    const day = await page(`${emmaToken}/day/2026-01-12`);
    expect(day).toContain(`/day/2026-01-11" rel="prev"`);
    expect(day).toContain(`/day/2026-01-13" rel="next"`);
    const berlin = await page(`${emmaToken}/day/2026-01-12?timezone=Europe%2FBerlin`);
    expect(section(berlin, '2026-01-12')).toContain('10:00–10:30');
    expect(berlin).toContain('Times are shown in Europe/Berlin.');
    expect(berlin).toContain('/day/2026-01-13?timezone=Europe%2FBerlin" rel="next"');
    // In Auckland (UTC+13) the 09:00Z instance falls on the evening of the same day, 22:00.
    expect(section(await page(`${emmaToken}/day/2026-01-12?timezone=Pacific%2FAuckland`), '2026-01-12')).toContain('22:00–22:30');
  });

  it('"now" shows the current period with today marked', async () => {
    const html = await page(`${emmaToken}/month/now`);
    const today = new Date().toISOString().slice(0, 10);
    expect(html).toMatch(new RegExp(`<td data-date="${today}" class="today" aria-current="date">`));
  });

  it('several tokens merge calendars: events of both, a legend naming both, the calendar named on each event', async () => {
    const html = await page(`${emmaToken}-${ellaToken}/week/2026-01-12`);
    expect(cell(html, '2026-01-12')).toContain('Stand-up');
    expect(cell(html, '2026-01-12')).toContain('Event ella1');
    expect(cell(html, '2026-01-12')).toContain('<span class="sr">(Personal)</span>');
    expect(html).toMatch(/<footer>.*Emma &amp; &lt;team&gt;.*Personal.*<\/footer>/s);
  });

  it('accessible structure: language, landmarks, headings, caption and column headers, focus styles, dark scheme, no scripts', async () => {
    const html = await page(`${emmaToken}/month/2026-01-10`);
    expect(html).toMatch(/^<!DOCTYPE html><html lang="en">/);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain('<main id="main"');
    expect(html).toContain('<nav aria-label="Period">');
    expect(html).toContain('<nav aria-label="View">');
    expect(html).toContain('<th scope="col"><abbr title="Monday">Mon</abbr></th>');
    expect(html).toContain('<span class="sr">Monday, 5 January 2026</span>');
    expect(html).toContain(':focus-visible');
    expect(html).toContain('@media (prefers-color-scheme:dark)');
    expect(html).not.toMatch(/<script|\son\w+=/i);
  });

  it('frame-able: no X-Frame-Options, CSP frame-ancestors *; other pages keep X-Frame-Options', async () => {
    const res = await embed(`${emmaToken}/month/2026-01-10`);
    expect(res.headers.get('X-Frame-Options')).toBeNull();
    const csp = res.headers.get('Content-Security-Policy')!;
    expect(csp).toContain('frame-ancestors *');
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
    expect((await davRequest(null, 'GET', '/status.php')).headers.get('X-Frame-Options')).toBe('SAMEORIGIN');
  });

  it('also under /index.php, and the bare token shows this month', async () => {
    const res = await davRequest(null, 'GET', `/index.php/apps/calendar/embed/${emmaToken}/listDay/2026-01-12`);
    expect(res.status).toBe(200);
    expect(section(await res.text(), '2026-01-12')).toContain('Stand-up');
    const bare = await embed(emmaToken);
    expect(bare.status).toBe(200);
    expect(await bare.text()).toContain('<table class="grid month">');
  });

  it('bad input: unknown view, malformed or impossible date, unknown time zone → 400; unknown or unpublished token → 404', async () => {
    for (const path of [`${emmaToken}/year/2026-01-01`, `${emmaToken}/month/2026-02-30`, `${emmaToken}/month/tomorrow`,
      `${emmaToken}/month/2026-1-1`, `${emmaToken}/month/now?timezone=Mars%2FOlympus`]) {
      expect((await embed(path)).status, path).toBe(400);
    }
    expect((await embed('abcdefgijkmnopqrstwxyzABCDEFGHJK/month/now')).status).toBe(404);
    expect((await embed(`${emmaToken}-nope/month/now`)).status).toBe(404);
    // Unpublishing kills the embed at once, alone or merged.
    expect((await davRequest('ella', 'POST', '/remote.php/dav/calendars/ella/personal/', { headers: XML, body: '<cs:unpublish-calendar xmlns:cs="http://calendarserver.org/ns/"/>' })).status).toBe(200);
    expect((await embed(`${ellaToken}/month/now`)).status).toBe(404);
    expect((await embed(`${emmaToken}-${ellaToken}/month/now`)).status).toBe(404);
    expect((await embed(`${emmaToken}/month/now`)).status).toBe(200);
  });
});
