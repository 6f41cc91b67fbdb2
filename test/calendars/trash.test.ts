import { beforeAll, describe, expect, it } from 'vitest';
import { env } from 'cloudflare:test';
import { makeUser } from '../helpers';
import { purgeCalendarTrash } from '../../worker/calendars/trash';
import { davRequest, propfindBody, responsesOf } from './dav-helpers';
import { eventIcs, MKCOL_CALENDAR } from './fixtures';

const HOME = '/remote.php/dav/calendars/tina/';
const TRASH = HOME + 'trashbin/';
const XML = { 'Content-Type': 'application/xml; charset=utf-8' };
const ICS = { 'Content-Type': 'text/calendar; charset=utf-8' };
const tina = (method: string, path: string, init: { headers?: Record<string, string>; body?: string | null } = {}) => davRequest('tina', method, path, init);
const DAY = 86400_000;

async function syncToken(cal: string): Promise<string> {
  const res = await tina('PROPFIND', HOME + cal + '/', { headers: { ...XML, Depth: '0' }, body: propfindBody('<d:sync-token/>') });
  return /<d:sync-token>([^<]+)<\/d:sync-token>/.exec(await res.text())![1];
}

async function syncSince(cal: string, token: string): Promise<string> {
  const res = await tina('REPORT', HOME + cal + '/', {
    headers: XML, body: `<?xml version="1.0"?><d:sync-collection xmlns:d="DAV:"><d:sync-token>${token}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`,
  });
  expect(res.status).toBe(207);
  return res.text();
}

async function trashedObjectHrefs(): Promise<Map<string, string>> {
  const res = await tina('PROPFIND', TRASH + 'objects/', {
    headers: { ...XML, Depth: '1' }, body: '<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:nc="http://nextcloud.com/ns"><d:prop><nc:calendar-uri/><nc:deleted-at/><d:getetag/></d:prop></d:propfind>',
  });
  expect(res.status).toBe(207);
  const all = responsesOf(await res.text());
  all.delete(TRASH + 'objects/');
  return all;
}

beforeAll(async () => {
  await makeUser('tina');
  await makeUser('other');
  expect((await tina('PUT', HOME + 'personal/a.ics', { headers: ICS, body: eventIcs('a') })).status).toBe(201);
  expect((await tina('PUT', HOME + 'personal/b.ics', { headers: ICS, body: eventIcs('b') })).status).toBe(201);
});

describe('calendar trash bin', () => {
  it('the trash bin is in the home with nc:trash-bin and the retention in seconds', async () => {
    const res = await tina('PROPFIND', TRASH, { headers: { ...XML, Depth: '0' }, body: '<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:nc="http://nextcloud.com/ns"><d:prop><d:resourcetype/><nc:trash-bin-retention-duration/></d:prop></d:propfind>' });
    const xml = await res.text();
    expect(xml).toContain('<x2:trash-bin/>');
    expect(xml).toContain('<x2:trash-bin-retention-duration>2592000</x2:trash-bin-retention-duration>');
  });

  it('DELETE of an object moves it to trashbin/objects; sync-collection reports it deleted; the UID is free again', async () => {
    const token = await syncToken('personal');
    expect((await tina('DELETE', HOME + 'personal/a.ics')).status).toBe(204);
    expect((await tina('GET', HOME + 'personal/a.ics')).status).toBe(404);
    const sync = await syncSince('personal', token);
    expect(sync).toMatch(/<d:href>\/remote.php\/dav\/calendars\/tina\/personal\/a.ics<\/d:href><d:status>HTTP\/1.1 404 Not Found<\/d:status>/);
    const trashed = await trashedObjectHrefs();
    expect(trashed.size).toBe(1);
    const [block] = trashed.values();
    expect(block).toContain('<x2:calendar-uri>personal</x2:calendar-uri>');
    expect(block).toMatch(/<x2:deleted-at>\d{4}-\d\d-\d\dT/);
    // UID uniqueness is among live objects only: a new object may take the UID.
    expect((await tina('PUT', HOME + 'personal/a2.ics', { headers: ICS, body: eventIcs('a') })).status).toBe(201);
  });

  it('restore by MOVE into trashbin/restore/ conflicts (409) while a live object has the UID; then succeeds and sync reports it new', async () => {
    const [href] = (await trashedObjectHrefs()).keys();
    const move = () => tina('MOVE', href, { headers: { Destination: `http://localhost${TRASH}restore/file` } });
    expect((await move()).status).toBe(409);
    expect((await tina('DELETE', HOME + 'personal/a2.ics')).status).toBe(204);
    const token = await syncToken('personal');
    expect((await move()).status).toBe(201);
    expect((await tina('GET', HOME + 'personal/a.ics')).status).toBe(200);
    const sync = await syncSince('personal', token);
    expect(sync).toMatch(/<d:href>\/remote.php\/dav\/calendars\/tina\/personal\/a.ics<\/d:href><d:propstat><d:prop><d:getetag>/);
    expect((await trashedObjectHrefs()).size).toBe(1); // a2 is still there
  });

  it('DELETE in trashbin/objects removes for good', async () => {
    const [href] = (await trashedObjectHrefs()).keys();
    expect((await tina('DELETE', href)).status).toBe(204);
    expect((await trashedObjectHrefs()).size).toBe(0);
    expect(await env.DB.prepare("SELECT 1 FROM calendar_objects WHERE uid = 'a' AND deleted_at IS NOT NULL").first()).toBeNull();
  });

  it('DELETE of a calendar trashes it with its objects; the name is free; MOVE to restore/ brings everything back', async () => {
    expect((await tina('MKCOL', HOME + 'work/', { headers: XML, body: MKCOL_CALENDAR('Work') })).status).toBe(201);
    expect((await tina('PUT', HOME + 'work/w.ics', { headers: ICS, body: eventIcs('w') })).status).toBe(201);
    const token = await syncToken('work');
    expect((await tina('DELETE', HOME + 'work/')).status).toBe(204);
    expect((await tina('GET', HOME + 'work/w.ics')).status).toBe(404);
    const home = await (await tina('PROPFIND', HOME, { headers: { ...XML, Depth: '1' }, body: '<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:nc="http://nextcloud.com/ns"><d:prop><d:resourcetype/><nc:deleted-at/></d:prop></d:propfind>' })).text();
    const deleted = [...responsesOf(home)].find(([, b]) => b.includes('<x2:deleted-calendar/>'));
    expect(deleted![0]).toMatch(/\/work-deleted-\d+\/$/);
    expect(deleted![1]).toContain('<x2:deleted-at>');
    expect(deleted![1]).not.toContain('<cal:calendar/>'); // ordinary clients do not show it
    // A trashed calendar can neither be written nor reserve its name (a new "work" would be fine, but then restore conflicts).
    expect((await tina('PUT', deleted![0] + 'x.ics', { headers: ICS, body: eventIcs('x') })).status).toBe(409);
    const restore = await tina('MOVE', deleted![0], { headers: { Destination: `http://localhost${TRASH}restore/cal` } });
    expect(restore.status).toBe(201);
    expect((await tina('GET', HOME + 'work/w.ics')).status).toBe(200);
    expect(await syncToken('work')).toBe(token); // same calendar, same change log
  });

  it('MOVE is refused for anything but a restore; another user and anonymous cannot reach the trash', async () => {
    expect((await tina('MOVE', HOME + 'work/w.ics', { headers: { Destination: `http://localhost${HOME}personal/w.ics` } })).status).toBe(403);
    expect((await tina('MOVE', HOME + 'work/', { headers: { Destination: `http://localhost${TRASH}restore/x` } })).status).toBe(403);
    expect((await davRequest('other', 'PROPFIND', TRASH, { headers: { Depth: '1' } })).status).toBe(403);
    expect((await davRequest(null, 'PROPFIND', TRASH, { headers: { Depth: '1' } })).status).toBe(401);
    expect((await tina('MKCOL', HOME + 'trashbin/', { headers: XML, body: MKCOL_CALENDAR('T') })).status).not.toBe(201);
  });

  it('the cron job purges objects and calendars after 30 days, not before', async () => {
    expect((await tina('DELETE', HOME + 'work/w.ics')).status).toBe(204);
    expect((await tina('DELETE', HOME + 'work/')).status).toBe(204);
    await purgeCalendarTrash(env, new Date(Date.now() + 29 * DAY));
    expect((await trashedObjectHrefs()).size).toBe(0); // w.ics sits in a trashed calendar: listed with it, not alone
    expect(await env.DB.prepare("SELECT 1 FROM calendars WHERE owner = 'tina' AND deleted_at IS NOT NULL").first()).not.toBeNull();
    expect(await env.DB.prepare("SELECT 1 FROM calendar_objects WHERE uid = 'w'").first()).not.toBeNull();
    await purgeCalendarTrash(env, new Date(Date.now() + 31 * DAY));
    expect(await env.DB.prepare("SELECT 1 FROM calendars WHERE owner = 'tina' AND deleted_at IS NOT NULL").first()).toBeNull();
    expect(await env.DB.prepare("SELECT 1 FROM calendar_objects WHERE uid = 'w'").first()).toBeNull();
  });
});
