/**
 * Devices & sessions and the bundled dyslexia-friendly font, in a real browser (Chromium through
 * playwright-core) against `wrangler dev`: two browsers of one account see each other in Personal
 * settings, one signs the other out by keyboard (the server refuses its cookie from then on),
 * another user sees none of it; OpenDyslexic is served by the app itself, loaded only when the
 * setting is on, without any CSP violation. axe-core checks the page in the light and
 * high-contrast themes; screenshots go to test-artifacts/screenshots/settings-sessions*.png.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, strongPassword } from '../../support/server.mjs';
import { basic, closeAll, expectNoSeriousAxeViolations, fitsWidth, focused, launchChromium, screenshot, signIn, tabTo } from './browser';

const FIREFOX_ON_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';
const SESSIONS = '/apps/cumulus/api/v1/sessions';

interface ListedSession { id: string; userAgent: string | null; createdAt: number; lastActivity: number; current: boolean }

let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;
let alice: { user: string; password: string };
let carol: { user: string; password: string };
/** Alice's browser A (Chromium's own agent) and browser B (claims to be Firefox on Windows). */
let contextA: BrowserContext;
let contextB: BrowserContext;
let pageA: Page;
let pageB: Page;

/** The user's browser sessions as the API lists them to Basic credentials: [HTTP status, list]. */
async function sessionsOf(who: { user: string; password: string }): Promise<[number, ListedSession[]]> {
  const res = await fetch(`${server.url}/ocs/v2.php${SESSIONS}?format=json`, {
    headers: { Authorization: basic(who.user, who.password), 'OCS-APIRequest': 'true', Accept: 'application/json' },
  });
  const body = await res.json() as { ocs: { data: ListedSession[] } };
  return [res.status, body.ocs.data];
}

/** The context's session cookie as a Cookie header. */
async function cookieOf(context: BrowserContext): Promise<string> {
  const cookie = (await context.cookies(server.url)).find((c) => c.name === 'cumulus_session');
  expect(cookie, 'session cookie').toBeDefined();
  return `cumulus_session=${cookie!.value}`;
}

/** PROPFIND of alice's root with a session cookie (and its requesttoken, when there is one): the status. */
async function propfindWithCookie(cookie: string): Promise<number> {
  const token = await fetch(`${server.url}/csrftoken`, { headers: { Cookie: cookie } });
  const headers: Record<string, string> = { Cookie: cookie, Depth: '0' };
  if (token.ok) headers.requesttoken = (await token.json() as { token: string }).token;
  else await token.arrayBuffer();
  const res = await fetch(server.davUrl(alice.user), { method: 'PROPFIND', headers });
  await res.arrayBuffer();
  return res.status;
}

/** The list of signed-in browsers on the settings page, once loaded. */
async function sessionsList(p: Page) {
  const list = p.getByRole('list', { name: 'Signed-in browsers' });
  await list.waitFor();
  return list;
}

beforeAll(async () => {
  server = await startServer({ name: 'web-sessions-font' });
  alice = await server.createUser('alice', strongPassword(), { displayName: 'Alice Liddell' });
  carol = await server.createUser('carol', strongPassword(), { displayName: 'Carol' });
  browser = await launchChromium();
  contextA = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  contextB = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', userAgent: FIREFOX_ON_WINDOWS });
  pageA = await contextA.newPage();
  pageB = await contextB.newPage();
}, 5 * 60_000);

afterAll(() => closeAll(browser, server));

describe('devices & sessions', () => {
  it('lists both browsers of the account: this one marked "This browser" without a button, the other as Firefox on Windows', async () => {
    await signIn(pageB, server.url, alice, { to: '/apps/files/' });
    await signIn(pageA, server.url, alice, { to: '/settings/user' });
    // B's cookie works (with its requesttoken) before anything is signed out.
    expect(await propfindWithCookie(await cookieOf(contextB))).toBe(207);

    const list = await sessionsList(pageA);
    const rows = list.getByRole('listitem');
    expect(await rows.count()).toBe(2);
    const mine = rows.filter({ hasText: 'This browser' });
    expect(await mine.count()).toBe(1);
    // Headless Chromium on Linux says "HeadlessChrome/… (X11; Linux x86_64)".
    expect(await mine.locator('.session-name').textContent()).toBe('Chrome on Linux This browser');
    expect(await mine.getByRole('button').count()).toBe(0);
    const other = rows.filter({ hasNotText: 'This browser' });
    expect(await other.locator('.session-name').textContent()).toBe('Firefox on Windows');
    expect(await other.getByRole('button', { name: /^Sign out Firefox on Windows, last active / }).textContent()).toBe('Sign out');
    expect(await other.locator('dt').allTextContents()).toEqual(['Signed in', 'Last active']);
    // Dates in the page's locale, e.g. "Nov 27, 2026, 5:41 AM".
    for (const date of await other.locator('dd time').allTextContents()) {
      expect(date).toMatch(/^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s[AP]M$/);
    }

    // The rows are the server's sessions of alice (the API with Basic credentials marks none current).
    const [status, listed] = await sessionsOf(alice);
    expect(status).toBe(200);
    expect(listed).toHaveLength(2);
    expect(listed.map((s) => s.userAgent).sort()).toEqual([await pageA.evaluate(() => navigator.userAgent), FIREFOX_ON_WINDOWS].sort());
    expect(listed.every((s) => !s.current)).toBe(true);
    expect((await rows.evaluateAll((lis) => lis.map((li) => li.getAttribute('data-session')))).sort()).toEqual(listed.map((s) => s.id).sort());
  });

  it('passes axe with the sessions list in the light and high-contrast themes, and fits 360 px', async () => {
    await expectNoSeriousAxeViolations(pageA, 'settings with sessions (light)');
    await pageA.getByRole('heading', { level: 2, name: 'Devices & sessions' }).scrollIntoViewIfNeeded();
    await screenshot(pageA, 'settings-sessions');
    await pageA.evaluate(() => localStorage.setItem('cumulus.theme', 'high-contrast'));
    await pageA.reload();
    await sessionsList(pageA);
    expect(await pageA.evaluate(() => document.documentElement.dataset.theme)).toBe('high-contrast');
    await expectNoSeriousAxeViolations(pageA, 'settings with sessions (high contrast)');
    await screenshot(pageA, 'settings-sessions-high-contrast');
    await pageA.evaluate(() => localStorage.removeItem('cumulus.theme'));
    await pageA.setViewportSize({ width: 360, height: 740 });
    await pageA.reload();
    await sessionsList(pageA);
    expect(await fitsWidth(pageA)).toBe(true);
    // Each browser's card fits: nothing inside the list is cut off or scrolls sideways.
    expect(await pageA.locator('ul.sessions').evaluate((ul) => ul.scrollWidth <= ul.clientWidth)).toBe(true);
    await expectNoSeriousAxeViolations(pageA, 'settings with sessions (360 px)');
    await screenshot(pageA, 'settings-sessions-360');
    await pageA.setViewportSize({ width: 1280, height: 900 });
  });

  it('signs the other browser out by keyboard: the row goes, it is announced, the focus stays, that browser is signed out', async () => {
    await pageA.goto(`${server.url}/settings/user`);
    const list = await sessionsList(pageA);
    const cookieB = await cookieOf(contextB);
    await pageA.locator('body').focus();
    await tabTo(pageA, 'button[aria-label^="Sign out Firefox on Windows"]');
    await pageA.keyboard.press('Enter');
    await list.getByRole('listitem').filter({ hasText: 'Firefox on Windows' }).waitFor({ state: 'detached' });
    const status = pageA.locator('#sessions-message');
    await status.filter({ hasText: 'Firefox on Windows was signed out.' }).waitFor();
    expect(await status.getAttribute('role')).toBe('status');
    expect(await list.getByRole('listitem').count()).toBe(1);
    // No sign-out button is left: the focus goes to the list's heading, not to <body>.
    await expect.poll(() => focused(pageA)).toBe('h3#sessions-heading|Signed-in browsers');
    expect(await pageA.getByRole('alert').count()).toBe(0);

    // B's cookie no longer works anywhere; its next navigation lands on the sign-in page.
    expect(await propfindWithCookie(cookieB)).toBe(401);
    expect((await fetch(`${server.url}/csrftoken`, { headers: { Cookie: cookieB } })).status).toBe(401);
    await pageB.goto(`${server.url}/apps/files/`);
    await pageB.waitForURL(/\/login\?redirect_url=/);
    await pageB.getByRole('heading', { name: 'Sign in to Cumulus' }).waitFor();
    // A is still signed in.
    expect(await propfindWithCookie(await cookieOf(contextA))).toBe(207);
    const [, listed] = await sessionsOf(alice);
    expect(listed.map((s) => s.userAgent)).toEqual([await pageA.evaluate(() => navigator.userAgent)]);
  });

  it('another user sees none of these sessions and cannot end them', async () => {
    const contextC = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', userAgent: 'Carol-Test-Agent/1.0' });
    try {
      const pageC = await contextC.newPage();
      await signIn(pageC, server.url, carol, { to: '/settings/user' });
      const rows = (await sessionsList(pageC)).getByRole('listitem');
      expect(await rows.count()).toBe(1);
      // An agent the parser does not know is shown as it is.
      expect(await rows.locator('.session-name').textContent()).toBe('Carol-Test-Agent/1.0 This browser');

      const [, aliceSessions] = await sessionsOf(alice);
      const [status, carolSessions] = await sessionsOf(carol);
      expect(status).toBe(200);
      expect(carolSessions.map((s) => s.userAgent)).toEqual(['Carol-Test-Agent/1.0']);
      expect(carolSessions.some((s) => aliceSessions.some((a) => a.id === s.id))).toBe(false);
      // Carol ending alice's session: 404, as for an unknown id; alice stays signed in.
      const res = await fetch(`${server.url}/ocs/v2.php${SESSIONS}/${aliceSessions[0].id}?format=json`, {
        method: 'DELETE', headers: { Authorization: basic(carol.user, carol.password), 'OCS-APIRequest': 'true', Accept: 'application/json' },
      });
      expect(res.status).toBe(404);
      expect((await sessionsOf(alice))[1].map((s) => s.id)).toEqual([aliceSessions[0].id]);
      expect(await propfindWithCookie(await cookieOf(contextA))).toBe(207);
    } finally {
      await contextC.close();
    }
  });

  it('names the other common browsers and systems by their agents (Edge on macOS, Safari on iOS, Chrome on Android)', async () => {
    const agents = {
      'Edge on macOS': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
      'Safari on iOS': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      'Chrome on Android': 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
    };
    const contexts: BrowserContext[] = [];
    try {
      for (const userAgent of Object.values(agents)) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', userAgent });
        contexts.push(context);
        await signIn(await context.newPage(), server.url, carol, { to: '/apps/files/' });
      }
      const viewer = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
      contexts.push(viewer);
      const p = await viewer.newPage();
      await signIn(p, server.url, carol, { to: '/settings/user' });
      const names = await (await sessionsList(p)).locator('.session-name strong').allTextContents();
      // Carol's session from the test before is still live (closing a browser does not sign out).
      expect(names.sort()).toEqual([...Object.keys(agents), 'Chrome on Linux', 'Carol-Test-Agent/1.0'].sort());

      // Signing out one of several by keyboard puts the focus on the next browser's Sign out.
      const items = (await sessionsList(p)).getByRole('listitem');
      await p.locator('body').focus();
      await tabTo(p, 'button.sign-out');
      const first = await p.evaluate(() => document.activeElement!.getAttribute('aria-label'));
      const labels = await p.locator('button.sign-out').evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label')));
      expect(labels[0]).toBe(first);
      await p.keyboard.press('Enter');
      await expect.poll(() => items.count()).toBe(4);
      await expect.poll(() => focused(p)).toBe(`button#|${labels[1]}`);
      await p.locator('#sessions-message').filter({ hasText: / was signed out\.$/ }).waitFor();

      // This browser's own session ends elsewhere (carol, with her password): the next sign-out
      // fails with an alert, and the list stays as it was.
      const own = await items.filter({ hasText: 'This browser' }).getAttribute('data-session');
      const res = await fetch(`${server.url}/ocs/v2.php${SESSIONS}/${own}?format=json`, {
        method: 'DELETE', headers: { Authorization: basic(carol.user, carol.password), 'OCS-APIRequest': 'true', Accept: 'application/json' },
      });
      expect(res.status).toBe(200);
      await p.keyboard.press('Enter');
      await p.getByRole('alert').filter({ hasText: 'This browser has been signed out meanwhile: reload the page to sign in again.' }).waitFor();
      expect(await items.count()).toBe(4);
      expect(await focused(p)).toBe(`button#|${labels[1]}`);
      await expectNoSeriousAxeViolations(p, 'sessions with an error');
    } finally {
      for (const context of contexts) await context.close();
    }
  });
});

describe('the dyslexia-friendly font', () => {
  /** Font files the page requested (by URL). */
  function watchFonts(p: Page): string[] {
    const requested: string[] = [];
    p.on('request', (r) => {
      if (r.resourceType() === 'font' || /\.(woff2?|ttf|otf)(\?|$)/.test(r.url())) requested.push(r.url());
    });
    return requested;
  }

  it('with the setting off, a fresh page load requests no font file', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    try {
      const p = await context.newPage();
      const requested = watchFonts(p);
      await signIn(p, server.url, alice, { to: '/settings/user' });
      await sessionsList(p);
      await p.reload();
      await sessionsList(p);
      // Let every font the page might want load (or fail) before counting.
      const declared = await p.evaluate(async () => {
        await document.fonts.ready;
        return [...document.fonts].filter((f) => f.family.replace(/"/g, '') === 'OpenDyslexic').map((f) => f.status);
      });
      // The faces are declared (the stylesheet has them) but nothing uses them: never loaded.
      expect(declared).toEqual(['unloaded', 'unloaded']);
      expect(await p.evaluate(() => getComputedStyle(document.body).fontFamily)).not.toContain('OpenDyslexic');
      expect(requested).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('turned on by keyboard: body uses OpenDyslexic, served by the app itself as font/woff2, no CSP violation', async () => {
    const p = await contextA.newPage();
    try {
      const requested = watchFonts(p);
      const fontResponses: { url: string; status: number; type: string }[] = [];
      p.on('response', (r) => {
        if (requested.includes(r.url())) fontResponses.push({ url: r.url(), status: r.status(), type: r.headers()['content-type'] ?? '' });
      });
      const consoleErrors: string[] = [];
      p.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
      p.on('pageerror', (e) => consoleErrors.push(String(e)));
      // Runs before the page's own scripts (through the DevTools protocol, so the CSP allows it).
      await p.addInitScript(() => {
        const seen: string[] = [];
        (window as unknown as { cspViolations: string[] }).cspViolations = seen;
        document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
      });
      await p.goto(`${server.url}/settings/user`);
      await sessionsList(p);
      expect(await p.evaluate(() => document.fonts.check('16px OpenDyslexic'))).toBe(false);
      expect(requested).toEqual([]);

      await p.locator('body').focus();
      await tabTo(p, 'input[type="checkbox"][aria-describedby="font-hint"]');
      expect(await focused(p)).toBe('input#|');
      await p.keyboard.press('Space');
      expect(await p.evaluate(() => document.documentElement.dataset.font)).toBe('dyslexic');
      expect(await p.evaluate(() => localStorage.getItem('cumulus.dyslexiaFont'))).toBe('1');
      expect(await p.evaluate(() => getComputedStyle(document.body).fontFamily)).toMatch(/^"?OpenDyslexic"?,/);
      await expect.poll(() => p.evaluate(async () => {
        await document.fonts.ready;
        return document.fonts.check('16px OpenDyslexic');
      })).toBe(true);
      await expect.poll(() => fontResponses.length).toBeGreaterThan(0);
      for (const r of fontResponses) {
        expect(new URL(r.url).origin).toBe(server.url);
        expect(r.url).toMatch(/\/assets\/opendyslexic-latin-(400|700)-normal-[\w-]+\.woff2$/);
        expect(r.status).toBe(200);
        expect(r.type).toBe('font/woff2');
      }
      expect(await p.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
      expect(consoleErrors).toEqual([]);
      await expectNoSeriousAxeViolations(p, 'settings with the dyslexia-friendly font');
      await screenshot(p, 'settings-sessions-font');

      // The licence ships beside the font and is linked from the setting.
      const licence = await fetch(new URL(await p.getByRole('link', { name: /^Font licence/ }).getAttribute('href') ?? '', server.url));
      expect(licence.status).toBe(200);
      expect(await licence.text()).toContain('SIL Open Font License, Version 1.1');

      // Off again by keyboard: the choice is forgotten and the system font is back.
      await p.keyboard.press('Space');
      expect(await p.evaluate(() => [document.documentElement.dataset.font ?? null, localStorage.getItem('cumulus.dyslexiaFont')])).toEqual([null, null]);
      expect(await p.evaluate(() => getComputedStyle(document.body).fontFamily)).not.toContain('OpenDyslexic');
    } finally {
      await p.close();
    }
  });
});
