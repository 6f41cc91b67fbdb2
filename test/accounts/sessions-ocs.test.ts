import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { setUserEnabled } from '../../worker/accounts/users';
import { ADMIN, addUser, BASE, basic, call, callAs, installAdmin } from './helpers';

// The OCS-APIRequest rule (nextcloud-api.md §1.2; Nextcloud's SecurityMiddleware): on OCS routes a
// cookie-authenticated request passes the CSRF check with a valid requesttoken OR the header
// `OCS-APIRequest: true`, whatever its method; with neither it is refused. Basic credentials need
// neither. On WebDAV the header does not stand in for the requesttoken.

const OLGA = { id: 'olga', password: 'olga-password-1' };
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
const HEADER = { 'OCS-APIRequest': 'true' };

interface Session { Cookie: string; requesttoken: string }

async function sessionOf(user: { id: string; password: string }): Promise<Session> {
  const res = await call('/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json', Origin: BASE, 'CF-Connecting-IP': '198.51.100.40' },
    body: JSON.stringify({ user: user.id, password: user.password }),
  });
  expect(res.status).toBe(200);
  const { requesttoken } = await res.json<{ requesttoken: string }>();
  return { Cookie: (res.headers.get('Set-Cookie') ?? '').split(';')[0], requesttoken };
}

/** An OCS v2 JSON call with exactly these headers. */
async function ocs(method: string, path: string, headers: Record<string, string>, body?: string) {
  const res = await call(`${path}${path.includes('?') ? '&' : '?'}format=json`, { method, headers, body });
  const meta = (await res.json<{ ocs: { meta: { statuscode: number; message: string } } }>()).ocs.meta;
  return { status: res.status, statuscode: meta.statuscode, message: meta.message };
}

/** A user's display name, read with the admin's Basic credentials. */
async function displayNameOf(user: string): Promise<string> {
  const res = await callAs(ADMIN.id, ADMIN.password, `/ocs/v2.php/cloud/users/${user}?format=json`, { headers: HEADER });
  return (await res.json<{ ocs: { data: { displayname: string } } }>()).ocs.data.displayname;
}
/** Whether a group exists, asked with the admin's Basic credentials. */
async function groupExists(id: string): Promise<boolean> {
  return (await callAs(ADMIN.id, ADMIN.password, `/ocs/v2.php/cloud/groups/${id}?format=json`, { headers: HEADER })).status === 200;
}

beforeAll(async () => {
  await installAdmin();
  await addUser({ ...OLGA, displayName: 'Olga' });
});

describe('OCS-APIRequest rule: cookie sessions on OCS', () => {
  it('a cookie POST with OCS-APIRequest: true and no requesttoken is accepted', async () => {
    const admin = await sessionOf(ADMIN);
    const res = await ocs('POST', '/ocs/v2.php/cloud/groups', { Cookie: admin.Cookie, ...HEADER, ...FORM }, 'groupid=by-header');
    expect(res).toMatchObject({ status: 200, statuscode: 200 });
    expect(await groupExists('by-header')).toBe(true);
    const v1 = await ocs('POST', '/ocs/v1.php/cloud/groups', { Cookie: admin.Cookie, ...HEADER, ...FORM }, 'groupid=by-header-v1');
    expect(v1).toMatchObject({ status: 200, statuscode: 100 });
    expect(await groupExists('by-header-v1')).toBe(true);
  });

  it('a cookie PUT with the header, or with the requesttoken alone, is accepted', async () => {
    const olga = await sessionOf(OLGA);
    expect(await ocs('PUT', '/ocs/v2.php/cloud/users/olga', { Cookie: olga.Cookie, ...HEADER, ...FORM }, 'key=displayname&value=Olga H')).toMatchObject({ status: 200 });
    expect(await displayNameOf('olga')).toBe('Olga H');
    expect(await ocs('PUT', '/ocs/v2.php/cloud/users/olga', { ...olga, ...FORM }, 'key=displayname&value=Olga T')).toMatchObject({ status: 200 });
    expect(await displayNameOf('olga')).toBe('Olga T');
  });

  it('a cookie POST/PUT/DELETE with neither → 403 (CSRF) and nothing changed; a wrong header value or another session\'s token counts as neither', async () => {
    const admin = await sessionOf(ADMIN);
    const other = await sessionOf(ADMIN);
    await callAs(ADMIN.id, ADMIN.password, '/ocs/v2.php/cloud/groups?format=json', { method: 'POST', headers: FORM, body: 'groupid=keep-me' });
    expect(await groupExists('keep-me')).toBe(true);
    const refusals: Record<string, string>[] = [
      {},
      { 'OCS-APIRequest': 'false' },
      { 'OCS-APIRequest': '1' },
      { requesttoken: other.requesttoken },
      { requesttoken: '' },
    ];
    for (const extra of refusals) {
      const label = JSON.stringify(extra);
      const post = await ocs('POST', '/ocs/v2.php/cloud/groups', { Cookie: admin.Cookie, ...FORM, ...extra }, 'groupid=forged');
      expect(post, label).toMatchObject({ status: 403, statuscode: 403, message: expect.stringContaining('CSRF check failed') });
      const put = await ocs('PUT', '/ocs/v2.php/cloud/users/olga', { Cookie: admin.Cookie, ...FORM, ...extra }, 'key=displayname&value=Forged');
      expect(put.status, label).toBe(403);
      const del = await ocs('DELETE', '/ocs/v2.php/cloud/groups/keep-me', { Cookie: admin.Cookie, ...extra });
      expect(del.status, label).toBe(403);
    }
    // v1 answers a refusal with its real HTTP status too (only 997 → 401 is special there).
    const v1 = await ocs('POST', '/ocs/v1.php/cloud/groups', { Cookie: admin.Cookie, ...FORM }, 'groupid=forged');
    expect(v1).toMatchObject({ status: 403, statuscode: 403 });
    expect(await groupExists('forged')).toBe(false);
    expect(await groupExists('keep-me')).toBe(true);
    expect(await displayNameOf('olga')).not.toBe('Forged');
  });

  it('GET is checked too, as Nextcloud checks every method of an OCS route: the header or the token, else 403', async () => {
    const olga = await sessionOf(OLGA);
    expect(await ocs('GET', '/ocs/v2.php/cloud/user', { Cookie: olga.Cookie, ...HEADER })).toMatchObject({ status: 200 });
    expect(await ocs('GET', '/ocs/v2.php/cloud/user', { ...olga })).toMatchObject({ status: 200 });
    expect(await ocs('GET', '/ocs/v2.php/cloud/user', { Cookie: olga.Cookie })).toMatchObject({ status: 403, statuscode: 403 });
    expect(await ocs('GET', '/ocs/v1.php/cloud/user', { Cookie: olga.Cookie })).toMatchObject({ status: 403, statuscode: 403 });
    // The /index.php form is the same route.
    expect(await ocs('GET', '/index.php/ocs/v2.php/cloud/user', { Cookie: olga.Cookie, ...HEADER })).toMatchObject({ status: 200 });
    expect(await ocs('GET', '/index.php/ocs/v2.php/cloud/user', { Cookie: olga.Cookie })).toMatchObject({ status: 403 });
  });

  it('Basic credentials need neither the header nor a token, GET or POST', async () => {
    expect(await ocs('GET', '/ocs/v2.php/cloud/user', { Authorization: basic(OLGA.id, OLGA.password) })).toMatchObject({ status: 200 });
    const post = await ocs('POST', '/ocs/v2.php/cloud/groups', { Authorization: basic(ADMIN.id, ADMIN.password), ...FORM }, 'groupid=by-basic');
    expect(post).toMatchObject({ status: 200 });
    expect(await groupExists('by-basic')).toBe(true);
  });

  it('the header bypasses nothing without a live session: no cookie, an unknown, ended or disabled one → 401', async () => {
    const post = (cookie: string | null) => ocs('POST', '/ocs/v2.php/cloud/groups', { ...(cookie ? { Cookie: cookie } : {}), ...HEADER, ...FORM }, 'groupid=no-session');
    expect(await post(null)).toMatchObject({ status: 401, statuscode: 997 });
    expect(await post(`cumulus_session=${'A'.repeat(43)}`)).toMatchObject({ status: 401, statuscode: 997 });

    const ended = await sessionOf(ADMIN);
    expect((await call('/logout', { method: 'POST', headers: { ...ended } })).status).toBe(200);
    expect(await post(ended.Cookie)).toMatchObject({ status: 401, statuscode: 997 });

    const olga = await sessionOf(OLGA);
    await setUserEnabled(env, 'olga', false);
    try {
      expect(await ocs('GET', '/ocs/v2.php/cloud/user', { Cookie: olga.Cookie, ...HEADER })).toMatchObject({ status: 401, statuscode: 997 });
      expect(await ocs('GET', '/ocs/v2.php/cloud/user', { ...olga, ...HEADER })).toMatchObject({ status: 401 });
    } finally {
      await setUserEnabled(env, 'olga', true);
    }
    expect(await groupExists('no-session')).toBe(false);
  });
});

describe('OCS-APIRequest rule: why the header is proof enough', () => {
  it('a cross-site page cannot send it: a CORS preflight for it is never granted', async () => {
    for (const path of ['/ocs/v2.php/cloud/groups', '/ocs/v1.php/cloud/user', '/ocs/v2.php/apps/cumulus/api/v1/sessions']) {
      const res = await call(path, {
        method: 'OPTIONS',
        headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'ocs-apirequest' },
      });
      expect(res.headers.get('Access-Control-Allow-Origin'), path).toBeNull();
      expect(res.headers.get('Access-Control-Allow-Headers'), path).toBeNull();
      expect(res.headers.get('Access-Control-Allow-Credentials'), path).toBeNull();
    }
  });
});

describe('OCS-APIRequest rule: WebDAV keeps requiring the requesttoken', () => {
  it('a cookie PUT or PROPFIND with OCS-APIRequest: true but no requesttoken → 403, nothing written', async () => {
    const olga = await sessionOf(OLGA);
    const put = await call('/remote.php/dav/files/olga/header.txt', { method: 'PUT', headers: { Cookie: olga.Cookie, ...HEADER }, body: 'forged' });
    expect(put.status).toBe(403);
    const propfind = await call('/remote.php/dav/files/olga/', { method: 'PROPFIND', headers: { Cookie: olga.Cookie, ...HEADER, Depth: '0' } });
    expect(propfind.status).toBe(403);
    // A path that merely contains the OCS mount's name is not OCS.
    const lookalike = await call('/remote.php/dav/files/olga/ocs/v2.php', { method: 'PUT', headers: { Cookie: olga.Cookie, ...HEADER }, body: 'forged' });
    expect(lookalike.status).toBe(403);
    expect((await call('/remote.php/dav/files/olga/header.txt', { headers: { Cookie: olga.Cookie } })).status).toBe(404);
    const ok = await call('/remote.php/dav/files/olga/header.txt', { method: 'PUT', headers: { ...olga }, body: 'mine' });
    expect(ok.status).toBe(201);
  });
});
