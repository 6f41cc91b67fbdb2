import { beforeAll, describe, expect, it } from 'vitest';
import { makeUser } from '../helpers';
import { davRequest, okPart, responsesOf } from './dav-helpers';
import { eventIcs, todoIcs, weeklyIcs } from './fixtures';

const CAL = '/remote.php/dav/calendars/rita/personal/';
const TYPE = { 'Content-Type': 'text/calendar; charset=utf-8' };
const NS = 'xmlns:d="DAV:" xmlns:cal="urn:ietf:params:xml:ns:caldav"';
const report = (body: string, depth = '1', path = CAL) => davRequest('rita', 'REPORT', path, { headers: { Depth: depth, 'Content-Type': 'application/xml' }, body });
const put = (name: string, ics: string) => davRequest('rita', 'PUT', CAL + name, { headers: TYPE, body: ics });

function syncBody(token: string, limit = ''): string {
  return `<d:sync-collection ${NS}><d:sync-token>${token}</d:sync-token><d:sync-level>1</d:sync-level>${limit}<d:prop><d:getetag/></d:prop></d:sync-collection>`;
}

async function sync(token: string, limit = '') {
  const res = await report(syncBody(token, limit), '0');
  const xml = await res.text();
  return { status: res.status, xml, token: /<d:sync-token>([^<]*)<\/d:sync-token>\s*<\/d:multistatus>/.exec(xml)?.[1] ?? '', responses: responsesOf(xml) };
}

beforeAll(async () => {
  await makeUser('rita');
  await makeUser('sam');
  expect((await put('jan5.ics', eventIcs('jan5'))).status).toBe(201);
  expect((await put('feb1.ics', eventIcs('feb1', '20260201T100000Z', '20260201T110000Z'))).status).toBe(201);
  expect((await put('weekly.ics', weeklyIcs('weekly'))).status).toBe(201);
  expect((await put('todo.ics', todoIcs('todo'))).status).toBe(201);
});

describe('calendar-multiget (RFC 4791 §7.9)', () => {
  it('returns getetag and calendar-data per href; unknown hrefs → 404', async () => {
    const res = await report(`<cal:calendar-multiget ${NS}><d:prop><d:getetag/><cal:calendar-data/></d:prop>` +
      `<d:href>${CAL}jan5.ics</d:href><d:href>${CAL}missing.ics</d:href><d:href>/remote.php/dav/calendars/sam/personal/x.ics</d:href></cal:calendar-multiget>`);
    expect(res.status).toBe(207);
    const all = responsesOf(await res.text());
    expect(okPart(all.get(`${CAL}jan5.ics`))).toMatch(/<d:getetag>&quot;[0-9a-f]{32}&quot;<\/d:getetag>/);
    expect(okPart(all.get(`${CAL}jan5.ics`))).toContain('UID:jan5');
    expect(all.get(`${CAL}missing.ics`)).toContain('HTTP/1.1 404');
    expect(all.get('/remote.php/dav/calendars/sam/personal/x.ics')).toContain('HTTP/1.1 404');
  });
});

describe('calendar-query (RFC 4791 §7.8, §9.7)', () => {
  const query = (filter: string, prop = '<d:getetag/>') => `<cal:calendar-query ${NS}><d:prop>${prop}</d:prop><cal:filter>${filter}</cal:filter></cal:calendar-query>`;
  const events = (tr: string) => query(`<cal:comp-filter name="VCALENDAR"><cal:comp-filter name="VEVENT">${tr}</cal:comp-filter></cal:comp-filter>`);

  it('§9.9: a time-range finds the events overlapping it, recurring ones by their instances', async () => {
    const res = await report(events('<cal:time-range start="20260104T000000Z" end="20260106T000000Z"/>'));
    expect(res.status).toBe(207);
    expect([...responsesOf(await res.text()).keys()].sort()).toEqual([`${CAL}jan5.ics`, `${CAL}weekly.ics`]);
    const feb = await report(events('<cal:time-range start="20260201T000000Z" end="20260203T000000Z"/>'));
    expect([...responsesOf(await feb.text()).keys()].sort()).toEqual([`${CAL}feb1.ics`, `${CAL}weekly.ics`]);
    const later = await report(events('<cal:time-range start="20270101T000000Z"/>'));
    expect(responsesOf(await later.text()).size).toBe(0);
  });

  it('§9.7.1: a component filter without a time-range selects by component', async () => {
    const todos = await report(query('<cal:comp-filter name="VCALENDAR"><cal:comp-filter name="VTODO"/></cal:comp-filter>'));
    expect([...responsesOf(await todos.text()).keys()]).toEqual([`${CAL}todo.ics`]);
    const all = await report(query('<cal:comp-filter name="VCALENDAR"/>'));
    expect(responsesOf(await all.text()).size).toBe(4);
  });

  it('Depth 0 on the calendar matches no members', async () => {
    const res = await report(query('<cal:comp-filter name="VCALENDAR"/>'), '0');
    expect(responsesOf(await res.text()).size).toBe(0);
  });

  it('§9.6.5: calendar-data with expand returns the instances in the range without RRULE', async () => {
    const res = await report(query(
      '<cal:comp-filter name="VCALENDAR"><cal:comp-filter name="VEVENT"><cal:time-range start="20260111T000000Z" end="20260120T000000Z"/></cal:comp-filter></cal:comp-filter>',
      '<d:getetag/><cal:calendar-data><cal:expand start="20260111T000000Z" end="20260120T000000Z"/></cal:calendar-data>'));
    const block = responsesOf(await res.text()).get(`${CAL}weekly.ics`);
    expect(okPart(block)).toContain('RECURRENCE-ID');
    expect(okPart(block)).not.toContain('RRULE');
  });

  it('bad filters: not VCALENDAR → 403 valid-filter; bad date → 400; unknown collation → 403 supported-collation', async () => {
    const top = await report(query('<cal:comp-filter name="VEVENT"/>'));
    expect(top.status).toBe(403);
    expect(await top.text()).toContain('valid-filter');
    expect((await report(events('<cal:time-range start="yesterday"/>'))).status).toBe(400);
    const coll = await report(query('<cal:comp-filter name="VCALENDAR"><cal:comp-filter name="VEVENT"><cal:prop-filter name="SUMMARY">' +
      '<cal:text-match collation="i;klingon">x</cal:text-match></cal:prop-filter></cal:comp-filter></cal:comp-filter>'));
    expect(coll.status).toBe(403);
    expect(await coll.text()).toContain('supported-collation');
  });
});

describe('free-busy-query (RFC 4791 §7.10)', () => {
  it('returns a VFREEBUSY with the busy time in the range', async () => {
    const res = await report(`<cal:free-busy-query ${NS}><cal:time-range start="20260105T000000Z" end="20260106T000000Z"/></cal:free-busy-query>`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toContain('text/calendar');
    const text = await res.text();
    expect(text).toContain('BEGIN:VFREEBUSY');
    expect(text).toContain('FREEBUSY');
    expect(text).toContain('20260105T100000Z');
  });
});

describe('sync-collection (RFC 6578)', () => {
  it('§3.8: the initial sync lists every member and a token; a sync with that token lists nothing', async () => {
    const first = await sync('');
    expect(first.status).toBe(207);
    expect(first.responses.size).toBe(4);
    expect(first.token).toMatch(/^urn:cumulus:sync:/);
    const again = await sync(first.token);
    expect(again.responses.size).toBe(0);
    expect(again.token).toBe(first.token);
  });

  it('§3.5: changes and deletions since a token; deletions are 404 responses', async () => {
    const { token } = await sync('');
    expect((await put('new.ics', eventIcs('new'))).status).toBe(201);
    expect((await davRequest('rita', 'DELETE', `${CAL}feb1.ics`)).status).toBe(204);
    const next = await sync(token);
    expect([...next.responses.keys()].sort()).toEqual([`${CAL}feb1.ics`, `${CAL}new.ics`]);
    expect(next.responses.get(`${CAL}feb1.ics`)).toContain('HTTP/1.1 404');
    expect(okPart(next.responses.get(`${CAL}new.ics`))).toContain('<d:getetag>');
    expect(next.token).not.toBe(token);
    // The ctag moved with the change.
    expect((await sync(next.token)).responses.size).toBe(0);
  });

  it('§3.6: a limit truncates with a 507 on the collection; the returned token continues', async () => {
    const { token } = await sync('');
    for (const n of [1, 2, 3]) expect((await put(`lim${n}.ics`, eventIcs(`lim${n}`))).status).toBe(201);
    const page = await sync(token, '<d:limit><d:nresults>2</d:nresults></d:limit>');
    expect(page.responses.get(CAL)).toContain('HTTP/1.1 507');
    expect([...page.responses.keys()].filter((h) => h !== CAL).sort()).toEqual([`${CAL}lim1.ics`, `${CAL}lim2.ics`]);
    const rest = await sync(page.token);
    expect([...rest.responses.keys()]).toEqual([`${CAL}lim3.ics`]);
  });

  it('§3.2: an unknown or foreign token → 403 valid-sync-token; Depth infinity → 400, Depth 1 read as 0 (python-caldav sends it)', async () => {
    for (const bad of ['http://example.com/sync/1', 'urn:cumulus:sync:999999:1', 'urn:cumulus:sync:1:99999999']) {
      const res = await sync(bad);
      expect(res.status, bad).toBe(403);
      expect(res.xml).toContain('<d:valid-sync-token/>');
    }
    expect((await report(syncBody(''), 'infinity')).status).toBe(400);
    const lenient = await report(syncBody(''), '1');
    expect(lenient.status).toBe(207);
    expect(await lenient.text()).toContain('<d:sync-token>');
  });

  it('who may do this: another user cannot sync or query this calendar', async () => {
    const res = await davRequest('sam', 'REPORT', CAL, { headers: { Depth: '0' }, body: syncBody('') });
    expect(res.status).toBe(403);
  });
});
