import { env } from 'cloudflare:workers';
import { drizzle } from 'drizzle-orm/d1';
import { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { appPasswords, loginFailures } from '../../schema';
import { createAppPassword, listAppPasswords } from '../../worker/accounts/app-passwords';
import { requireUser } from '../../worker/accounts/auth';
import { credentialCacheSize, credentialKey, lookupCredential } from '../../worker/accounts/credential-cache';
import { deleteUser, setUserEnabled } from '../../worker/accounts/users';
import type { AppEnv } from '../../worker/http/env';
import { addUser, ALICE, basic, installAdmin, ocsJson, propfindRoot } from './helpers';

const BOB = { id: 'bob', password: 'bob-password-1' };
const TOKEN = /^[A-Za-z0-9]{72}$/;
const API = '/ocs/v2.php/apps/cumulus/api/v1/app-passwords';

/** Exchanges alice's login password for an app password through getapppassword. */
async function appPasswordFor(user = ALICE, userAgent = 'Mozilla/5.0 (Linux) mirall/3.7.3 (Nextcloud)'): Promise<string> {
  const res = await ocsJson(basic(user.id, user.password), 'GET', '/ocs/v2.php/core/getapppassword', {
    headers: { 'User-Agent': userAgent },
  });
  expect(res.status).toBe(200);
  return res.data.apppassword;
}

/** An app that answers who the middleware let in, on an injected clock. */
function whoApp(now: () => number = Date.now) {
  const app = new Hono<AppEnv>();
  app.use('*', requireUser({ now, sleep: async () => {} }));
  app.get('/who', (c) => c.json(c.get('user')));
  return (authorization: string, ip = '192.0.2.50') => app.fetch(new Request('http://cumulus.test/who', {
    headers: { Authorization: authorization, 'CF-Connecting-IP': ip },
  }), env);
}

beforeAll(async () => {
  await installAdmin();
  await addUser({ ...ALICE, displayName: 'Alice', email: 'alice@example.org' });
  await addUser(BOB);
});

describe('GET /ocs/v2.php/core/getapppassword', () => {
  it('exchanges the login password for a 72-character app password named after the User-Agent', async () => {
    const token = await appPasswordFor();
    expect(token).toMatch(TOKEN);
    const listed = await listAppPasswords(env, 'alice');
    expect(listed.map((p) => p.name)).toContain('Mozilla/5.0 (Linux) mirall/3.7.3 (Nextcloud)');
  });

  it('is refused with an app password (403, Nextcloud\'s message), and creates nothing', async () => {
    const token = await appPasswordFor();
    const before = (await listAppPasswords(env, 'alice')).length;
    const res = await ocsJson(basic('alice', token), 'GET', '/ocs/v2.php/core/getapppassword');
    expect(res.status).toBe(403);
    expect(res.meta).toEqual({ status: 'failure', statuscode: 403, message: 'You cannot request an new apppassword with an apppassword' });
    expect(await listAppPasswords(env, 'alice')).toHaveLength(before);
  });

  it('is refused without credentials (401, OCS 997)', async () => {
    const res = await ocsJson(null, 'GET', '/ocs/v2.php/core/getapppassword');
    expect(res.status).toBe(401);
    expect(res.meta.statuscode).toBe(997);
  });

  it('stores only a SHA-256 of the token, never the token', async () => {
    const token = await appPasswordFor();
    const rows = await drizzle(env.DB).select().from(appPasswords);
    expect(JSON.stringify(rows)).not.toContain(token);
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
    const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
    expect(rows.map((r) => r.tokenHash)).toContain(hex);
  });
});

describe('Basic auth with an app password', () => {
  it('works for WebDAV (PROPFIND of the files root → 207)', async () => {
    const token = await appPasswordFor();
    expect((await propfindRoot('alice', basic('alice', token))).status).toBe(207);
  });

  it('works for OCS (cloud/user answers the owner)', async () => {
    const token = await appPasswordFor();
    const res = await ocsJson(basic('alice', token), 'GET', '/ocs/v1.php/cloud/user');
    expect(res.status).toBe(200);
    expect(res.data.id).toBe('alice');
  });

  it('sets via "app-password" and the token\'s id; the token is remembered as one, never verified as a password (no PBKDF2)', async () => {
    const { token, id } = await createAppPassword(env, { userId: 'alice', name: 'who', loginName: 'alice' });
    const cached = credentialCacheSize();
    const res = await whoApp()(basic('alice', token));
    expect(await res.json()).toEqual({
      id: 'alice', displayName: 'Alice', email: 'alice@example.org', quota: null, isAdmin: false,
      loginName: 'alice', via: 'app-password', appPasswordId: id,
    });
    // One entry, for writes that check the token again in their own batch (files/optimistic-put.ts).
    expect(credentialCacheSize()).toBe(cached + 1);
    expect(lookupCredential(await credentialKey('alice', token), Date.now())).toMatchObject({ via: 'app-password', userId: 'alice' });
  });

  it('accepts the owner\'s id (any case), e-mail, or the login name it was issued to', async () => {
    const { token } = await createAppPassword(env, { userId: 'alice', name: 'names', loginName: 'alice@example.org' });
    for (const login of ['alice', 'ALICE', 'alice@example.org', 'Alice@Example.org']) {
      expect((await propfindRoot('alice', basic(login, token))).status, login).toBe(207);
    }
  });

  it('refuses a valid token with another login name (401) and counts the failure', async () => {
    const token = await appPasswordFor();
    const res = await propfindRoot('bob', basic('bob', token), '203.0.113.77');
    expect(res.status).toBe(401);
    const rows = await drizzle(env.DB).select().from(loginFailures);
    expect(rows.map((r) => r.key)).toEqual(expect.arrayContaining(['ip:203.0.113.77', 'user:bob']));
    expect((await ocsJson(basic('nobody', token), 'GET', '/ocs/v2.php/cloud/user')).status).toBe(401);
  });

  it('refuses an unknown token-shaped secret (401), counted like a wrong password', async () => {
    const res = await propfindRoot('alice', basic('alice', 'A'.repeat(72)), '203.0.113.78');
    expect(res.status).toBe(401);
    const rows = await drizzle(env.DB).select().from(loginFailures);
    expect(rows.map((r) => r.key)).toContain('ip:203.0.113.78');
  });

  it('answers 429 while the client is blocked, even for a valid token', async () => {
    await addUser({ id: 'blocked', password: 'blocked-password-1' });
    const { token } = await createAppPassword(env, { userId: 'blocked', name: 'x', loginName: 'blocked' });
    const ip = '203.0.113.79';
    for (let i = 0; i < 10; i++) await whoApp()(basic('blocked', `wrong-${i}`), ip);
    const res = await whoApp()(basic('blocked', token), ip);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('Retry-After'))).toBeGreaterThan(0);
  });

  it('refuses the token of a disabled account at once, and accepts it again when enabled', async () => {
    await addUser({ id: 'dora', password: 'dora-password-1' });
    const { token } = await createAppPassword(env, { userId: 'dora', name: 'x', loginName: 'dora' });
    expect((await propfindRoot('dora', basic('dora', token))).status).toBe(207);
    await setUserEnabled(env, 'dora', false);
    expect((await propfindRoot('dora', basic('dora', token))).status).toBe(401);
    await setUserEnabled(env, 'dora', true);
    expect((await propfindRoot('dora', basic('dora', token))).status).toBe(207);
  });

  it('goes with its user: deleting the account deletes its app passwords', async () => {
    await addUser({ id: 'gone', password: 'gone-password-1' });
    await createAppPassword(env, { userId: 'gone', name: 'x', loginName: 'gone' });
    await deleteUser(env, 'gone');
    expect(await listAppPasswords(env, 'gone')).toEqual([]);
  });

  it('writes last activity at most once a minute', async () => {
    const t0 = Date.now();
    const { token, id } = await createAppPassword(env, { userId: 'alice', name: 'clock', loginName: 'alice', now: t0 });
    const clock = { now: t0 };
    const who = whoApp(() => clock.now);
    const activity = async () => (await listAppPasswords(env, 'alice')).find((p) => p.id === id)!.lastActivity;
    const created = await activity();
    clock.now = t0 + 59_000;
    expect((await who(basic('alice', token))).status).toBe(200);
    expect(await activity()).toBe(created);
    clock.now = t0 + 61_000;
    expect((await who(basic('alice', token))).status).toBe(200);
    expect(await activity()).toBe(Math.floor((t0 + 61_000) / 1000));
  });
});

describe('DELETE /ocs/v2.php/core/apppassword and POST …/rotate', () => {
  it('deletes the app password in use; it is refused on the very next request', async () => {
    const token = await appPasswordFor();
    expect((await propfindRoot('alice', basic('alice', token))).status).toBe(207);
    const res = await ocsJson(basic('alice', token), 'DELETE', '/ocs/v2.php/core/apppassword');
    expect(res.status).toBe(200);
    expect(res.meta.statuscode).toBe(200);
    expect((await propfindRoot('alice', basic('alice', token))).status).toBe(401);
    expect((await ocsJson(basic('alice', token), 'GET', '/ocs/v2.php/cloud/user')).status).toBe(401);
  });

  it('is refused with the login password: no app password in use (403)', async () => {
    const res = await ocsJson(basic('alice', ALICE.password), 'DELETE', '/ocs/v2.php/core/apppassword');
    expect(res.status).toBe(403);
    expect(res.meta.message).toBe('no app password in use');
  });

  it('rotates the token in use: the old one stops, the new one works, same entry', async () => {
    const token = await appPasswordFor();
    const before = await listAppPasswords(env, 'alice');
    const res = await ocsJson(basic('alice', token), 'POST', '/ocs/v2.php/core/apppassword/rotate');
    expect(res.status).toBe(200);
    const rotated = res.data.apppassword;
    expect(rotated).toMatch(TOKEN);
    expect((await propfindRoot('alice', basic('alice', token))).status).toBe(401);
    expect((await propfindRoot('alice', basic('alice', rotated))).status).toBe(207);
    expect((await listAppPasswords(env, 'alice')).length).toBe(before.length);
  });

  it('refuses to rotate without an app password (403)', async () => {
    const res = await ocsJson(basic('alice', ALICE.password), 'POST', '/ocs/v2.php/core/apppassword/rotate');
    expect(res.status).toBe(403);
  });
});

describe('management API /ocs/v2.php/apps/cumulus/api/v1/app-passwords', () => {
  const asAlice = basic('alice', ALICE.password);
  const form = (fields: Record<string, string>) => ({
    body: new URLSearchParams(fields), headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  });

  it('creates one with a name (201) and shows the token once', async () => {
    const res = await ocsJson(asAlice, 'POST', API, form({ name: 'Laptop rclone' }));
    expect(res.status).toBe(201);
    expect(res.data).toMatchObject({ name: 'Laptop rclone', loginName: 'alice', appPassword: expect.stringMatching(TOKEN) });
    expect(res.data.createdAt).toBe(res.data.lastActivity);
    expect((await propfindRoot('alice', basic('alice', res.data.appPassword))).status).toBe(207);
  });

  it('lists the caller\'s app passwords with last activity, marking the one in use; never tokens', async () => {
    const token = await appPasswordFor(ALICE, 'lister');
    const res = await ocsJson(basic('alice', token), 'GET', API);
    expect(res.status).toBe(200);
    const mine = res.data.find((p: { name: string }) => p.name === 'lister');
    expect(mine).toMatchObject({ loginName: 'alice', current: true, lastActivity: expect.any(Number) });
    expect(Object.keys(mine).sort()).toEqual(['createdAt', 'current', 'id', 'lastActivity', 'loginName', 'name']);
    expect(res.data.filter((p: { current: boolean }) => p.current)).toHaveLength(1);
    expect(JSON.stringify(res.data)).not.toContain(token);
    expect((await ocsJson(basic('bob', BOB.password), 'GET', API)).data).toEqual([]);
  });

  it('revokes one by id: refused at once', async () => {
    const created = await ocsJson(asAlice, 'POST', API, form({ name: 'to revoke' }));
    const res = await ocsJson(asAlice, 'DELETE', `${API}/${created.data.id}`);
    expect(res.status).toBe(200);
    expect((await propfindRoot('alice', basic('alice', created.data.appPassword))).status).toBe(401);
  });

  it('answers 404 for an unknown id and for someone else\'s, which keeps working', async () => {
    const bobs = await createAppPassword(env, { userId: 'bob', name: 'bob device', loginName: 'bob' });
    expect((await ocsJson(asAlice, 'DELETE', `${API}/${bobs.id}`)).status).toBe(404);
    expect((await ocsJson(asAlice, 'DELETE', `${API}/no-such-id`)).status).toBe(404);
    expect((await propfindRoot('bob', basic('bob', bobs.token))).status).toBe(207);
  });

  it('refuses to create or revoke with an app password (403): a leaked token cannot mint more', async () => {
    const token = await appPasswordFor();
    const other = await createAppPassword(env, { userId: 'alice', name: 'other', loginName: 'alice' });
    expect((await ocsJson(basic('alice', token), 'POST', API, form({ name: 'more' }))).status).toBe(403);
    expect((await ocsJson(basic('alice', token), 'DELETE', `${API}/${other.id}`)).status).toBe(403);
    expect((await propfindRoot('alice', basic('alice', other.token))).status).toBe(207);
  });

  it('refuses a missing or blank name (400)', async () => {
    expect((await ocsJson(asAlice, 'POST', API)).status).toBe(400);
    expect((await ocsJson(asAlice, 'POST', API, form({ name: '   ' }))).status).toBe(400);
  });

  it('refuses callers without credentials (401, OCS 997)', async () => {
    for (const [method, path] of [['GET', API], ['POST', API], ['DELETE', `${API}/x`]]) {
      const res = await ocsJson(null, method, path);
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.meta.statuscode).toBe(997);
    }
  });

  it('keeps control characters out of names and caps them at 255 characters', async () => {
    const res = await ocsJson(asAlice, 'POST', API, form({ name: `a\u0000b\n${'x'.repeat(300)}` }));
    expect(res.data.name).toBe(`a b ${'x'.repeat(251)}`);
  });
});
