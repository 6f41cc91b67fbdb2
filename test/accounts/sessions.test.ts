import { env, exports } from 'cloudflare:workers';
import { drizzle } from 'drizzle-orm/d1';
import { beforeAll, describe, expect, it } from 'vitest';
import { webSessions } from '../../schema/sessions';
import {
  createSession, csrfToken, SESSION_IDLE_MS, SESSION_MAX_AGE_MS, verifySession,
} from '../../worker/accounts/sessions';
import { recordFailure, throttleKeys, MAX_FAILURES } from '../../worker/accounts/throttle';
import { setUserEnabled } from '../../worker/accounts/users';
import { addUser, BASE, call, installAdmin } from './helpers';

const BOB = { id: 'bob', password: 'bob-password-1', email: 'bob@example.org' };

/** POST /login as the web app sends it (JSON, same Origin). */
function signIn(user: string, password: string, base = BASE, ip = '198.51.100.7') {
  return call('/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: base, 'CF-Connecting-IP': ip },
    body: JSON.stringify({ user, password }),
  });
}

/** Signs in and returns the cookie header to send back and the CSRF token. */
async function session(user = BOB.id, password = BOB.password) {
  const res = await signIn(user, password);
  expect(res.status).toBe(200);
  const setCookie = res.headers.get('Set-Cookie') ?? '';
  const { requesttoken } = await res.json<{ requesttoken: string }>();
  return { cookie: setCookie.split(';')[0], token: setCookie.split(';')[0].split('=')[1], requesttoken };
}

function withCookie(cookie: string, init: RequestInit = {}, extra: Record<string, string> = {}): RequestInit {
  const headers = new Headers(init.headers);
  headers.set('Cookie', cookie);
  for (const [k, v] of Object.entries(extra)) headers.set(k, v);
  return { ...init, headers };
}

const PROPFIND = { method: 'PROPFIND', headers: { Depth: '0' } };

beforeAll(async () => {
  await installAdmin();
  await addUser({ ...BOB, displayName: 'Bob' });
  await addUser({ id: 'carol', displayName: 'Carol' });
  await addUser({ id: 'dave', displayName: 'Dave' });
});

describe('POST /login (web sign-in)', () => {
  it('starts a session: cookie HttpOnly, SameSite=Lax, Path=/, not Secure over http; D1 keeps only a hash', async () => {
    const res = await signIn('bob', BOB.password);
    expect(res.status).toBe(200);
    const body = await res.json<{ user: { id: string; displayName: string }; requesttoken: string }>();
    expect(body.user).toEqual({ id: 'bob', displayName: 'Bob' });
    expect(body.requesttoken).toMatch(/^[0-9a-f]{64}$/);
    const cookie = res.headers.get('Set-Cookie')!;
    expect(cookie).toMatch(/^cumulus_session=[A-Za-z0-9]{43}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/);
    expect(cookie).not.toContain('Secure');
    const token = cookie.split(';')[0].split('=')[1];
    const rows = await drizzle(env.DB).select().from(webSessions).all();
    expect(rows.some((r) => r.tokenHash === token)).toBe(false);
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows.some((r) => r.userId === 'bob' && r.loginName === 'bob')).toBe(true);
  });

  it('sets a Secure __Host- cookie when the request came over https', async () => {
    const res = await exports.default.fetch(new Request('https://cumulus.test/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: 'https://cumulus.test' },
      body: JSON.stringify({ user: 'bob', password: BOB.password }),
    }));
    expect(res.status).toBe(200);
    const cookie = res.headers.get('Set-Cookie')!;
    expect(cookie).toMatch(
      /^__Host-cumulus_session=[A-Za-z0-9]{43}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax; Secure$/,
    );
    // Over https only the __Host- name counts: a bare-named cookie (which a sibling subdomain
    // could plant) signs nobody in.
    const token = cookie.split(';')[0].split('=')[1];
    const csrf = await exports.default.fetch(new Request('https://cumulus.test/csrftoken', { headers: { Cookie: `__Host-cumulus_session=${token}` } }));
    expect(csrf.status).toBe(200);
    const bare = await exports.default.fetch(new Request('https://cumulus.test/csrftoken', { headers: { Cookie: `cumulus_session=${token}` } }));
    expect(bare.status).toBe(401);
  });

  it('accepts the e-mail address as login name', async () => {
    const res = await signIn('bob@example.org', BOB.password);
    expect(res.status).toBe(200);
    expect((await res.json<{ user: { id: string } }>()).user.id).toBe('bob');
  });

  it('refuses a wrong password with 401 and the same message as an unknown account, and no cookie', async () => {
    const wrong = await signIn('bob', 'not-the-password', BASE, '198.51.100.20');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('Set-Cookie')).toBeNull();
    const unknown = await signIn('nobody', 'not-the-password', BASE, '198.51.100.21');
    expect(await wrong.json()).toEqual(await unknown.json());
  });

  it('is throttled like Basic auth: 429 with Retry-After, even with the right password', async () => {
    const ip = '198.51.100.99';
    const db = drizzle(env.DB);
    for (let i = 0; i < MAX_FAILURES; i++) await recordFailure(db, throttleKeys(ip, 'carol'), Date.now());
    const res = await signIn('carol', 'carol-password-1', BASE, ip);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect((await res.json<{ retryAfter: number }>()).retryAfter).toBeGreaterThan(0);
  });

  it('refuses a disabled account', async () => {
    await setUserEnabled(env, 'dave', false);
    const res = await signIn('dave', 'dave-password-1', BASE, '198.51.100.30');
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'This account is disabled' });
    expect(res.headers.get('Set-Cookie')).toBeNull();
    await setUserEnabled(env, 'dave', true);
  });

  it('refuses a sign-in from another site or without Origin (login CSRF) with 403', async () => {
    for (const origin of ['https://evil.example', 'null', undefined]) {
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (origin) headers.Origin = origin;
      const res = await call('/login', { method: 'POST', headers, body: JSON.stringify({ user: 'bob', password: BOB.password }) });
      expect(res.status, String(origin)).toBe(403);
      expect(res.headers.get('Set-Cookie')).toBeNull();
    }
  });

  it('refuses a form post (what a cross-site form could send) with 415, and a body without fields with 400', async () => {
    const formPost = await call('/login', {
      method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: BASE },
      body: new URLSearchParams({ user: 'bob', password: BOB.password }),
    });
    expect(formPost.status).toBe(415);
    const empty = await call('/login', { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: BASE }, body: '{}' });
    expect(empty.status).toBe(400);
  });
});

describe('session cookie on WebDAV and OCS', () => {
  it('lets the cookie read over WebDAV (PROPFIND with requesttoken → 207) and GET without a token', async () => {
    const s = await session();
    const res = await call('/remote.php/dav/files/bob/', withCookie(s.cookie, PROPFIND, { requesttoken: s.requesttoken }));
    expect(res.status).toBe(207);
    const get = await call('/remote.php/dav/files/bob/', withCookie(s.cookie));
    expect(get.status).not.toBe(401);
    expect(get.status).not.toBe(403);
  });

  it('refuses a cookie request other than GET/HEAD/OPTIONS without a valid requesttoken: 403, nothing written', async () => {
    const s = await session();
    const none = await call('/remote.php/dav/files/bob/', withCookie(s.cookie, PROPFIND));
    expect(none.status).toBe(403);
    expect(await none.text()).toContain('Sabre\\DAV\\Exception\\Forbidden');
    const other = await session();
    const wrong = await call('/remote.php/dav/files/bob/', withCookie(s.cookie, PROPFIND, { requesttoken: other.requesttoken }));
    expect(wrong.status).toBe(403);
    const put = await call('/remote.php/dav/files/bob/csrf.txt', withCookie(s.cookie, { method: 'PUT', body: 'forged' }));
    expect(put.status).toBe(403);
    const check = await call('/remote.php/dav/files/bob/csrf.txt', withCookie(s.cookie));
    expect(check.status).toBe(404);
    const ok = await call('/remote.php/dav/files/bob/csrf.txt', withCookie(s.cookie, { method: 'PUT', body: 'mine' }, { requesttoken: s.requesttoken }));
    expect(ok.status).toBe(201);
  });

  it('a session of bob gives no access to another user\'s files', async () => {
    const s = await session();
    const res = await call('/remote.php/dav/files/carol/', withCookie(s.cookie, PROPFIND, { requesttoken: s.requesttoken }));
    expect([403, 404]).toContain(res.status);
  });

  it('works on OCS with OCS-APIRequest: true in place of the requesttoken, GET and POST alike (the full rule: sessions-ocs.test.ts)', async () => {
    const s = await session();
    const res = await call('/ocs/v2.php/cloud/user?format=json', withCookie(s.cookie, {}, { 'OCS-APIRequest': 'true' }));
    expect(res.status).toBe(200);
    expect((await res.json<{ ocs: { data: { id: string } } }>()).ocs.data.id).toBe('bob');
    // Regression: a cookie POST with the header was refused (403), unlike Nextcloud. It now reaches
    // the route, which answers 998 / 404 because getapppassword is a GET.
    const post = await call('/ocs/v2.php/core/getapppassword?format=json', withCookie(s.cookie, { method: 'POST' }, { 'OCS-APIRequest': 'true' }));
    expect(post.status).toBe(404);
    expect((await post.json<{ ocs: { meta: { statuscode: number } } }>()).ocs.meta.statuscode).toBe(998);
    const neither = await call('/ocs/v2.php/core/getapppassword?format=json', withCookie(s.cookie, { method: 'POST' }));
    expect(neither.status).toBe(403);
    expect((await neither.json<{ ocs: { meta: { statuscode: number; message: string } } }>()).ocs.meta).toMatchObject({ statuscode: 403, message: expect.stringContaining('CSRF') });
  });

  it('refuses an unknown or malformed cookie with 401', async () => {
    for (const value of ['A'.repeat(43), 'short', '../../etc']) {
      const res = await call('/remote.php/dav/files/bob/', withCookie(`cumulus_session=${value}`, { headers: { Depth: '0' } }));
      expect(res.status, value).toBe(401);
    }
  });

  it('refuses the cookie of a disabled user (and lets it in again once re-enabled)', async () => {
    const s = await session();
    await setUserEnabled(env, 'bob', false);
    const res = await call('/remote.php/dav/files/bob/', withCookie(s.cookie, PROPFIND, { requesttoken: s.requesttoken }));
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('This account is disabled');
    expect((await call('/csrftoken', withCookie(s.cookie))).status).toBe(401);
    await setUserEnabled(env, 'bob', true);
    const again = await call('/remote.php/dav/files/bob/', withCookie(s.cookie, PROPFIND, { requesttoken: s.requesttoken }));
    expect(again.status).toBe(207);
  });
});

describe('GET /csrftoken and POST /logout', () => {
  it('GET /csrftoken answers the session\'s token and user, 401 without a session', async () => {
    const s = await session();
    const res = await call('/csrftoken', withCookie(s.cookie));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      token: s.requesttoken, user: { id: 'bob', displayName: 'Bob', email: 'bob@example.org', isAdmin: false },
    });
    expect((await call('/index.php/csrftoken', withCookie(s.cookie))).status).toBe(200);
    expect((await call('/csrftoken')).status).toBe(401);
  });

  it('POST /logout without the requesttoken is refused (403) and the session lives on', async () => {
    const s = await session();
    const res = await call('/logout', withCookie(s.cookie, { method: 'POST' }));
    expect(res.status).toBe(403);
    expect((await call('/csrftoken', withCookie(s.cookie))).status).toBe(200);
    expect((await call('/logout', { method: 'POST' })).status).toBe(401);
  });

  it('POST /logout with the requesttoken deletes the session and clears the cookie', async () => {
    const s = await session();
    const res = await call('/logout', withCookie(s.cookie, { method: 'POST' }, { requesttoken: s.requesttoken }));
    expect(res.status).toBe(200);
    expect(res.headers.get('Set-Cookie')).toBe('cumulus_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax');
    expect((await call('/csrftoken', withCookie(s.cookie))).status).toBe(401);
    const dav = await call('/remote.php/dav/files/bob/', withCookie(s.cookie, PROPFIND, { requesttoken: s.requesttoken }));
    expect(dav.status).toBe(401);
  });
});

describe('session lifetime (sessions.ts)', () => {
  it('verifies a fresh session and derives the same CSRF token as the sign-in', async () => {
    const now = Date.now();
    const { token } = await createSession(env, 'bob', 'bob', now);
    const result = await verifySession(env, token, now + 1000);
    expect(result.ok && result.user).toMatchObject({ id: 'bob', via: 'session' });
    expect(await csrfToken(token)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('expires after the idle timeout, and activity keeps it alive', async () => {
    const now = Date.now();
    const idle = await createSession(env, 'bob', 'bob', now);
    expect((await verifySession(env, idle.token, now + SESSION_IDLE_MS)).ok).toBe(false);
    // Gone for good: a later, in-window check does not revive it.
    expect((await verifySession(env, idle.token, now + 1000)).ok).toBe(false);

    const active = await createSession(env, 'bob', 'bob', now);
    const step = SESSION_IDLE_MS * 0.75;
    expect((await verifySession(env, active.token, now + step)).ok).toBe(true);
    expect((await verifySession(env, active.token, now + 2 * step)).ok).toBe(true);
  });

  it('ends at its absolute expiry however active', async () => {
    const now = Date.now();
    const { token, expiresAt } = await createSession(env, 'bob', 'bob', now);
    expect(expiresAt).toBe(now + SESSION_MAX_AGE_MS);
    let t = now;
    while (t + SESSION_IDLE_MS / 2 < expiresAt) {
      t += SESSION_IDLE_MS / 2;
      expect((await verifySession(env, token, t)).ok).toBe(true);
    }
    expect((await verifySession(env, token, expiresAt)).ok).toBe(false);
  });

  it('sweeps dead sessions when someone signs in', async () => {
    const long = Date.now() - SESSION_MAX_AGE_MS - 1000;
    const old = await createSession(env, 'bob', 'bob', long);
    await createSession(env, 'bob', 'bob', Date.now());
    const rows = await drizzle(env.DB).select().from(webSessions).all();
    expect(rows.every((r) => r.expiresAt > Date.now())).toBe(true);
    expect((await verifySession(env, old.token, Date.now())).ok).toBe(false);
  });
});
