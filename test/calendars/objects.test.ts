import { beforeAll, describe, expect, it } from 'vitest';
import { env } from 'cloudflare:test';
import { makeUser } from '../helpers';
import { davRequest } from './dav-helpers';
import { eventIcs, MKCOL_CALENDAR, todoIcs } from './fixtures';

const CAL = '/remote.php/dav/calendars/olga/personal/';
const TYPE = { 'Content-Type': 'text/calendar; charset=utf-8' };
const olga = (method: string, path: string, init: { headers?: Record<string, string>; body?: string | null } = {}) => davRequest('olga', method, CAL + path, init);

async function rowCount(): Promise<number> {
  const { results } = await env.DB.prepare(
    "SELECT COUNT(*) AS n FROM calendar_objects o JOIN calendars c ON c.id = o.calendar_id WHERE c.owner = 'olga'").all<{ n: number }>();
  return results[0].n;
}

beforeAll(async () => {
  await makeUser('olga');
});

describe('calendar object resources (RFC 4791 §5.3.2, RFC 9110 §13)', () => {
  it('PUT with If-None-Match: * creates (201 + ETag); GET returns it as text/calendar with the same ETag', async () => {
    const ics = eventIcs('obj-1');
    const put = await olga('PUT', 'obj-1.ics', { headers: { ...TYPE, 'If-None-Match': '*' }, body: ics });
    expect(put.status).toBe(201);
    const etag = put.headers.get('ETag');
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const get = await olga('GET', 'obj-1.ics');
    expect(get.status).toBe(200);
    expect(get.headers.get('Content-Type')).toContain('text/calendar');
    expect(get.headers.get('ETag')).toBe(etag);
    expect(await get.text()).toBe(ics);
  });

  it('RFC 9110 §13.1.2: If-None-Match: * on an existing object → 412, unchanged', async () => {
    const res = await olga('PUT', 'obj-1.ics', { headers: { ...TYPE, 'If-None-Match': '*' }, body: eventIcs('obj-1', '20260106T100000Z', '20260106T110000Z') });
    expect(res.status).toBe(412);
    expect(await (await olga('GET', 'obj-1.ics')).text()).toContain('20260105T100000Z');
  });

  it('RFC 9110 §13.1.1: If-Match with the current ETag updates (204); a stale one → 412', async () => {
    const etag = (await olga('GET', 'obj-1.ics')).headers.get('ETag')!;
    const upd = await olga('PUT', 'obj-1.ics', { headers: { ...TYPE, 'If-Match': etag }, body: eventIcs('obj-1', '20260107T100000Z', '20260107T110000Z') });
    expect(upd.status).toBe(204);
    expect(upd.headers.get('ETag')).not.toBe(etag);
    const stale = await olga('PUT', 'obj-1.ics', { headers: { ...TYPE, 'If-Match': etag }, body: eventIcs('obj-1') });
    expect(stale.status).toBe(412);
    expect(await (await olga('GET', 'obj-1.ics')).text()).toContain('20260107T100000Z');
  });

  it('RFC 4791 §5.3.2.1 no-uid-conflict: a second object with the same UID → 403 naming the existing href', async () => {
    const before = await rowCount();
    const res = await olga('PUT', 'other.ics', { headers: TYPE, body: eventIcs('obj-1') });
    expect(res.status).toBe(403);
    const xml = await res.text();
    expect(xml).toContain('no-uid-conflict xmlns:c="urn:ietf:params:xml:ns:caldav"');
    expect(xml).toContain('<d:href>/remote.php/dav/calendars/olga/personal/obj-1.ics</d:href>');
    expect(await rowCount()).toBe(before);
  });

  it('RFC 4791 §5.3.2.1 valid-calendar-data: not iCalendar → 400, never stored', async () => {
    const before = await rowCount();
    const res = await olga('PUT', 'junk.ics', { headers: TYPE, body: 'this is not a calendar' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('valid-calendar-data');
    expect(await rowCount()).toBe(before);
  });

  it('RFC 4791 §5.3.2.1 supported-calendar-data: another media type → 415', async () => {
    const res = await olga('PUT', 'x.ics', { headers: { 'Content-Type': 'text/vcard' }, body: eventIcs('x-1') });
    expect(res.status).toBe(415);
    expect(await res.text()).toContain('supported-calendar-data');
  });

  it('RFC 4791 §5.3.2.1 supported-calendar-component: a VTODO in an events-only calendar → 403', async () => {
    await davRequest('olga', 'MKCOL', '/remote.php/dav/calendars/olga/events/', { body: MKCOL_CALENDAR('Events', '<cal:comp name="VEVENT"/>') });
    const res = await davRequest('olga', 'PUT', '/remote.php/dav/calendars/olga/events/t.ics', { headers: TYPE, body: todoIcs('todo-1') });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('supported-calendar-component');
  });

  it('RFC 4791 §5.3.2.1 max-resource-size: a larger object → 403 before anything is stored', async () => {
    const big = eventIcs('big-1', '20260105T100000Z', '20260105T110000Z', `DESCRIPTION:${'x'.repeat(1024 * 1024)}`);
    const res = await olga('PUT', 'big.ics', { headers: TYPE, body: big });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('max-resource-size');
  });

  it('objects live only inside calendars: PUT into the home → 403, into a missing calendar → 409', async () => {
    expect((await davRequest('olga', 'PUT', '/remote.php/dav/calendars/olga/x.ics', { headers: TYPE, body: eventIcs('h-1') })).status).toBe(403);
    expect((await davRequest('olga', 'PUT', '/remote.php/dav/calendars/olga/nope/x.ics', { headers: TYPE, body: eventIcs('h-2') })).status).toBe(409);
  });

  it('RFC 4918 §9.6: DELETE with a stale If-Match → 412; with the current one → 204, then 404', async () => {
    await olga('PUT', 'del.ics', { headers: TYPE, body: eventIcs('del-1') });
    const etag = (await olga('GET', 'del.ics')).headers.get('ETag')!;
    expect((await olga('DELETE', 'del.ics', { headers: { 'If-Match': '"0000"' } })).status).toBe(412);
    expect((await olga('DELETE', 'del.ics', { headers: { 'If-Match': etag } })).status).toBe(204);
    expect((await olga('GET', 'del.ics')).status).toBe(404);
    // The UID is free again.
    expect((await olga('PUT', 'del2.ics', { headers: TYPE, body: eventIcs('del-1') })).status).toBe(201);
  });

  it('RFC 4791 §9.6: PROPFIND on an object gives getetag, getcontenttype, getcontentlength and calendar-data', async () => {
    const res = await olga('PROPFIND', 'obj-1.ics', {
      headers: { Depth: '0' },
      body: '<d:propfind xmlns:d="DAV:" xmlns:cal="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><d:getcontenttype/><d:getcontentlength/><cal:calendar-data/></d:prop></d:propfind>',
    });
    const xml = await res.text();
    const text = await (await olga('GET', 'obj-1.ics')).text();
    expect(xml).toContain(`<d:getcontentlength>${new TextEncoder().encode(text).byteLength}</d:getcontentlength>`);
    expect(xml).toContain('<d:getcontenttype>text/calendar; charset=utf-8; component=vevent</d:getcontenttype>');
    expect(xml).toContain('UID:obj-1');
    expect(xml).not.toContain('HTTP/1.1 404');
  });
});
