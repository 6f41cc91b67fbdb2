import { env } from 'cloudflare:workers';
import { drizzle } from 'drizzle-orm/d1';
import { beforeAll, describe, expect, it } from 'vitest';
import { files } from '../../schema';
import { createGroup, listGroupMembers, listUserGroups } from '../../worker/accounts/groups';
import { getUser } from '../../worker/accounts/users';
import { addUser, ADMIN, ALICE, call, callAs, form, installAdmin } from '../accounts/helpers';

type Meta = { status: string; statuscode: number; message: string };
type Body = { ocs: { meta: Meta; data: any } };
type Who = { id: string; password: string } | null;

/** One OCS v2 JSON call (form-encoded body unless `json`); returns HTTP status and envelope. */
async function ocs(who: Who, method: string, path: string, body?: Record<string, string | string[]>, json = false) {
  const init: RequestInit = { method, headers: { 'OCS-APIRequest': 'true' } };
  if (body && json) Object.assign(init, { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
  else if (body) Object.assign(init, form(body));
  const url = `/ocs/v2.php${path}${path.includes('?') ? '&' : '?'}format=json`;
  const res = who ? await callAs(who.id, who.password, url, init) : await call(url, init);
  return { status: res.status, ...(await res.json<Body>()).ocs };
}

const BOB = { id: 'bob', password: 'bob-password-1' };

beforeAll(async () => {
  await installAdmin();
  await addUser({ ...ALICE, displayName: 'Alice A.', email: 'alice@example.org', quota: 5000 });
  await addUser(BOB);
  await createGroup(env, 'staff', 'Staff');
});

/** Every route but cloud/user is for admins (a user may read and edit self: see below). */
const ADMIN_ROUTES: Array<[string, string, Record<string, string>?]> = [
  ['GET', '/cloud/users'],
  ['GET', '/cloud/users/details'],
  ['POST', '/cloud/users', { userid: 'intruder', password: 'intruder-password-1' }],
  ['GET', '/cloud/users/bob'],
  ['PUT', '/cloud/users/bob', { key: 'email', value: 'hacked@example.org' }],
  ['DELETE', '/cloud/users/bob'],
  ['PUT', '/cloud/users/bob/enable'],
  ['PUT', '/cloud/users/bob/disable'],
  ['GET', '/cloud/users/bob/groups'],
  ['POST', '/cloud/users/bob/groups', { groupid: 'staff' }],
  ['DELETE', '/cloud/users/bob/groups', { groupid: 'staff' }],
  ['GET', '/cloud/groups'],
  ['GET', '/cloud/groups/details'],
  ['POST', '/cloud/groups', { groupid: 'intruders' }],
  ['GET', '/cloud/groups/staff'],
  ['DELETE', '/cloud/groups/staff'],
];

describe('provisioning API refusals', () => {
  it.each([['GET', '/cloud/user'], ...ADMIN_ROUTES])('%s %s without credentials → 401, OCS 997', async (method, path, body) => {
    const res = await ocs(null, method, path, body);
    expect(res.status).toBe(401);
    expect(res.meta.statuscode).toBe(997);
  });

  it.each(ADMIN_ROUTES)('%s %s as a normal user → 403, OCS 403, nothing changed', async (method, path, body) => {
    const res = await ocs(ALICE, method, path, body);
    expect(res.status).toBe(403);
    expect(res.meta).toMatchObject({ status: 'failure', statuscode: 403 });
    expect(await getUser(env, 'bob')).toMatchObject({ email: null, enabled: true });
    expect(await getUser(env, 'intruder')).toBeNull();
    expect(await listUserGroups(env, 'bob')).toEqual([]);
    expect(await listGroupMembers(env, 'staff')).toEqual([]);
  });

  it('answers v1 refusals with HTTP 200 and OCS 403 (401 stays 401)', async () => {
    const refused = await callAs(ALICE.id, ALICE.password, '/ocs/v1.php/cloud/users?format=json');
    expect(refused.status).toBe(200);
    expect((await refused.json<Body>()).ocs.meta.statuscode).toBe(403);
    expect((await call('/ocs/v1.php/cloud/users?format=json')).status).toBe(401);
  });
});

describe('GET cloud/user', () => {
  it('describes the caller like Nextcloud, with quota usage from the files domain', async () => {
    await drizzle(env.DB).insert(files).values({
      owner: 'alice', path: '', parentId: null, name: '', isDir: true, size: 1234, mtime: 1, createdAt: 1,
      etag: 'e', contentType: 'httpd/unix-directory',
    });
    const res = await ocs(ALICE, 'GET', '/cloud/user');
    expect(res.status).toBe(200);
    expect(res.meta).toEqual({ status: 'ok', statuscode: 200, message: 'OK' });
    expect(res.data).toMatchObject({
      id: 'alice', 'display-name': 'Alice A.', displayname: 'Alice A.', email: 'alice@example.org', enabled: true,
      quota: { free: 3766, used: 1234, total: 5000, relative: 24.68, quota: 5000 },
      groups: [], language: 'en', locale: '', backend: 'Database',
    });
    expect(res.data.lastLogin).toBeGreaterThan(0);
  });

  it('reports an unlimited quota as -3 and works in v1 XML', async () => {
    const res = await callAs(ADMIN.id, ADMIN.password, '/ocs/v1.php/cloud/user');
    expect(res.status).toBe(200);
    const xml = await res.text();
    expect(xml).toContain('<statuscode>100</statuscode>');
    expect(xml).toContain('<id>admin</id>');
    expect(xml).toContain('<display-name>admin</display-name>');
    expect(xml).toContain('<quota><free>-3</free><used>0</used><total>-3</total><relative>0</relative><quota>-3</quota></quota>');
    expect(xml).toContain('<groups><element>admin</element></groups>');
  });
});

describe('users as admin', () => {
  it('GET cloud/users lists ids with search, limit and offset', async () => {
    expect((await ocs(ADMIN, 'GET', '/cloud/users')).data).toEqual({ users: ['admin', 'alice', 'bob'] });
    expect((await ocs(ADMIN, 'GET', '/cloud/users?search=ali')).data).toEqual({ users: ['alice'] });
    expect((await ocs(ADMIN, 'GET', '/cloud/users?limit=1&offset=1')).data).toEqual({ users: ['alice'] });
    expect((await ocs(ADMIN, 'GET', '/cloud/users?limit=x')).meta.statuscode).toBe(101);
  });

  it('POST cloud/users creates a user from a form (groups[], quota as text) and answers its id', async () => {
    const res = await ocs(ADMIN, 'POST', '/cloud/users', {
      userid: 'carol', password: 'carol-password-1', displayName: 'Carol', email: 'carol@example.org',
      'groups[]': ['staff'], quota: '1 GB',
    });
    expect(res).toMatchObject({ status: 200, data: { id: 'carol' } });
    expect(await getUser(env, 'carol')).toMatchObject({ displayName: 'Carol', email: 'carol@example.org', quota: 1024 ** 3 });
    expect(await listUserGroups(env, 'carol')).toEqual(['staff']);
    expect((await ocs({ id: 'carol', password: 'carol-password-1' }, 'GET', '/cloud/user')).data.id).toBe('carol');
  });

  it('POST cloud/users accepts JSON too', async () => {
    const res = await ocs(ADMIN, 'POST', '/cloud/users', { userid: 'dan', password: 'dan-password-1', groups: ['staff'] }, true);
    expect(res.data).toEqual({ id: 'dan' });
    expect(await listUserGroups(env, 'dan')).toEqual(['staff']);
  });

  it('POST cloud/users answers Nextcloud\'s codes for bad input and creates nothing', async () => {
    const cases: Array<[Record<string, string>, number]> = [
      [{ userid: 'carol', password: 'long-enough-1' }, 102],
      [{ userid: 'CAROL', password: 'long-enough-1' }, 102],
      [{ userid: 'bad/id', password: 'long-enough-1' }, 101],
      [{ userid: 'eve', password: 'long-enough-1', 'groups[]': 'nope' }, 104],
      [{ userid: 'eve', password: 'short' }, 107],
      [{ userid: 'eve' }, 108],
      [{ userid: 'eve', password: 'long-enough-1', quota: 'plenty' }, 102],
      [{ userid: 'eve', password: 'long-enough-1', email: 'not-mail' }, 101],
    ];
    for (const [body, code] of cases) {
      const res = await ocs(ADMIN, 'POST', '/cloud/users', body);
      expect(res.meta.statuscode, JSON.stringify(body)).toBe(code);
      expect(res.meta.message).not.toBe('');
    }
    expect(await getUser(env, 'eve')).toBeNull();
    const malformed = await callAs(ADMIN.id, ADMIN.password, '/ocs/v2.php/cloud/users?format=json', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"userid":',
    });
    expect(malformed.status).toBe(400);
  });

  it('GET cloud/users/{id} returns the user; 998 for an unknown one', async () => {
    const res = await ocs(ADMIN, 'GET', '/cloud/users/bob');
    expect(res.data).toMatchObject({ id: 'bob', displayname: 'bob', enabled: true });
    const missing = await ocs(ADMIN, 'GET', '/cloud/users/nobody');
    expect([missing.status, missing.meta.statuscode]).toEqual([404, 998]);
  });

  it('PUT cloud/users/{id} edits display name, e-mail, quota and password', async () => {
    for (const [key, value] of [['displayname', 'Bobby'], ['email', 'bob@example.org'], ['quota', '500 MB'], ['password', 'bob-password-2']]) {
      expect((await ocs(ADMIN, 'PUT', '/cloud/users/bob', { key, value })).status, key).toBe(200);
    }
    expect(await getUser(env, 'bob')).toMatchObject({ displayName: 'Bobby', email: 'bob@example.org', quota: 500 * 1024 ** 2 });
    expect((await ocs({ id: 'bob', password: 'bob-password-2' }, 'GET', '/cloud/user')).status).toBe(200);
    expect((await ocs(ADMIN, 'PUT', '/cloud/users/bob', { key: 'quota', value: 'none' })).status).toBe(200);
    expect((await getUser(env, 'bob'))?.quota).toBeNull();
    BOB.password = 'bob-password-2';
  });

  it('PUT cloud/users/{id} answers Nextcloud\'s codes for bad edits', async () => {
    const cases: Array<[string, Record<string, string>, number]> = [
      ['bob', { key: 'email', value: 'nope' }, 101],
      ['bob', { key: 'quota', value: 'lots' }, 102],
      ['bob', { key: 'password', value: 'short' }, 107],
      ['bob', { key: 'birthday', value: 'today' }, 113],
      ['bob', { value: 'x' }, 101],
      ['nobody', { key: 'email', value: 'x@example.org' }, 998],
    ];
    for (const [id, body, code] of cases) {
      expect((await ocs(ADMIN, 'PUT', `/cloud/users/${id}`, body)).meta.statuscode, JSON.stringify(body)).toBe(code);
    }
  });

  it('PUT cloud/users/{id}/disable and /enable lock a user out and let them back in', async () => {
    expect((await ocs(ADMIN, 'PUT', '/cloud/users/bob/disable')).status).toBe(200);
    expect((await ocs(BOB, 'GET', '/cloud/user')).status).toBe(401);
    expect((await ocs(ADMIN, 'PUT', '/cloud/users/bob/enable')).status).toBe(200);
    expect((await ocs(BOB, 'GET', '/cloud/user')).status).toBe(200);
    expect((await ocs(ADMIN, 'PUT', '/cloud/users/nobody/disable')).meta.statuscode).toBe(101);
  });

  it('refuses to let the admin disable or delete themself', async () => {
    for (const [method, path] of [['PUT', '/cloud/users/admin/disable'], ['DELETE', '/cloud/users/admin']]) {
      const res = await ocs(ADMIN, method, path);
      expect(res.meta.statuscode).toBe(101);
      expect(res.meta.message).toMatch(/your own account/);
    }
    expect((await getUser(env, 'admin'))?.enabled).toBe(true);
  });

  it('group membership: GET, POST (add) and DELETE (remove) cloud/users/{id}/groups', async () => {
    expect((await ocs(ADMIN, 'POST', '/cloud/users/bob/groups', { groupid: 'staff' })).status).toBe(200);
    expect((await ocs(ADMIN, 'GET', '/cloud/users/bob/groups')).data).toEqual({ groups: ['staff'] });
    expect((await ocs(ADMIN, 'DELETE', '/cloud/users/bob/groups', { groupid: 'staff' })).status).toBe(200);
    expect(await listUserGroups(env, 'bob')).toEqual([]);
    expect((await ocs(ADMIN, 'GET', '/cloud/users/nobody/groups')).meta.statuscode).toBe(998);
    const codes = [
      await ocs(ADMIN, 'POST', '/cloud/users/bob/groups', {}),
      await ocs(ADMIN, 'POST', '/cloud/users/bob/groups', { groupid: 'nope' }),
      await ocs(ADMIN, 'POST', '/cloud/users/nobody/groups', { groupid: 'staff' }),
      await ocs(ADMIN, 'DELETE', '/cloud/users/admin/groups', { groupid: 'admin' }),
    ].map((r) => r.meta.statuscode);
    expect(codes).toEqual([101, 102, 103, 105]);
    expect(await listUserGroups(env, 'admin')).toEqual(['admin']);
  });

  it('DELETE cloud/users/{id} deletes the user; 998 for an unknown one', async () => {
    expect((await ocs(ADMIN, 'DELETE', '/cloud/users/dan')).status).toBe(200);
    expect(await getUser(env, 'dan')).toBeNull();
    expect((await ocs(ADMIN, 'DELETE', '/cloud/users/dan')).meta.statuscode).toBe(998);
  });
});

describe('a normal user on their own account', () => {
  it('may read themself and their groups', async () => {
    expect((await ocs(ALICE, 'GET', '/cloud/users/alice')).data.id).toBe('alice');
    expect((await ocs(ALICE, 'GET', '/cloud/users/alice/groups')).data).toEqual({ groups: [] });
  });

  it('may change their display name, e-mail and password, but not their quota', async () => {
    expect((await ocs(ALICE, 'PUT', '/cloud/users/alice', { key: 'display', value: 'Ali' })).status).toBe(200);
    expect((await ocs(ALICE, 'PUT', '/cloud/users/alice', { key: 'email', value: 'ali@example.org' })).status).toBe(200);
    const quota = await ocs(ALICE, 'PUT', '/cloud/users/alice', { key: 'quota', value: 'none' });
    expect([quota.status, quota.meta.statuscode]).toEqual([403, 403]);
    expect(await getUser(env, 'alice')).toMatchObject({ displayName: 'Ali', email: 'ali@example.org', quota: 5000 });
    expect((await ocs(ALICE, 'PUT', '/cloud/users/alice', { key: 'password', value: 'alice-password-2' })).status).toBe(200);
    expect((await ocs(ALICE, 'GET', '/cloud/user')).status).toBe(401);
    expect((await ocs({ id: 'alice', password: 'alice-password-2' }, 'GET', '/cloud/user')).status).toBe(200);
  });
});

describe('groups as admin', () => {
  it('GET cloud/groups lists ids with search, limit and offset', async () => {
    expect((await ocs(ADMIN, 'GET', '/cloud/groups')).data).toEqual({ groups: ['admin', 'staff'] });
    expect((await ocs(ADMIN, 'GET', '/cloud/groups?search=sta')).data).toEqual({ groups: ['staff'] });
    expect((await ocs(ADMIN, 'GET', '/cloud/groups?limit=1&offset=1')).data).toEqual({ groups: ['staff'] });
  });

  it('POST cloud/groups creates a group; 102 if it exists, 101 for a bad name', async () => {
    expect((await ocs(ADMIN, 'POST', '/cloud/groups', { groupid: 'team', displayname: 'The team' })).status).toBe(200);
    const codes = [
      await ocs(ADMIN, 'POST', '/cloud/groups', { groupid: 'team' }),
      await ocs(ADMIN, 'POST', '/cloud/groups', { groupid: 'Team' }),
      await ocs(ADMIN, 'POST', '/cloud/groups', { groupid: '' }),
      await ocs(ADMIN, 'POST', '/cloud/groups', { groupid: 'a/b' }),
    ].map((r) => r.meta.statuscode);
    expect(codes).toEqual([102, 102, 101, 101]);
  });

  it('GET cloud/groups/{id} lists the members; 404 for an unknown group', async () => {
    await ocs(ADMIN, 'POST', '/cloud/users/bob/groups', { groupid: 'team' });
    expect((await ocs(ADMIN, 'GET', '/cloud/groups/team')).data).toEqual({ users: ['bob'] });
    const missing = await ocs(ADMIN, 'GET', '/cloud/groups/nope');
    expect([missing.status, missing.meta.statuscode]).toEqual([404, 404]);
  });

  it('DELETE cloud/groups/{id} deletes a group and its memberships, never admin', async () => {
    expect((await ocs(ADMIN, 'DELETE', '/cloud/groups/team')).status).toBe(200);
    expect(await listUserGroups(env, 'bob')).toEqual([]);
    expect((await ocs(ADMIN, 'DELETE', '/cloud/groups/team')).meta.statuscode).toBe(101);
    const admin = await ocs(ADMIN, 'DELETE', '/cloud/groups/admin');
    expect(admin.meta.statuscode).toBe(102);
    expect(await listGroupMembers(env, 'admin')).toEqual(['admin']);
  });
});

describe('lists with details (the admin pages)', () => {
  it('GET cloud/users/details: each user of the page with display name, e-mail, quota, groups; search and limit apply', async () => {
    const res = await ocs(ADMIN, 'GET', '/cloud/users/details?search=ali');
    expect(res.status).toBe(200);
    expect(Object.keys(res.data.users)).toEqual(['alice']);
    expect(res.data.users.alice).toMatchObject({ id: 'alice', displayname: 'Ali', email: 'ali@example.org' }); // as edited by the tests above
    expect(res.data.users.alice.quota.quota).toBe(5000);
    const page = await ocs(ADMIN, 'GET', '/cloud/users/details?limit=1');
    expect(Object.keys(page.data.users)).toHaveLength(1);
  });

  it('GET cloud/groups/details: display name and member count', async () => {
    const res = await ocs(ADMIN, 'GET', '/cloud/groups/details?search=sta');
    expect(res.status).toBe(200);
    expect(res.data.groups).toEqual([expect.objectContaining({ id: 'staff', displayname: 'Staff', usercount: expect.any(Number) })]);
  });
});
