import { env } from 'cloudflare:workers';
import { drizzle } from 'drizzle-orm/d1';
import { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { loginFailures } from '../../schema';
import { requireUser } from '../../worker/accounts/auth';
import { FAILURE_WINDOW_MS, purgeStaleLoginFailures, throttleDelay } from '../../worker/accounts/throttle';
import type { AppEnv } from '../../worker/http/env';
import { addUser, basic, callAs, installAdmin } from './helpers';

// Real time, so that the real app (on the real clock) sees the same counters as live.
const T0 = Date.now();
const clock = { now: T0 };
const delays: number[] = [];

/** A protected app on an injected clock whose throttle delays are recorded instead of waited. */
function loginApp() {
  const app = new Hono<AppEnv>();
  app.use('*', requireUser({ now: () => clock.now, sleep: async (ms) => { delays.push(ms); } }));
  app.get('/', (c) => c.text(c.get('user').id));
  return (login: string, password: string, ip: string) => app.fetch(new Request('http://cumulus.test/', {
    headers: { Authorization: basic(login, password), 'CF-Connecting-IP': ip },
  }), env);
}

async function counters(): Promise<Record<string, number>> {
  const rows = await drizzle(env.DB).select().from(loginFailures);
  return Object.fromEntries(rows.map((r) => [r.key, r.failures]));
}

beforeAll(async () => {
  await installAdmin();
  await addUser({ id: 'victim', password: 'victim-password-1' });
  await addUser({ id: 'bystander', password: 'bystander-password-1' });
});

describe('login throttling', () => {
  it('delays 100 ms after one failure, doubling per failure up to 4 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 10].map(throttleDelay)).toEqual([0, 100, 200, 400, 800, 1600, 3200, 4000, 4000]);
  });

  it('counts each failure against the client IP and the login, in D1', async () => {
    const login = loginApp();
    for (let i = 0; i < 3; i++) expect((await login('victim', 'guess', '203.0.113.5')).status).toBe(401);
    expect(await counters()).toEqual({ 'ip:203.0.113.5': 3, 'user:victim': 3 });
    expect(delays).toEqual([100, 200]);
  });

  it('clears both counters on a successful login', async () => {
    const login = loginApp();
    expect((await login('victim', 'victim-password-1', '203.0.113.5')).status).toBe(200);
    expect(delays.at(-1)).toBe(400);
    expect(await counters()).toEqual({});
    delays.length = 0;
  });

  it('answers 429 with Retry-After after 10 failures, without checking even the right password', async () => {
    const login = loginApp();
    for (let i = 0; i < 10; i++) expect((await login('victim', `guess-${i}`, '203.0.113.9')).status).toBe(401);
    expect(delays).toEqual([100, 200, 400, 800, 1600, 3200, 4000, 4000, 4000]);
    clock.now += 60_000;
    const res = await login('victim', 'victim-password-1', '203.0.113.9');
    expect(res.status).toBe(429);
    expect(res.headers.get('Retry-After')).toBe(String((FAILURE_WINDOW_MS - 60_000) / 1000));
    expect(await counters()).toEqual({ 'ip:203.0.113.9': 10, 'user:victim': 10 });
  });

  it('keeps blocking in a freshly built middleware (another request or isolate), from any IP for that login', async () => {
    const elsewhere = loginApp();
    expect((await elsewhere('victim', 'victim-password-1', '198.51.100.1')).status).toBe(429);
    // …and from that IP for any login
    expect((await elsewhere('bystander', 'bystander-password-1', '203.0.113.9')).status).toBe(429);
    // other logins from other addresses are unaffected
    expect((await elsewhere('bystander', 'bystander-password-1', '198.51.100.1')).status).toBe(200);
  });

  it('is enforced by the real app too, from the counters in D1', async () => {
    const res = await callAs('bystander', 'bystander-password-1', '/ocs/v2.php/cloud/user?format=json', {}, '203.0.113.9');
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect((await res.json<{ ocs: { meta: { statuscode: number } } }>()).ocs.meta.statuscode).toBe(429);
  });

  it('restarts counters older than 30 minutes from zero', async () => {
    clock.now += FAILURE_WINDOW_MS;
    const login = loginApp();
    delays.length = 0;
    expect((await login('victim', 'wrong', '203.0.113.9')).status).toBe(401);
    expect(delays).toEqual([]);
    expect(await counters()).toEqual({ 'ip:203.0.113.9': 1, 'user:victim': 1 });
    expect((await login('victim', 'victim-password-1', '203.0.113.9')).status).toBe(200);
    expect(await counters()).toEqual({});
  });

  it('purges counters past their window in the scheduled job', async () => {
    const db = drizzle(env.DB);
    await db.insert(loginFailures).values([
      { key: 'ip:old', failures: 4, lastFailureAt: T0 },
      { key: 'ip:new', failures: 4, lastFailureAt: T0 + FAILURE_WINDOW_MS },
    ]);
    await purgeStaleLoginFailures(env, new Date(T0 + FAILURE_WINDOW_MS + 1));
    expect(await counters()).toEqual({ 'ip:new': 4 });
  });
});
