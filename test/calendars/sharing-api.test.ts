import { beforeAll, describe, expect, it } from 'vitest';
import { env } from 'cloudflare:test';
import { createGroup } from '../../worker/accounts/groups';
import { makeUser } from '../helpers';
import { davRequest } from './dav-helpers';

// The OCS sharing API the web Calendar and Contacts apps use: the same shares as the DAV POST.

const API = '/ocs/v2.php/apps/cumulus/api/v1/dav-shares';
const OCS = { 'OCS-APIRequest': 'true', 'Content-Type': 'application/json' };
type Listed = { shareType: string; shareWith: string; displayName: string; access: string }[];

async function call(user: string | null, method: string, path: string, body?: object): Promise<{ status: number; data: Listed }> {
  const res = await davRequest(user, method, `${API}${path}${path.includes('?') ? '&' : '?'}format=json`, { headers: OCS, body: body ? JSON.stringify(body) : null });
  const json = (await res.json()) as { ocs: { data: Listed } };
  return { status: res.status, data: json.ocs.data };
}

beforeAll(async () => {
  for (const u of ['apiowner', 'apifriend', 'apistranger']) await makeUser(u);
  await createGroup(env, 'apigroup', 'API group');
});

describe('OCS dav-shares API', () => {
  it('the owner shares a calendar with a user (read-write) and a group (read), lists, changes and removes', async () => {
    expect((await call('apiowner', 'GET', '/calendars/personal')).data).toEqual([]);
    let r = await call('apiowner', 'POST', '/calendars/personal', { shareType: 'user', shareWith: 'apifriend', access: 'read-write' });
    expect(r.status).toBe(200);
    expect(r.data).toEqual([{ shareType: 'user', shareWith: 'apifriend', displayName: 'APIFRIEND', access: 'read-write' }]);
    r = await call('apiowner', 'POST', '/calendars/personal', { shareType: 'group', shareWith: 'apigroup' });
    expect(r.data.map((s) => `${s.shareType}:${s.shareWith}:${s.access}`)).toEqual(['user:apifriend:read-write', 'group:apigroup:read']);
    // The DAV view agrees: the friend finds the calendar in their home.
    const home = await davRequest('apifriend', 'PROPFIND', '/remote.php/dav/calendars/apifriend/', { headers: { Depth: '1' } });
    expect(await home.text()).toContain('/remote.php/dav/calendars/apifriend/personal_shared_by_apiowner/');
    r = await call('apiowner', 'POST', '/calendars/personal', { shareType: 'user', shareWith: 'apifriend', access: 'read' });
    expect(r.data[0].access).toBe('read');
    r = await call('apiowner', 'DELETE', '/calendars/personal?shareType=user&shareWith=apifriend');
    expect(r.data.map((s) => s.shareWith)).toEqual(['apigroup']);
  });

  it('address books work the same way', async () => {
    const r = await call('apiowner', 'POST', '/addressbooks/contacts', { shareType: 'user', shareWith: 'apifriend' });
    expect(r.status).toBe(200);
    expect(r.data).toEqual([{ shareType: 'user', shareWith: 'apifriend', displayName: 'APIFRIEND', access: 'read' }]);
  });

  it('refusals: anonymous 401, a stranger or a sharee 404, bad parameters 400, unknown sharee 400, the owner 400', async () => {
    expect((await call(null, 'GET', '/calendars/personal')).status).toBe(401);
    await call('apistranger', 'GET', '/calendars/personal'); // creates the stranger's own "personal"
    const theirs = await call('apistranger', 'GET', '/calendars/personal');
    expect(theirs.data).toEqual([]); // their own calendar, not the owner's shares
    expect((await call('apistranger', 'GET', '/calendars/nothere')).status).toBe(404);
    expect((await call('apifriend', 'POST', '/calendars/personal_shared_by_apiowner', { shareType: 'user', shareWith: 'apistranger' })).status).toBe(404);
    expect((await call('apiowner', 'POST', '/calendars/personal', { shareType: 'circle', shareWith: 'x' })).status).toBe(400);
    expect((await call('apiowner', 'POST', '/calendars/personal', { shareType: 'user' })).status).toBe(400);
    expect((await call('apiowner', 'POST', '/calendars/personal', { shareType: 'user', shareWith: 'apifriend', access: 'admin' })).status).toBe(400);
    expect((await call('apiowner', 'POST', '/calendars/personal', { shareType: 'user', shareWith: 'ghost' })).status).toBe(400);
    expect((await call('apiowner', 'POST', '/calendars/personal', { shareType: 'user', shareWith: 'apiowner' })).status).toBe(400);
    expect((await call('apiowner', 'GET', '/calendars/personal')).data.map((s) => s.shareWith)).toEqual(['apigroup']);
  });
});
