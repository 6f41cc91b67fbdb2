import { env, exports } from 'cloudflare:workers';
import { drizzle } from 'drizzle-orm/d1';
import { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { loginFailures, loginFlows } from '../../schema';
import { listAppPasswords } from '../../worker/accounts/app-passwords';
import { loginFlowRoutes, ncLoginUrl, phpUrlencode } from '../../worker/accounts/login-flow-routes';
import { FLOW_TTL_MS, purgeExpiredLoginFlows } from '../../worker/accounts/login-flows';
import type { AppEnv } from '../../worker/http/env';
import { renderError } from '../../worker/http/errors';
import { addUser, ALICE, BASE, basic, installAdmin, propfindRoot } from './helpers';

type Fetcher = (request: Request) => Promise<Response>;
const realApp: Fetcher = (request) => exports.default.fetch(request);
const DESKTOP = 'Mozilla/5.0 (Linux) mirall/3.7.3 (Nextcloud, debian-6.1 ClientArchitecture: x86_64 OsArchitecture: x86_64)';

/** A browser: a cookie jar, one client address, no redirects followed. */
function browser(fetcher: Fetcher = realApp, ip = '192.0.2.80', base = BASE) {
  const jar = new Map<string, string>();
  async function request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (jar.size) headers.set('Cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    headers.set('CF-Connecting-IP', ip);
    const res = await fetcher(new Request(base + path, { ...init, headers, redirect: 'manual' }));
    for (const cookie of res.headers.getSetCookie()) {
      const pair = cookie.split(';')[0];
      jar.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    }
    return res;
  }
  return {
    jar,
    get: (path: string, headers: Record<string, string> = {}) => request(path, { headers }),
    post: (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) => request(path, {
      method: 'POST', body: new URLSearchParams(fields),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: base, ...headers },
    }),
  };
}

/** The form token of a page. */
function formToken(html: string): string {
  const m = /name="requesttoken" value="([A-Za-z0-9]+)"/.exec(html);
  if (!m) throw new Error(`no form token in:\n${html}`);
  return m[1];
}

interface Started { poll: { token: string; endpoint: string }; login: string }

async function startV2(fetcher: Fetcher = realApp, userAgent = DESKTOP): Promise<Started> {
  const res = await fetcher(new Request(`${BASE}/login/v2`, { method: 'POST', headers: { 'User-Agent': userAgent } }));
  expect(res.status).toBe(200);
  return res.json();
}

function poll(token: string, fetcher: Fetcher = realApp): Promise<Response> {
  return fetcher(new Request(`${BASE}/login/v2/poll`, {
    method: 'POST', body: new URLSearchParams({ token }),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  }));
}

/** Opens the login page, signs in, and returns the grant page's form token. */
async function signIn(b: ReturnType<typeof browser>, page: string, user = ALICE.id, password = ALICE.password): Promise<string> {
  const login = await b.get(page);
  expect(login.status).toBe(200);
  const res = await b.post(`${page}/login`, { requesttoken: formToken(await login.text()), user, password });
  expect(res.status).toBe(303);
  expect(res.headers.get('Location')).toBe(page);
  const grant = await b.get(page);
  const html = await grant.text();
  expect(html).toContain('<title>Grant access</title>');
  return formToken(html);
}

/** A flow app on an injected clock, as the real app mounts it. */
function clockedApp(clock: { now: number }): Fetcher {
  const app = new Hono<AppEnv>();
  app.onError(renderError);
  app.route('/', loginFlowRoutes({ now: () => clock.now, sleep: async () => {} }));
  return async (request) => app.fetch(request, env);
}

beforeAll(async () => {
  await installAdmin();
  await addUser({ ...ALICE, displayName: 'Alice <A.>', email: 'alice@example.org' });
  await addUser({ id: "o'neil smith", password: 'oneil-password-1' });
});

describe('Login Flow v2 through HTTP', () => {
  it('POST /index.php/login/v2 answers the poll endpoint and the login URL on this origin, as JSON', async () => {
    const res = await exports.default.fetch(new Request(`${BASE}/index.php/login/v2`, { method: 'POST', headers: { 'User-Agent': DESKTOP } }));
    expect(res.headers.get('Content-Type')).toBe('application/json; charset=utf-8');
    const body = await res.json<Started>();
    expect(Object.keys(body)).toEqual(['poll', 'login']);
    expect(body.poll.token).toMatch(/^[A-Za-z0-9]{128}$/);
    expect(body.poll.endpoint).toBe(`${BASE}/login/v2/poll`);
    expect(body.login).toMatch(new RegExp(`^${BASE}/login/v2/flow/[A-Za-z0-9]{128}$`));
    expect((await exports.default.fetch(new Request(`${BASE}/login/v2`, { method: 'POST' }))).status).toBe(200);
  });

  it('runs start → poll 404 → sign in → grant → poll 200 once → 404, and the app password works', async () => {
    const started = await startV2();
    const before = await poll(started.poll.token);
    expect(before.status).toBe(404);
    expect(before.headers.get('Content-Type')).toBe('application/json; charset=utf-8');
    expect(await before.text()).toBe('[]');

    const b = browser();
    const page = new URL(started.login).pathname;
    const login = await b.get(page);
    expect(login.status).toBe(200);
    const html = await login.text();
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<title>Connect to Cumulus</title>');
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain('<label for="user">Account name or e-mail</label>');
    expect(html).toContain('<label for="password">Password</label>');
    expect(html).toContain('mirall/3.7.3 (Nextcloud, debian-6.1');
    expect(html).toContain(`<form method="post" action="${page}/login">`);
    expect(login.headers.get('Content-Security-Policy')).toContain("form-action 'self';");
    // Regression: under no-referrer Chromium posts the form with "Origin: null", which is refused.
    expect(login.headers.get('Referrer-Policy')).toBe('same-origin');
    expect(login.headers.get('Set-Cookie')).toMatch(/^cumulus_flow=[A-Za-z0-9]{43}; Path=\/; Max-Age=1200; HttpOnly; SameSite=Lax$/);
    expect((await poll(started.poll.token)).status).toBe(404);

    const signedIn = await b.post(`${page}/login`, { requesttoken: formToken(html), user: 'alice', password: ALICE.password });
    expect(signedIn.status).toBe(303);
    const grantPage = await (await b.get(page)).text();
    expect(grantPage).toContain('Alice &#60;A.&#62;</strong> (alice)');
    expect((await poll(started.poll.token)).status).toBe(404);

    const granted = await b.post(`${page}/grant`, { requesttoken: formToken(grantPage) });
    expect(granted.status).toBe(200);
    expect(await granted.text()).toContain('<title>Account connected</title>');

    const first = await poll(started.poll.token);
    expect(first.status).toBe(200);
    expect(first.headers.get('Content-Type')).toBe('application/json; charset=utf-8');
    const credentials = await first.json<{ server: string; loginName: string; appPassword: string }>();
    expect(Object.keys(credentials)).toEqual(['server', 'loginName', 'appPassword']);
    expect(credentials).toMatchObject({ server: BASE, loginName: 'alice', appPassword: expect.stringMatching(/^[A-Za-z0-9]{72}$/) });
    expect((await poll(started.poll.token)).status).toBe(404);

    expect((await propfindRoot('alice', basic(credentials.loginName, credentials.appPassword))).status).toBe(207);
    expect((await listAppPasswords(env, 'alice')).map((p) => p.name)).toContain(DESKTOP);
    expect((await b.get(page)).status).toBe(403);
  });

  it('answers the login name as typed (e-mail), and the app password works with it', async () => {
    const started = await startV2();
    const b = browser();
    const page = new URL(started.login).pathname;
    const token = await signIn(b, page, 'Alice@Example.org');
    expect((await b.post(`${page}/grant`, { requesttoken: token })).status).toBe(200);
    const credentials = await (await poll(started.poll.token)).json<{ loginName: string; appPassword: string }>();
    expect(credentials.loginName).toBe('Alice@Example.org');
    expect((await propfindRoot('alice', basic('Alice@Example.org', credentials.appPassword))).status).toBe(207);
  });

  it('takes the poll token from the query, a JSON body, or a form body without Content-Type', async () => {
    for (const send of [
      (t: string) => new Request(`${BASE}/login/v2/poll?token=${t}`, { method: 'POST' }),
      (t: string) => new Request(`${BASE}/login/v2/poll`, { method: 'POST', body: JSON.stringify({ token: t }), headers: { 'Content-Type': 'application/json' } }),
      (t: string) => new Request(`${BASE}/login/v2/poll`, { method: 'POST', body: `token=${t}`, headers: { 'Content-Type': '' } }),
    ]) {
      const started = await startV2();
      const b = browser();
      const page = new URL(started.login).pathname;
      await b.post(`${page}/grant`, { requesttoken: await signIn(b, page) });
      expect((await exports.default.fetch(send(started.poll.token))).status).toBe(200);
    }
  });

  it('hands out the credentials once even to concurrent polls, and creates one app password', async () => {
    const started = await startV2(realApp, 'concurrent-client');
    const b = browser();
    const page = new URL(started.login).pathname;
    await b.post(`${page}/grant`, { requesttoken: await signIn(b, page) });
    const statuses = (await Promise.all([1, 2, 3, 4].map(() => poll(started.poll.token)))).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 404, 404, 404]);
    expect((await listAppPasswords(env, 'alice')).filter((p) => p.name === 'concurrent-client')).toHaveLength(1);
  });

  it('keeps no token in clear in the database', async () => {
    const started = await startV2();
    const rows = JSON.stringify(await drizzle(env.DB).select().from(loginFlows));
    expect(rows).not.toContain(started.poll.token);
    expect(rows).not.toContain(new URL(started.login).pathname.split('/').pop());
  });

  it('sets a __Host- cookie with Secure under https, and answers https URLs', async () => {
    const https = 'https://cumulus.test';
    const started = await (await exports.default.fetch(new Request(`${https}/login/v2`, { method: 'POST' }))).json<Started>();
    expect(started.poll.endpoint).toBe(`${https}/login/v2/poll`);
    const res = await browser(realApp, '192.0.2.81', https).get(new URL(started.login).pathname);
    expect(res.headers.get('Set-Cookie')).toMatch(/^__Host-cumulus_flow=[A-Za-z0-9]{43}; Path=\/; Max-Age=1200; HttpOnly; SameSite=Lax; Secure$/);
  });
});

describe('Login Flow v2 refusals', () => {
  it('wrong password → the sign-in page again with the error (403), no grant, failure counted', async () => {
    const started = await startV2();
    const b = browser(realApp, '203.0.113.90');
    const page = new URL(started.login).pathname;
    const token = formToken(await (await b.get(page)).text());
    const res = await b.post(`${page}/login`, { requesttoken: token, user: 'alice', password: 'wrong-password' });
    expect(res.status).toBe(403);
    const html = await res.text();
    expect(html).toContain('<p class="error" role="alert">Username or password was incorrect</p>');
    expect(html).toContain('value="alice"');
    expect(html).toContain('<label for="password">Password</label>');
    expect((await b.post(`${page}/grant`, { requesttoken: token })).status).toBe(403);
    expect((await poll(started.poll.token)).status).toBe(404);
    const keys = (await drizzle(env.DB).select().from(loginFailures)).map((r) => r.key);
    expect(keys).toContain('ip:203.0.113.90');
  });

  it('refuses sign-in with an app password instead of the login password', async () => {
    const first = await startV2();
    const b = browser();
    const page = new URL(first.login).pathname;
    await b.post(`${page}/grant`, { requesttoken: await signIn(b, page) });
    const { appPassword } = await (await poll(first.poll.token)).json<{ appPassword: string }>();
    const second = await startV2();
    const page2 = new URL(second.login).pathname;
    const token = formToken(await (await b.get(page2)).text());
    expect((await b.post(`${page2}/login`, { requesttoken: token, user: 'alice', password: appPassword })).status).toBe(403);
  });

  it('answers 429 with Retry-After to a blocked client', async () => {
    await addUser({ id: 'guessed', password: 'guessed-password-1' });
    const started = await startV2();
    const b = browser(realApp, '203.0.113.91');
    const page = new URL(started.login).pathname;
    const token = formToken(await (await b.get(page)).text());
    const app = browser(clockedApp({ now: Date.now() }), '203.0.113.91');
    app.jar.set('cumulus_flow', b.jar.get('cumulus_flow')!);
    for (let i = 0; i < 10; i++) await app.post(`${page}/login`, { requesttoken: token, user: 'guessed', password: `guess-${i}` });
    const res = await b.post(`${page}/login`, { requesttoken: token, user: 'guessed', password: 'guessed-password-1' });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('Retry-After'))).toBeGreaterThan(0);
  });

  it('wrong or missing form token → 403, nothing happens', async () => {
    const started = await startV2();
    const b = browser();
    const page = new URL(started.login).pathname;
    await b.get(page);
    for (const fields of [{ requesttoken: 'A'.repeat(48) }, {}] as Record<string, string>[]) {
      const res = await b.post(`${page}/login`, { ...fields, user: 'alice', password: ALICE.password });
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('The form is out of date');
    }
    const grantToken = await signIn(b, page);
    expect((await b.post(`${page}/grant`, { requesttoken: `${grantToken.slice(1)}x` })).status).toBe(403);
    expect((await poll(started.poll.token)).status).toBe(404);
  });

  it('a post without the cookie, or from another browser, → 403', async () => {
    const started = await startV2();
    const b = browser();
    const page = new URL(started.login).pathname;
    const token = formToken(await (await b.get(page)).text());
    const stranger = browser(realApp, '192.0.2.82');
    expect((await stranger.post(`${page}/login`, { requesttoken: token, user: 'alice', password: ALICE.password })).status).toBe(403);
    stranger.jar.set('cumulus_flow', 'B'.repeat(43));
    const res = await stranger.post(`${page}/login`, { requesttoken: token, user: 'alice', password: ALICE.password });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('the browser that opened the link');
  });

  it('a post with a foreign Origin → 403', async () => {
    const started = await startV2();
    const b = browser();
    const page = new URL(started.login).pathname;
    const token = formToken(await (await b.get(page)).text());
    const res = await b.post(`${page}/login`, { requesttoken: token, user: 'alice', password: ALICE.password }, { Origin: 'https://evil.example' });
    expect(res.status).toBe(403);
  });

  it('grant without signing in first → 403', async () => {
    const started = await startV2();
    const b = browser();
    const page = new URL(started.login).pathname;
    const token = formToken(await (await b.get(page)).text());
    const res = await b.post(`${page}/grant`, { requesttoken: token });
    expect(res.status).toBe(403);
    expect((await poll(started.poll.token)).status).toBe(404);
  });

  it('another browser opening the link takes it over: the first one\'s grant is refused', async () => {
    const started = await startV2();
    const first = browser();
    const page = new URL(started.login).pathname;
    const grantToken = await signIn(first, page);
    const second = browser(realApp, '192.0.2.83');
    expect(await (await second.get(page)).text()).toContain('<title>Connect to Cumulus</title>');
    expect((await first.post(`${page}/grant`, { requesttoken: grantToken })).status).toBe(403);
    expect((await poll(started.poll.token)).status).toBe(404);
  });

  it('unknown or malformed login tokens → 403 page', async () => {
    for (const token of ['A'.repeat(128), 'short', `${'A'.repeat(127)}-`]) {
      const res = await browser().get(`/login/v2/flow/${token}`);
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('Your login token is invalid or has expired');
    }
  });

  it('unknown, malformed or missing poll tokens → 404', async () => {
    for (const token of ['A'.repeat(128), 'x', '']) expect((await poll(token)).status).toBe(404);
    expect((await exports.default.fetch(new Request(`${BASE}/login/v2/poll`, { method: 'POST' }))).status).toBe(404);
  });

  it('expires after 20 minutes: page 403, grant 403, poll 404 (clock injected)', async () => {
    const clock = { now: Date.now() };
    const app = clockedApp(clock);
    const started = await startV2(app);
    const b = browser(app);
    const page = new URL(started.login).pathname;
    await signIn(b, page);
    clock.now += FLOW_TTL_MS - 1000;
    const stillLive = await b.get(page);
    expect(stillLive.status).toBe(200);
    const grantToken = formToken(await stillLive.text());
    clock.now += 1000;
    expect((await b.get(page)).status).toBe(403);
    expect((await b.post(`${page}/grant`, { requesttoken: grantToken })).status).toBe(403);
    expect((await poll(started.poll.token, app)).status).toBe(404);
  });

  it('a granted flow that expires before the client polls → 404', async () => {
    const clock = { now: Date.now() };
    const app = clockedApp(clock);
    const started = await startV2(app);
    const b = browser(app);
    const page = new URL(started.login).pathname;
    expect((await b.post(`${page}/grant`, { requesttoken: await signIn(b, page) })).status).toBe(200);
    clock.now += FLOW_TTL_MS + 1;
    expect((await poll(started.poll.token, app)).status).toBe(404);
  });

  it('the cron job deletes expired flows and keeps live ones', async () => {
    const live = await startV2();
    await purgeExpiredLoginFlows(env, new Date(Date.now() + FLOW_TTL_MS + 1000));
    expect(await drizzle(env.DB).select().from(loginFlows)).toEqual([]);
    const again = await startV2();
    await purgeExpiredLoginFlows(env, new Date());
    expect(await drizzle(env.DB).select().from(loginFlows)).toHaveLength(1);
    expect((await poll(live.poll.token)).status).toBe(404);
    expect(again.poll.token).not.toBe(live.poll.token);
  });
});

describe('Login Flow v1', () => {
  const headers = { 'OCS-APIREQUEST': 'true', 'User-Agent': 'Mozilla/5.0 (Android) Nextcloud-Talk v17.0.0' };

  it('GET /index.php/login/flow without OCS-APIREQUEST: true → 403', async () => {
    const res = await browser().get('/index.php/login/flow');
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Access forbidden');
  });

  it('signs in, grants, and redirects to nc://login/ with user and password url-encoded like PHP', async () => {
    const b = browser();
    const start = await b.get('/index.php/login/flow', headers);
    expect(start.status).toBe(200);
    expect(start.headers.get('Content-Security-Policy')).toContain("form-action 'self' nc:;");
    const html = await start.text();
    expect(html).toContain('Nextcloud-Talk v17.0.0');
    const action = /<form method="post" action="(\/login\/flow\/[A-Za-z0-9]{128})\/login">/.exec(html);
    expect(action).not.toBeNull();
    const page = action![1];
    const signedIn = await b.post(`${page}/login`, { requesttoken: formToken(html), user: "o'neil smith", password: 'oneil-password-1' });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('Location')).toBe(page);
    const grant = await b.get(page);
    expect(grant.headers.get('Content-Security-Policy')).toContain("form-action 'self' nc:;");
    const res = await b.post(`${page}/grant`, { requesttoken: formToken(await grant.text()) });
    expect(res.status).toBe(303);
    const location = res.headers.get('Location')!;
    const m = /^nc:\/\/login\/server:http:\/\/cumulus\.test&user:o%27neil\+smith&password:([A-Za-z0-9]{72})$/.exec(location);
    expect(m, location).not.toBeNull();
    expect((await propfindRoot("o'neil smith", basic("o'neil smith", m![1]))).status).toBe(207);
    expect((await listAppPasswords(env, "o'neil smith")).map((p) => p.name)).toEqual([headers['User-Agent']]);
    // The flow is over: the page and a second grant are refused.
    expect((await b.get(page)).status).toBe(403);
  });

  it('refuses a v1 grant with a wrong form token, and v1 pages do not serve v2 tokens', async () => {
    const b = browser();
    const html = await (await b.get('/login/flow', headers)).text();
    const page = /action="(\/login\/flow\/[A-Za-z0-9]{128})\/login"/.exec(html)![1];
    await b.post(`${page}/login`, { requesttoken: formToken(html), user: 'alice', password: ALICE.password });
    expect((await b.post(`${page}/grant`, { requesttoken: 'x' })).status).toBe(403);
    const v2 = await startV2();
    expect((await b.get(new URL(v2.login).pathname.replace('/login/v2/flow/', '/login/flow/'))).status).toBe(403);
  });

  it('encodes like PHP urlencode', () => {
    expect(phpUrlencode("a b+c@d.e~f!g*h'i(j)k_l-m/n:o&p%")).toBe('a+b%2Bc%40d.e%7Ef%21g%2Ah%27i%28j%29k_l-m%2Fn%3Ao%26p%25');
    expect(phpUrlencode('ü')).toBe('%C3%BC');
    expect(ncLoginUrl('https://c.example', 'a@b.c', 'XYZ')).toBe('nc://login/server:https://c.example&user:a%40b.c&password:XYZ');
  });
});
