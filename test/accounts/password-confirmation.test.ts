import { beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, addUser, BASE, basic, call, callAs, installAdmin } from './helpers';

// Setting a password and minting or revoking app passwords need the caller's login password on
// the request itself: a stolen browser session or device token must not be able to lock the owner
// out or create tokens of its own.

const PIA = { id: 'pia', password: 'pia-password-1' };
const OCS = { 'OCS-APIRequest': 'true', 'Content-Type': 'application/x-www-form-urlencoded' };

async function sessionOf(user: { id: string; password: string }) {
  const res = await call('/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json', Origin: BASE, 'CF-Connecting-IP': '198.51.100.9' },
    body: JSON.stringify({ user: user.id, password: user.password }),
  });
  expect(res.status).toBe(200);
  const cookie = (res.headers.get('Set-Cookie') ?? '').split(';')[0];
  const { requesttoken } = await res.json<{ requesttoken: string }>();
  return { Cookie: cookie, requesttoken };
}

const withSession = (s: { Cookie: string; requesttoken: string }, method: string, path: string, body?: string) =>
  call(`/ocs/v2.php${path}?format=json`, { method, headers: { ...OCS, ...s }, body });

beforeAll(async () => {
  await installAdmin();
  await addUser(PIA);
});

describe('password confirmation', () => {
  it('a session cannot set its own password (403); the same request with the login password (Basic) can', async () => {
    const s = await sessionOf(PIA);
    const refused = await withSession(s, 'PUT', '/cloud/users/pia', 'key=password&value=hijacked-password-1');
    expect(refused.status).toBe(403);
    expect((await callAs(PIA.id, 'hijacked-password-1', '/ocs/v2.php/cloud/user?format=json', { headers: { 'OCS-APIRequest': 'true' } })).status).toBe(401);
    const ok = await callAs(PIA.id, PIA.password, '/ocs/v2.php/cloud/users/pia?format=json', { method: 'PUT', headers: OCS, body: 'key=password&value=pia-password-2' });
    expect(ok.status).toBe(200);
    PIA.password = 'pia-password-2';
    expect((await callAs(PIA.id, PIA.password, '/ocs/v2.php/cloud/user?format=json', { headers: { 'OCS-APIRequest': 'true' } })).status).toBe(200);
  });

  it("an admin's session cannot reset another user's password either; with the admin password it can", async () => {
    const s = await sessionOf(ADMIN);
    expect((await withSession(s, 'PUT', '/cloud/users/pia', 'key=password&value=reset-password-1')).status).toBe(403);
    expect((await withSession(s, 'PUT', '/cloud/users/pia', 'key=displayname&value=Pia P.')).status).toBe(200); // other edits stay easy
    const ok = await callAs(ADMIN.id, ADMIN.password, '/ocs/v2.php/cloud/users/pia?format=json', { method: 'PUT', headers: OCS, body: 'key=password&value=reset-password-1' });
    expect(ok.status).toBe(200);
    PIA.password = 'reset-password-1';
  });

  it('app passwords: a session lists them but cannot create or revoke; an app password cannot set a password', async () => {
    const s = await sessionOf(PIA);
    expect((await withSession(s, 'GET', '/apps/cumulus/api/v1/app-passwords')).status).toBe(200);
    expect((await withSession(s, 'POST', '/apps/cumulus/api/v1/app-passwords', 'name=sneaky')).status).toBe(403);
    const created = await callAs(PIA.id, PIA.password, '/ocs/v2.php/apps/cumulus/api/v1/app-passwords?format=json', { method: 'POST', headers: OCS, body: 'name=phone' });
    expect(created.status).toBe(201);
    const { id, appPassword } = (await created.json<{ ocs: { data: { id: string; appPassword: string } } }>()).ocs.data;
    expect((await withSession(s, 'DELETE', `/apps/cumulus/api/v1/app-passwords/${id}`)).status).toBe(403);
    const viaToken = await call('/ocs/v2.php/cloud/users/pia?format=json', { method: 'PUT', headers: { ...OCS, Authorization: basic(PIA.id, appPassword) }, body: 'key=password&value=token-password-1' });
    expect(viaToken.status).toBe(403);
    expect((await callAs(PIA.id, PIA.password, `/ocs/v2.php/apps/cumulus/api/v1/app-passwords/${id}?format=json`, { method: 'DELETE', headers: OCS })).status).toBe(200);
  });
});
