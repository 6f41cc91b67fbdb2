/**
 * Login Flow v2 end to end in a real browser: a client starts the flow, Chromium (through
 * playwright-core) signs in on the login page by its labels and grants access, the client polls
 * until it gets the app password, uses it for WebDAV, and revokes it — refused at once.
 * axe-core finds no serious or critical problem on any of the flow's pages; screenshots of each
 * go to test-artifacts/.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { artifactsDir, startServer, strongPassword } from '../support/server.mjs';
import { expectNoSeriousAxeViolations } from './web/browser';

const CHROMIUM = '/usr/bin/chromium';
const CLIENT = 'Cumulus e2e client (Login Flow v2)';

let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;
let page: Page;
let user: { user: string; password: string };
let flow: { poll: { token: string; endpoint: string }; login: string };
let credentials: { server: string; loginName: string; appPassword: string };

function basic(login: string, password: string): string {
  return `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;
}

function propfind(authorization: string): Promise<Response> {
  return fetch(server.davUrl(user.user), { method: 'PROPFIND', headers: { Authorization: authorization, Depth: '0' } });
}

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(artifactsDir, `login-flow-${name}.png`), fullPage: true });
}

/** The page fits a 360 px wide phone screen without sideways scrolling. */
async function fitsNarrowScreen(): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (see .ci/run)`);
  server = await startServer({ name: 'login-flow' });
  user = await server.createUser('flow-user', strongPassword(), { displayName: 'Flow User' });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 360, height: 740 } });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

it('POST /index.php/login/v2 starts a flow on the server\'s origin', async () => {
  const res = await fetch(`${server.url}/index.php/login/v2`, { method: 'POST', headers: { 'User-Agent': CLIENT } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  flow = await res.json();
  expect(flow.poll.endpoint).toBe(`${server.url}/login/v2/poll`);
  expect(flow.login.startsWith(`${server.url}/login/v2/flow/`)).toBe(true);
  const poll = await fetch(flow.poll.endpoint, { method: 'POST', body: new URLSearchParams({ token: flow.poll.token }) });
  expect(poll.status).toBe(404);
});

it('Chromium signs in on the login page, found by its labels, and sees which client asks', async () => {
  await page.goto(flow.login);
  await expect(page.title()).resolves.toBe('Connect to Cumulus');
  expect(await page.textContent('main')).toContain(CLIENT);
  expect(await fitsNarrowScreen()).toBe(true);
  await expectNoSeriousAxeViolations(page, 'login flow v2: sign-in');
  await screenshot('1-sign-in');
  await page.getByLabel('Account name or e-mail').fill(user.user);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Grant access' }).waitFor();
  expect(await page.textContent('main')).toContain('Flow User');
  expect(await fitsNarrowScreen()).toBe(true);
  await expectNoSeriousAxeViolations(page, 'login flow v2: grant access');
  await screenshot('2-grant');
});

it('Chromium grants access; the client\'s poll then answers the credentials once', async () => {
  await page.getByRole('button', { name: 'Grant access' }).click();
  await page.getByRole('heading', { name: 'Account connected' }).waitFor();
  await expectNoSeriousAxeViolations(page, 'login flow v2: account connected');
  await screenshot('3-done');
  const deadline = Date.now() + 30_000;
  let res: Response;
  do {
    res = await fetch(flow.poll.endpoint, { method: 'POST', body: new URLSearchParams({ token: flow.poll.token }) });
    if (res.status === 200) break;
    await new Promise((r) => setTimeout(r, 500));
  } while (Date.now() < deadline);
  expect(res.status).toBe(200);
  credentials = await res.json();
  expect(credentials).toMatchObject({ server: server.url, loginName: user.user });
  expect(credentials.appPassword).toMatch(/^[A-Za-z0-9]{72}$/);
  const again = await fetch(flow.poll.endpoint, { method: 'POST', body: new URLSearchParams({ token: flow.poll.token }) });
  expect(again.status).toBe(404);
});

it('the app password works for WebDAV (PROPFIND → 207)', async () => {
  expect((await propfind(basic(credentials.loginName, credentials.appPassword))).status).toBe(207);
});

it('revoking it (DELETE /ocs/v2.php/core/apppassword) stops it at once (401)', async () => {
  const auth = basic(credentials.loginName, credentials.appPassword);
  const res = await fetch(`${server.url}/ocs/v2.php/core/apppassword?format=json`, {
    method: 'DELETE', headers: { Authorization: auth, 'OCS-APIRequest': 'true' },
  });
  expect(res.status).toBe(200);
  expect((await propfind(auth)).status).toBe(401);
});
