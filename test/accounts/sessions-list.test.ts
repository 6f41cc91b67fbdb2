import { beforeAll, describe, expect, it } from 'vitest';
import { addUser, BASE, call, callAs, installAdmin } from './helpers';

// "Devices & sessions": a user lists their browser sessions and signs one out.

const ZED = { id: 'zed', password: 'zed-password-1' };
const OTHER = { id: 'other', password: 'other-password-1' };

async function sessionOf(user: { id: string; password: string }, agent: string) {
  const res = await call('/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json', Origin: BASE, 'User-Agent': agent, 'CF-Connecting-IP': '198.51.100.20' },
    body: JSON.stringify({ user: user.id, password: user.password }),
  });
  expect(res.status).toBe(200);
  const cookie = (res.headers.get('Set-Cookie') ?? '').split(';')[0];
  const { requesttoken } = await res.json<{ requesttoken: string }>();
  return { Cookie: cookie, requesttoken };
}

type Listed = { id: string; userAgent: string | null; createdAt: number; lastActivity: number; current: boolean }[];
const API = '/ocs/v2.php/apps/cumulus/api/v1/sessions';
const OCS = { 'OCS-APIRequest': 'true' };

async function list(headers: Record<string, string>): Promise<{ status: number; data: Listed }> {
  const res = await call(`${API}?format=json`, { headers: { ...OCS, ...headers } });
  return { status: res.status, data: res.status === 200 ? (await res.json<{ ocs: { data: Listed } }>()).ocs.data : [] };
}

beforeAll(async () => {
  await installAdmin();
  await addUser(ZED);
  await addUser(OTHER);
});

describe('sessions list', () => {
  it('lists the caller\'s sessions with their browsers, marks the current one, never the hash', async () => {
    const laptop = await sessionOf(ZED, 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0');
    await sessionOf(ZED, 'Mozilla/5.0 (iPhone) Safari/18');
    await sessionOf(OTHER, 'Other browser');
    const { status, data } = await list(laptop);
    expect(status).toBe(200);
    expect(data.map((s) => s.userAgent).sort()).toEqual(['Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0', 'Mozilla/5.0 (iPhone) Safari/18'].sort());
    expect(data.filter((s) => s.current).map((s) => s.userAgent)).toEqual(['Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0']);
    for (const s of data) expect(s.id).toMatch(/^[0-9a-f]{16}$/);
    // With Basic auth no session is current.
    const basic = await callAs(ZED.id, ZED.password, `${API}?format=json`, { headers: OCS });
    expect((await basic.json<{ ocs: { data: Listed } }>()).ocs.data.every((s) => !s.current)).toBe(true);
  });

  it('signs another browser out (it is refused at once); another user\'s id is 404; the session needs its CSRF token or OCS-APIRequest', async () => {
    const laptop = await sessionOf(ZED, 'Laptop');
    const phone = await sessionOf(ZED, 'Phone');
    const tablet = await sessionOf(ZED, 'Tablet');
    const phoneId = (await list(laptop)).data.find((s) => s.userAgent === 'Phone')!.id;
    const tabletId = (await list(laptop)).data.find((s) => s.userAgent === 'Tablet')!.id;
    const otherSession = await sessionOf(OTHER, 'Their browser');
    const theirId = (await list(otherSession)).data.find((s) => s.current)!.id;
    const del = (id: string, headers: Record<string, string>) => call(`${API}/${id}?format=json`, { method: 'DELETE', headers: { ...OCS, ...headers } });
    // Neither the requesttoken nor OCS-APIRequest: refused (CSRF), the phone stays signed in.
    const forged = await call(`${API}/${phoneId}?format=json`, { method: 'DELETE', headers: { Cookie: laptop.Cookie } });
    expect(forged.status).toBe(403);
    expect((await list(phone)).status).toBe(200);
    // OCS-APIRequest: true alone is enough on OCS, as in Nextcloud.
    expect((await del(tabletId, { Cookie: laptop.Cookie })).status).toBe(200);
    expect((await list(tablet)).status).toBe(401);
    expect((await del(theirId, laptop)).status).toBe(404);
    expect((await del('zzzz', laptop)).status).toBe(404);
    expect((await list(otherSession)).status).toBe(200);
    expect((await del(phoneId, laptop)).status).toBe(200);
    expect((await list(phone)).status).toBe(401);
    expect((await list(laptop)).status).toBe(200);
    expect((await call(`${API}?format=json`, { headers: OCS })).status).toBe(401);
  });
});
