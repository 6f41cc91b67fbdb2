import { beforeAll, describe, expect, it } from 'vitest';
import ICAL from 'ical.js';
import { componentsOf } from '../../worker/calendars/export';
import { makeUser } from '../helpers';
import { davRequest, okPart, propfindBody, responsesOf } from './dav-helpers';
import { eventIcs, todoIcs } from './fixtures';
import { appleWeeklyOverride, googleDailyBerlin } from './ical/fixtures';

const HOME = '/remote.php/dav/calendars/exa/';
const CAL = `${HOME}personal/`;
const PUT_HEADERS = { 'Content-Type': 'text/calendar; charset=utf-8' };
const XML = { 'Content-Type': 'application/xml; charset=utf-8' };
const exa = (method: string, path: string, init: { headers?: Record<string, string>; body?: string | null } = {}) => davRequest('exa', method, path, init);
/** A second Berlin event: its VTIMEZONE must not appear twice in an export. */
const berlinLunch = (() => {
  const text = googleDailyBerlin.replaceAll('0f9e8d7c6b5a@google.com', 'lunch@google.com');
  const override = text.lastIndexOf('BEGIN:VEVENT');
  return text.slice(0, override) + text.slice(text.indexOf('END:VCALENDAR'));
})();

function parse(text: string): ICAL.Component {
  return new ICAL.Component(ICAL.parse(text) as never);
}

beforeAll(async () => {
  await makeUser('exa');
  await makeUser('exmallory');
  for (const [name, ics] of [['apple.ics', appleWeeklyOverride], ['berlin.ics', googleDailyBerlin], ['lunch.ics', berlinLunch], ['plain.ics', eventIcs('plain')], ['todo.ics', todoIcs('todo')]]) {
    const res = await exa('PUT', CAL + name, { headers: PUT_HEADERS, body: ics });
    expect(res.status, name).toBe(201);
  }
  await exa('PROPPATCH', CAL, {
    headers: XML,
    body: '<d:propertyupdate xmlns:d="DAV:" xmlns:x1="http://apple.com/ns/ical/"><d:set><d:prop><d:displayname>Büro; Team</d:displayname>' +
      '<x1:calendar-color>#aa3300</x1:calendar-color></d:prop></d:set></d:propertyupdate>',
  });
});

describe('?export (SabreDAV ICSExportPlugin, as Nextcloud serves it)', () => {
  it('one text/calendar VCALENDAR with every object, VTIMEZONEs once per TZID, as an attachment named after the calendar', async () => {
    const res = await exa('GET', `${CAL}?export`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('text/calendar; charset=utf-8');
    const disposition = res.headers.get('Content-Disposition')!;
    expect(disposition).toMatch(/^attachment; filename\*=UTF-8''B%C3%BCro%3B%20Team-\d{4}-\d{2}-\d{2}\.ics; filename="B_ro; Team-\d{4}-\d{2}-\d{2}\.ics"$/);
    const text = await res.text();
    expect(text.match(/BEGIN:VCALENDAR/g)).toHaveLength(1);
    expect(text).toMatch(/\r\nEND:VCALENDAR\r\n$/);
    const root = parse(text);
    // X-WR-CALNAME is TEXT by convention (RFC 5545 §3.3.11 escaping); ical.js hands X- values over raw.
    expect(text).toContain('\r\nX-WR-CALNAME:Büro\\; Team\r\n');
    expect(root.getFirstPropertyValue('x-apple-calendar-color')).toBe('#aa3300');
    expect(root.getAllSubcomponents('vtimezone').map((z) => z.getFirstPropertyValue('tzid')).sort()).toEqual(['America/New_York', 'Europe/Berlin']);
    const uids = [...root.getAllSubcomponents('vevent'), ...root.getAllSubcomponents('vtodo')].map((c) => String(c.getFirstPropertyValue('uid')));
    expect(uids.sort()).toEqual(['0f9e8d7c6b5a@google.com', '0f9e8d7c6b5a@google.com', '7B2A4F1E-8C1D-4E6B-9A2F-3D4C5B6A7E8F',
      '7B2A4F1E-8C1D-4E6B-9A2F-3D4C5B6A7E8F', 'lunch@google.com', 'plain', 'todo']);
    // The alarm of the Apple event stays inside its event.
    expect(root.getAllSubcomponents('vevent').find((e) => e.hasProperty('rrule') && e.getFirstPropertyValue('uid') === '7B2A4F1E-8C1D-4E6B-9A2F-3D4C5B6A7E8F')
      ?.getAllSubcomponents('valarm')).toHaveLength(1);
  });

  it('the exported recurrences expand as the originals do (zones, EXDATE and the moved instance survive)', async () => {
    const root = parse(await (await exa('GET', `${CAL}?export`)).text());
    for (const z of root.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(z);
    const apple = root.getAllSubcomponents('vevent').filter((e) => e.getFirstPropertyValue('uid') === '7B2A4F1E-8C1D-4E6B-9A2F-3D4C5B6A7E8F');
    const master = new ICAL.Event(apple.find((e) => !e.hasProperty('recurrence-id'))!, { exceptions: apple.filter((e) => e.hasProperty('recurrence-id')) });
    const it = master.iterator();
    const starts: string[] = [];
    for (let next = it.next(); next && starts.length < 4; next = it.next()) {
      const details = master.getOccurrenceDetails(next);
      starts.push(details.startDate.toJSDate().toISOString());
    }
    // Weekly on Mondays 10:00 New York (15:00Z), 22 Jan excluded, 29 Jan moved to Wednesday 31 Jan 15:00 (20:00Z).
    expect(starts).toEqual(['2024-01-08T15:00:00.000Z', '2024-01-15T15:00:00.000Z', '2024-01-31T20:00:00.000Z', '2024-02-05T15:00:00.000Z']);
    ICAL.TimezoneService.reset();
  });

  it('HEAD gives the same headers without a body', async () => {
    const res = await exa('HEAD', `${CAL}?export`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('text/calendar; charset=utf-8');
    expect(res.headers.get('Content-Disposition')).toContain('attachment');
    expect(await res.text()).toBe('');
  });

  it('streams a calendar larger than one page of rows: all 230 objects present once', async () => {
    expect((await exa('MKCOL', `${HOME}big/`, {
      body: '<d:mkcol xmlns:d="DAV:" xmlns:cal="urn:ietf:params:xml:ns:caldav"><d:set><d:prop><d:resourcetype><d:collection/><cal:calendar/></d:resourcetype>' +
        '<d:displayname>Big</d:displayname></d:prop></d:set></d:mkcol>',
    })).status).toBe(201);
    for (let i = 0; i < 230; i += 10) {
      await Promise.all(Array.from({ length: 10 }, (_, k) => exa('PUT', `${HOME}big/e${i + k}.ics`, { headers: PUT_HEADERS, body: eventIcs(`e${i + k}`) })
        .then((r) => expect(r.status).toBe(201))));
    }
    const root = parse(await (await exa('GET', `${HOME}big/?export`)).text());
    const uids = root.getAllSubcomponents('vevent').map((e) => String(e.getFirstPropertyValue('uid')));
    expect(uids).toHaveLength(230);
    expect(new Set(uids)).toEqual(new Set(Array.from({ length: 230 }, (_, i) => `e${i}`)));
  });

  it('the public URL of a published calendar exports too, without credentials', async () => {
    expect((await exa('POST', CAL, { headers: XML, body: '<cs:publish-calendar xmlns:cs="http://calendarserver.org/ns/"/>' })).status).toBe(202);
    const props = await exa('PROPFIND', CAL, { headers: { Depth: '0' }, body: propfindBody('<cs:publish-url/>') });
    const url = /<d:href>([^<]*)<\/d:href>/.exec(okPart([...responsesOf(await props.text()).values()][0]))![1];
    const path = new URL(url).pathname;
    const pub = await davRequest(null, 'GET', `${path}?export`);
    expect(pub.status).toBe(200);
    expect(pub.headers.get('Content-Disposition')).toMatch(/^attachment; /);
    expect(await pub.text()).toBe(await (await exa('GET', `${CAL}?export`)).text());
  });

  it('who may export: unauthenticated → 401, another user → 403, unknown calendar → 404', async () => {
    expect((await davRequest(null, 'GET', `${CAL}?export`)).status).toBe(401);
    expect((await davRequest('exmallory', 'GET', `${CAL}?export`)).status).toBe(403);
    expect((await exa('GET', `${HOME}nothere/?export`)).status).toBe(404);
    expect((await davRequest(null, 'GET', '/remote.php/dav/public-calendars/abcdefgijkmnopqrstwxyzABCDEFGHJK?export')).status).toBe(404);
  });

  it('without ?export a calendar GET is unchanged, and ?export on an object is a plain GET of it', async () => {
    const res = await exa('GET', CAL);
    expect(res.headers.get('Content-Type')).toContain('text/html');
    expect(await (await exa('GET', `${CAL}plain.ics?export`)).text()).toBe(eventIcs('plain'));
  });
});

describe('componentsOf (the text-level merge)', () => {
  it('keeps folded lines and nested components, drops a VTIMEZONE whose TZID was seen (also when the TZID line is folded)', () => {
    const seen = new Set<string>();
    const a = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'BEGIN:VTIMEZONE', 'TZID:Europe/Be', ' rlin', 'BEGIN:STANDARD', 'DTSTART:19701025T030000', 'TZOFFSETFROM:+0200',
      'TZOFFSETTO:+0100', 'END:STANDARD', 'END:VTIMEZONE', 'BEGIN:VEVENT', 'UID:a', 'SUMMARY:A very long', ' folded summary', 'BEGIN:VALARM', 'ACTION:DISPLAY',
      'TRIGGER:-PT5M', 'END:VALARM', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
    const first = componentsOf(a, seen);
    expect(first.startsWith('BEGIN:VTIMEZONE\r\nTZID:Europe/Be\r\n rlin\r\n')).toBe(true);
    expect(first).toContain('SUMMARY:A very long\r\n folded summary\r\nBEGIN:VALARM');
    expect([...seen]).toEqual(['Europe/Berlin']);
    const b = a.replace('TZID:Europe/Be\r\n rlin', 'TZID:Europe/Berlin').replace('UID:a', 'UID:b').replace(/\r\n/g, '\n');
    const second = componentsOf(b, seen);
    expect(second).not.toContain('VTIMEZONE');
    expect(second).toMatch(/^BEGIN:VEVENT\r\nUID:b\r\n/);
    expect(second).toMatch(/END:VEVENT\r\n$/);
  });
});
