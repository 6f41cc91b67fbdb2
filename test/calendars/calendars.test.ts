import { beforeAll, describe, expect, it } from 'vitest';
import { env } from 'cloudflare:test';
import { makeUser } from '../helpers';
import { davRequest, hrefsIn, okPart, propfindBody, responsesOf } from './dav-helpers';
import { eventIcs, MKCOL_CALENDAR } from './fixtures';

const HOME = '/remote.php/dav/calendars/cora/';
const PUT_HEADERS = { 'Content-Type': 'text/calendar; charset=utf-8' };
const cora = (method: string, path: string, init: { headers?: Record<string, string>; body?: string | null } = {}) => davRequest('cora', method, path, init);

beforeAll(async () => {
  await makeUser('cora');
  await makeUser('mallory');
});

describe('calendar home (RFC 4791 §4.2, §5.2)', () => {
  it('DAVx5 step 5: Depth 1 on the home lists the default Personal calendar with its properties', async () => {
    const res = await cora('PROPFIND', HOME, {
      headers: { Depth: '1' },
      body: propfindBody('<d:resourcetype/><d:displayname/><x1:calendar-color/><cal:supported-calendar-component-set/><d:current-user-privilege-set/><d:owner/>'),
    });
    expect(res.status).toBe(207);
    const all = responsesOf(await res.text());
    // The calendars in the home (the trash bin and scheduling boxes are listed too, with other types).
    expect([...all].filter(([, b]) => b.includes('<cal:calendar/>')).map(([h]) => h)).toEqual([`${HOME}personal/`]);
    const personal = okPart(all.get(`${HOME}personal/`));
    expect(personal).toContain('<d:resourcetype><d:collection/><cal:calendar/></d:resourcetype>');
    expect(personal).toContain('<d:displayname>Personal</d:displayname>');
    expect(personal).toContain('<cal:comp name="VEVENT"/>');
    expect(personal).toContain('<d:privilege><d:write-content/></d:privilege>');
    expect(hrefsIn(all.get(`${HOME}personal/`), 'd:owner')).toEqual(['/remote.php/dav/principals/users/cora/']);
    // Only one default, however often the home is listed.
    const { results } = await env.DB.prepare("SELECT uri FROM calendars WHERE owner = 'cora'").all();
    expect(results).toEqual([{ uri: 'personal' }]);
  });

  it('DAVx5 §5.4: Depth 0 on a calendar gives getctag, sync-token, supported-report-set with sync-collection, max-resource-size', async () => {
    const res = await cora('PROPFIND', `${HOME}personal/`, {
      headers: { Depth: '0' },
      body: propfindBody('<cs:getctag/><d:sync-token/><d:supported-report-set/><cal:max-resource-size/><cal:supported-calendar-data/>'),
    });
    const ok = okPart([...responsesOf(await res.text()).values()][0]);
    expect(ok).toMatch(/<cs:getctag>urn:cumulus:sync:\d+:\d+<\/cs:getctag>/);
    expect(ok).toMatch(/<d:sync-token>urn:cumulus:sync:\d+:\d+<\/d:sync-token>/);
    for (const report of ['<d:sync-collection/>', '<cal:calendar-multiget/>', '<cal:calendar-query/>', '<cal:free-busy-query/>']) {
      expect(ok).toContain(`<d:report>${report}</d:report>`);
    }
    expect(ok).toContain('<cal:max-resource-size>1048576</cal:max-resource-size>');
  });

  it('RFC 5689 §3: extended MKCOL creates a calendar with its properties', async () => {
    const res = await cora('MKCOL', `${HOME}work/`, { body: MKCOL_CALENDAR('Work') });
    expect(res.status).toBe(201);
    const props = await cora('PROPFIND', `${HOME}work/`, {
      headers: { Depth: '0' }, body: propfindBody('<d:resourcetype/><d:displayname/><x1:calendar-color/><cal:supported-calendar-component-set/>'),
    });
    const ok = okPart([...responsesOf(await props.text()).values()][0]);
    expect(ok).toContain('<d:displayname>Work</d:displayname>');
    expect(ok).toContain('<x1:calendar-color>#ff0000ff</x1:calendar-color>');
    expect(ok).toContain('<cal:comp name="VEVENT"/><cal:comp name="VTODO"/>');
    expect(ok).not.toContain('VJOURNAL');
    // RFC 4918 §9.3.1: the name is taken now.
    expect((await cora('MKCOL', `${HOME}work/`, { body: MKCOL_CALENDAR('Again') })).status).toBe(405);
  });

  it('RFC 5689 §3: an unsettable property fails the whole MKCOL (403/424 mkcol-response), nothing is created', async () => {
    const body = MKCOL_CALENDAR('Odd').replace('</d:prop>', '<x:unknown xmlns:x="urn:x">1</x:unknown></d:prop>');
    const res = await cora('MKCOL', `${HOME}odd/`, { body });
    expect(res.status).toBe(403);
    const xml = await res.text();
    expect(xml).toContain('mkcol-response');
    expect(xml).toMatch(/unknown.*HTTP\/1.1 403/s);
    expect(xml).toMatch(/displayname.*HTTP\/1.1 424/s);
    expect((await cora('PROPFIND', `${HOME}odd/`, { headers: { Depth: '0' } })).status).toBe(404);
  });

  it('RFC 5689 §3: a resource type other than calendar → 403 valid-resourcetype; plain MKCOL → 403', async () => {
    const body = '<d:mkcol xmlns:d="DAV:"><d:set><d:prop><d:resourcetype><d:collection/></d:resourcetype></d:prop></d:set></d:mkcol>';
    const res = await cora('MKCOL', `${HOME}plain/`, { body });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<d:valid-resourcetype/>');
    expect((await cora('MKCOL', `${HOME}plain/`)).status).toBe(403);
    expect((await cora('MKCOL', `${HOME}work/sub/`, { body: MKCOL_CALENDAR('Nested') })).status).toBe(403);
    expect((await cora('MKCOL', `${HOME}bad/`, { body: '<d:mkcol xmlns:d="DAV:"><d:set>' })).status).toBe(400);
    expect((await cora('MKCOL', `${HOME}bad/`, { body: '<d:propfind xmlns:d="DAV:"/>' })).status).toBe(415);
  });

  it('RFC 4791 §5.3.1: MKCALENDAR creates a calendar through the same path (when the platform lets it through)', async () => {
    const body = '<?xml version="1.0"?><cal:mkcalendar xmlns:d="DAV:" xmlns:cal="urn:ietf:params:xml:ns:caldav"><d:set><d:prop>' +
      '<d:displayname>Tasks</d:displayname><cal:supported-calendar-component-set><cal:comp name="VTODO"/></cal:supported-calendar-component-set>' +
      '</d:prop></d:set></cal:mkcalendar>';
    let res: Response;
    try {
      res = await cora('MKCALENDAR', `${HOME}tasks/`, { body });
    } catch {
      return; // the runtime refused the method before the Worker (cloudflare/workerd#6877): nothing to test here
    }
    if (res.status === 501) return;
    expect(res.status).toBe(201);
    const props = await cora('PROPFIND', `${HOME}tasks/`, { headers: { Depth: '0' }, body: propfindBody('<cal:supported-calendar-component-set/>') });
    expect(okPart([...responsesOf(await props.text()).values()][0])).toContain('<cal:comp name="VTODO"/>');
  });

  it('RFC 4918 §9.2: PROPPATCH of writable calendar properties is all or nothing', async () => {
    const patch = (props: string) => cora('PROPPATCH', `${HOME}work/`, {
      body: '<d:propertyupdate xmlns:d="DAV:" xmlns:cal="urn:ietf:params:xml:ns:caldav" xmlns:x1="http://apple.com/ns/ical/">' +
        `<d:set><d:prop>${props}</d:prop></d:set></d:propertyupdate>`,
    });
    const ok = await patch('<d:displayname>Job</d:displayname><x1:calendar-order>3</x1:calendar-order><cal:calendar-description>Desk</cal:calendar-description>');
    expect(ok.status).toBe(207);
    expect(await ok.text()).not.toContain('HTTP/1.1 4');
    // A bad color refuses the request; the display name set alongside stays unchanged.
    const bad = await patch('<d:displayname>Nope</d:displayname><x1:calendar-color>red</x1:calendar-color>');
    expect(bad.status).toBe(400);
    const prot = await patch('<cal:supported-calendar-component-set><cal:comp name="VJOURNAL"/></cal:supported-calendar-component-set>');
    expect(await prot.text()).toContain('HTTP/1.1 403');
    const props = await cora('PROPFIND', `${HOME}work/`, {
      headers: { Depth: '0' }, body: propfindBody('<d:displayname/><x1:calendar-order/><cal:calendar-description/>'),
    });
    const got = okPart([...responsesOf(await props.text()).values()][0]);
    expect(got).toContain('<d:displayname>Job</d:displayname>');
    expect(got).toContain('<x1:calendar-order>3</x1:calendar-order>');
    expect(got).toContain('<cal:calendar-description>Desk</cal:calendar-description>');
  });

  it('RFC 4918 §9.6: DELETE of a calendar removes it with its objects (into the trash bin: trash.test.ts)', async () => {
    expect((await cora('MKCOL', `${HOME}gone/`, { body: MKCOL_CALENDAR('Gone') })).status).toBe(201);
    expect((await cora('PUT', `${HOME}gone/a.ics`, { headers: PUT_HEADERS, body: eventIcs('gone-a') })).status).toBe(201);
    expect((await cora('DELETE', `${HOME}gone/`)).status).toBe(204);
    expect((await cora('GET', `${HOME}gone/a.ics`)).status).toBe(404);
    const { results } = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM calendar_objects o JOIN calendars c ON c.id = o.calendar_id WHERE o.uid = 'gone-a' AND c.deleted_at IS NULL").all<{ n: number }>();
    expect(results[0].n).toBe(0);
  });
});

describe('who may do this', () => {
  it('another user → 403 on every method; unauthenticated → 401', async () => {
    for (const method of ['PROPFIND', 'GET', 'PUT', 'DELETE', 'MKCOL', 'REPORT', 'PROPPATCH']) {
      const res = await davRequest('mallory', method, `${HOME}personal/`, { body: method === 'GET' || method === 'DELETE' ? null : '<x/>' });
      expect(res.status, method).toBe(403);
    }
    const anon = await davRequest(null, 'PROPFIND', HOME);
    expect(anon.status).toBe(401);
    expect(anon.headers.get('WWW-Authenticate')).toContain('Basic');
    const { results } = await env.DB.prepare("SELECT COUNT(*) AS n FROM calendars WHERE owner = 'cora'").all<{ n: number }>();
    expect(results[0].n).toBeGreaterThan(0);
  });
});
