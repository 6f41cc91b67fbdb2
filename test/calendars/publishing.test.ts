import { beforeAll, describe, expect, it } from 'vitest';
import { env } from 'cloudflare:test';
import { makeUser } from '../helpers';
import { davRequest, okPart, propfindBody, responsesOf } from './dav-helpers';
import { eventIcs, weeklyIcs } from './fixtures';

const CAL = '/remote.php/dav/calendars/pia/personal/';
const PUT_HEADERS = { 'Content-Type': 'text/calendar; charset=utf-8' };
const XML = { 'Content-Type': 'application/xml; charset=utf-8' };
const PUBLISH = '<?xml version="1.0" encoding="utf-8"?><cs:publish-calendar xmlns:cs="http://calendarserver.org/ns/"/>';
const UNPUBLISH = '<?xml version="1.0" encoding="utf-8"?><x:unpublish-calendar xmlns:x="http://calendarserver.org/ns/"/>';
const PUBLIC_PREFIX = 'http://localhost/remote.php/dav/public-calendars/';
const NS = 'xmlns:d="DAV:" xmlns:cal="urn:ietf:params:xml:ns:caldav"';

const pia = (method: string, path: string, init: { headers?: Record<string, string>; body?: string | null } = {}) => davRequest('pia', method, path, init);
const anon = (method: string, path: string, init: { headers?: Record<string, string>; body?: string | null } = {}) => davRequest(null, method, path, init);

/** The calendar's cs:publish-url (absolute URL) or null when the property is 404. */
async function publishUrlOf(path = CAL): Promise<string | null> {
  const res = await pia('PROPFIND', path, { headers: { Depth: '0' }, body: propfindBody('<cs:publish-url/>') });
  expect(res.status).toBe(207);
  const m = /<cs:publish-url><d:href>([^<]*)<\/d:href><\/cs:publish-url>/.exec(okPart([...responsesOf(await res.text()).values()][0]));
  return m ? m[1] : null;
}

beforeAll(async () => {
  await makeUser('pia');
  await makeUser('pubmallory');
  expect((await pia('PUT', `${CAL}one.ics`, { headers: PUT_HEADERS, body: eventIcs('one') })).status).toBe(201);
  expect((await pia('PUT', `${CAL}weekly.ics`, { headers: PUT_HEADERS, body: weeklyIcs('weekly') })).status).toBe(201);
  expect((await pia('PROPPATCH', CAL, {
    headers: XML,
    body: '<d:propertyupdate xmlns:d="DAV:" xmlns:x1="http://apple.com/ns/ical/"><d:set><d:prop><d:displayname>Team events</d:displayname>' +
      '<x1:calendar-color>#1e7b34</x1:calendar-color></d:prop></d:set></d:propertyupdate>',
  })).status).toBe(207);
});

describe('publishing (calendarserver publish-calendar, as Nextcloud PublishPlugin)', () => {
  it('before publishing: allowed-sharing-modes says can-be-shared and can-be-published, publish-url is 404', async () => {
    const res = await pia('PROPFIND', CAL, { headers: { Depth: '0' }, body: propfindBody('<cs:allowed-sharing-modes/><cs:publish-url/>') });
    const block = [...responsesOf(await res.text()).values()][0];
    expect(okPart(block)).toContain('<cs:allowed-sharing-modes><cs:can-be-shared/><cs:can-be-published/></cs:allowed-sharing-modes>');
    expect(block).toMatch(/<cs:publish-url\/>.*HTTP\/1.1 404/s);
    expect(await publishUrlOf()).toBeNull();
  });

  it('POST cs:publish-calendar → 202 and X-Sabre-Status; publish-url names a ≥128-bit token; publishing again keeps it', async () => {
    const res = await pia('POST', CAL, { headers: XML, body: PUBLISH });
    expect(res.status).toBe(202);
    expect(res.headers.get('X-Sabre-Status')).toBe('everything-went-well');
    const url = await publishUrlOf();
    expect(url).toMatch(/^http:\/\/localhost\/remote\.php\/dav\/public-calendars\/[a-zA-Z2-9]{32}$/);
    const token = url!.slice(PUBLIC_PREFIX.length);
    const row = await env.DB.prepare("SELECT publish_token FROM calendars WHERE owner = 'pia' AND uri = 'personal'").first<{ publish_token: string }>();
    expect(row?.publish_token).toBe(token);
    expect((await pia('POST', CAL, { headers: XML, body: PUBLISH })).status).toBe(202);
    expect(await publishUrlOf()).toBe(url);
  });

  it('anonymous PROPFIND on the public URL: the calendar with displayname, colour, read-only privileges, its objects', async () => {
    const token = (await publishUrlOf())!.slice(PUBLIC_PREFIX.length);
    const base = `/remote.php/dav/public-calendars/${token}/`;
    const res = await anon('PROPFIND', base, {
      headers: { Depth: '1' },
      body: propfindBody('<d:resourcetype/><d:displayname/><x1:calendar-color/><d:current-user-privilege-set/><d:getetag/><cs:getctag/>'),
    });
    expect(res.status).toBe(207);
    const all = responsesOf(await res.text());
    expect([...all.keys()].sort()).toEqual([base, `${base}one.ics`, `${base}weekly.ics`]);
    const cal = okPart(all.get(base));
    expect(cal).toContain('<d:resourcetype><d:collection/><cal:calendar/></d:resourcetype>');
    expect(cal).toContain('<d:displayname>Team events</d:displayname>');
    expect(cal).toContain('<x1:calendar-color>#1e7b34</x1:calendar-color>');
    expect(cal).toContain('<d:privilege><d:read/></d:privilege>');
    expect(cal).not.toContain('<d:write');
    expect(okPart(all.get(`${base}one.ics`))).toMatch(/<d:getetag>&quot;[0-9a-f]{32}&quot;<\/d:getetag>/);
  });

  it('anonymous GET of an object and REPORTs (calendar-query with expand, multiget) on the public URL', async () => {
    const token = (await publishUrlOf())!.slice(PUBLIC_PREFIX.length);
    const base = `/remote.php/dav/public-calendars/${token}/`;
    const get = await anon('GET', `${base}one.ics`);
    expect(get.status).toBe(200);
    expect(await get.text()).toBe(eventIcs('one'));

    const query = await anon('REPORT', base, {
      headers: { Depth: '1', ...XML },
      body: `<cal:calendar-query ${NS}><d:prop><d:getetag/><cal:calendar-data><cal:expand start="20260112T000000Z" end="20260126T000000Z"/></cal:calendar-data></d:prop>` +
        '<cal:filter><cal:comp-filter name="VCALENDAR"><cal:comp-filter name="VEVENT"><cal:time-range start="20260112T000000Z" end="20260126T000000Z"/>' +
        '</cal:comp-filter></cal:comp-filter></cal:filter></cal:calendar-query>',
    });
    expect(query.status).toBe(207);
    const found = responsesOf(await query.text());
    expect([...found.keys()]).toEqual([`${base}weekly.ics`]);
    const data = okPart(found.get(`${base}weekly.ics`));
    expect(data.match(/BEGIN:VEVENT/g)).toHaveLength(2);
    expect(data).toContain('RECURRENCE-ID:20260112T090000Z');
    expect(data).toContain('RECURRENCE-ID:20260119T090000Z');

    const multi = await anon('REPORT', base, {
      headers: { Depth: '1', ...XML },
      body: `<cal:calendar-multiget ${NS}><d:prop><cal:calendar-data/></d:prop><d:href>${base}one.ics</d:href><d:href>${CAL}weekly.ics</d:href></cal:calendar-multiget>`,
    });
    const got = responsesOf(await multi.text());
    expect(okPart(got.get(`${base}one.ics`))).toContain('UID:one');
    // An href into the owner's home is not inside the public mount.
    expect(got.get(`${CAL}weekly.ics`)).toContain('HTTP/1.1 404');
  });

  it('every write on the public URL → 403 and changes nothing, with or without credentials', async () => {
    const token = (await publishUrlOf())!.slice(PUBLIC_PREFIX.length);
    const base = `/remote.php/dav/public-calendars/${token}/`;
    const attempts: [string, string, Record<string, string>, string | null][] = [
      ['PUT', `${base}new.ics`, PUT_HEADERS, eventIcs('new')],
      ['PUT', `${base}one.ics`, PUT_HEADERS, eventIcs('one', '20260301T100000Z', '20260301T110000Z')],
      ['DELETE', `${base}one.ics`, {}, null],
      ['DELETE', base, {}, null],
      ['PROPPATCH', base, XML, '<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><d:displayname>Owned</d:displayname></d:prop></d:set></d:propertyupdate>'],
      ['MKCOL', `${base}sub/`, {}, null],
      ['MOVE', `${base}one.ics`, { Destination: `${base}two.ics` }, null],
      ['COPY', `${base}one.ics`, { Destination: `${base}two.ics` }, null],
      ['LOCK', `${base}one.ics`, XML, null],
      ['POST', base, XML, UNPUBLISH],
    ];
    for (const [method, path, headers, body] of attempts) {
      expect((await anon(method, path, { headers, body })).status, `${method} ${path}`).toBe(403);
    }
    // The owner's credentials do not turn the public URL into a writable one either.
    expect((await pia('PUT', `${base}new.ics`, { headers: PUT_HEADERS, body: eventIcs('new') })).status).toBe(403);
    const list = await pia('PROPFIND', CAL, { headers: { Depth: '1' }, body: propfindBody('<d:displayname/>') });
    const all = responsesOf(await list.text());
    expect([...all.keys()].sort()).toEqual([CAL, `${CAL}one.ics`, `${CAL}weekly.ics`]);
    expect(okPart(all.get(CAL))).toContain('<d:displayname>Team events</d:displayname>');
    expect(await (await pia('GET', `${CAL}one.ics`)).text()).toBe(eventIcs('one'));
    expect(await publishUrlOf()).not.toBeNull();
  });

  it('an unknown token → 404, whether well-formed, malformed, or sharing the real token\'s first characters', async () => {
    const token = (await publishUrlOf())!.slice(PUBLIC_PREFIX.length);
    const sameSelector = token.slice(0, 8) + (token[8] === 'a' ? 'b' : 'a') + token.slice(9);
    for (const t of ['abcdefgijkmnopqrstwxyzABCDEFGHJK', 'nope', sameSelector, token.slice(0, 31), `${token}a`]) {
      expect((await anon('PROPFIND', `/remote.php/dav/public-calendars/${t}/`, { headers: { Depth: '0' } })).status, t).toBe(404);
      expect((await anon('GET', `/remote.php/dav/public-calendars/${t}/one.ics`)).status, t).toBe(404);
    }
  });

  it('POST cs:unpublish-calendar → 200: publish-url is gone and the old link dies at once; publishing again makes a new token', async () => {
    const old = (await publishUrlOf())!.slice(PUBLIC_PREFIX.length);
    expect((await anon('GET', `/remote.php/dav/public-calendars/${old}/one.ics`)).status).toBe(200);
    const res = await pia('POST', CAL, { headers: XML, body: UNPUBLISH });
    expect(res.status).toBe(200);
    expect(res.headers.get('X-Sabre-Status')).toBe('everything-went-well');
    expect(await publishUrlOf()).toBeNull();
    expect((await anon('GET', `/remote.php/dav/public-calendars/${old}/one.ics`)).status).toBe(404);
    expect((await anon('PROPFIND', `/remote.php/dav/public-calendars/${old}/`, { headers: { Depth: '0' } })).status).toBe(404);
    // Unpublishing twice is harmless.
    expect((await pia('POST', CAL, { headers: XML, body: UNPUBLISH })).status).toBe(200);
    expect((await pia('POST', CAL, { headers: XML, body: PUBLISH })).status).toBe(202);
    const fresh = (await publishUrlOf())!.slice(PUBLIC_PREFIX.length);
    expect(fresh).not.toBe(old);
    expect((await anon('GET', `/remote.php/dav/public-calendars/${fresh}/one.ics`)).status).toBe(200);
    expect((await anon('GET', `/remote.php/dav/public-calendars/${old}/one.ics`)).status).toBe(404);
  });

  it('who may publish: unauthenticated → 401, another user → 403, nothing changes', async () => {
    const before = await publishUrlOf();
    expect((await anon('POST', CAL, { headers: XML, body: UNPUBLISH })).status).toBe(401);
    expect((await davRequest('pubmallory', 'POST', CAL, { headers: XML, body: UNPUBLISH })).status).toBe(403);
    expect((await davRequest('pubmallory', 'POST', CAL, { headers: XML, body: PUBLISH })).status).toBe(403);
    expect(await publishUrlOf()).toBe(before);
  });

  it('bad POSTs: on the home or an object → 403, an unknown body → 400, no body → 400, a form → 415, missing calendar → 404', async () => {
    expect((await pia('POST', '/remote.php/dav/calendars/pia/', { headers: XML, body: PUBLISH })).status).toBe(403);
    expect((await pia('POST', `${CAL}one.ics`, { headers: XML, body: PUBLISH })).status).toBe(403);
    expect((await pia('POST', CAL, { headers: XML, body: '<x:other xmlns:x="urn:x"/>' })).status).toBe(400);
    expect((await pia('POST', CAL, { headers: XML, body: '' })).status).toBe(400);
    expect((await pia('POST', CAL, { headers: XML, body: '<cs:publish-calendar' })).status).toBe(400);
    expect((await pia('POST', CAL, { headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'a=b' })).status).toBe(415);
    expect((await pia('POST', '/remote.php/dav/calendars/pia/nothere/', { headers: XML, body: PUBLISH })).status).toBe(404);
  });

  it('regression: POST on a backend without a POST hook (files) is still 405', async () => {
    const res = await pia('POST', '/remote.php/dav/files/pia/', { headers: XML, body: PUBLISH });
    expect(res.status).toBe(405);
  });
});
