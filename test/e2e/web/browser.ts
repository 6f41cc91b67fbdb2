/**
 * Shared pieces of the web app's browser tests: Chromium through playwright-core, axe-core checks,
 * screenshots in test-artifacts/screenshots/, and a server that is *not* set up yet (first run).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { artifactsDir, findFreePort, groupPids, repoRoot } from '../../support/server.mjs';

export const CHROMIUM = '/usr/bin/chromium';
export const screenshotsDir = path.join(artifactsDir, 'screenshots');

/** Headless Debian Chromium, as CI has it (.ci/run installs it). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (see .ci/run)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/** Saves a full-page screenshot as test-artifacts/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotsDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotsDir, `${name}.png`), fullPage: true });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation { id: string; impact: string | null; help: string; nodes: { target: string[]; failureSummary?: string }[] }

/**
 * Runs axe-core on the page and fails on any serious or critical violation (listing them).
 * Injected through the DevTools protocol (page.evaluate), since the app's CSP rightly refuses
 * inline scripts such as page.addScriptTag({ content }).
 */
export async function expectNoSeriousAxeViolations(page: Page, label: string): Promise<void> {
  await page.evaluate(`${axeSource}\n;void 0`);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious, `${label}: axe-core serious/critical violations:\n${JSON.stringify(serious, null, 2)}`).toEqual([]);
}

/** A user's login and password, as server.createUser() returns them. */
export interface Account { user: string; password: string }

/** The Authorization header value for HTTP Basic credentials. */
export function basic(login: string, password: string): string {
  return `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;
}

/** The sign-in form's labels (the English ones unless a test switches the language). */
export interface SignInLabels { user: string; password: string; submit: string }

const ENGLISH_SIGN_IN: SignInLabels = { user: 'Account name or e-mail', password: 'Password', submit: 'Log in' };

/**
 * Signs in through the sign-in form. With `to` an app page, opens it, expects to be sent to the
 * sign-in page (keeping where to go back) and waits to land on `to` again; without, opens /login and
 * waits for the Files app. `landing` overrides where to wait (a path, or a test of the URL).
 */
export async function signIn(p: Page, serverUrl: string, who: Account, options: {
  to?: string; landing?: string | ((url: URL) => boolean); labels?: Partial<SignInLabels>;
} = {}): Promise<void> {
  const labels = { ...ENGLISH_SIGN_IN, ...options.labels };
  if (options.to) {
    await p.goto(`${serverUrl}${options.to}`);
    await p.waitForURL(/\/login\?redirect_url=/);
  } else {
    await p.goto(`${serverUrl}/login`);
  }
  await p.getByLabel(labels.user).fill(who.user);
  await p.getByLabel(labels.password, { exact: true }).fill(who.password);
  await p.getByRole('button', { name: labels.submit }).click();
  const landing = options.landing ?? options.to ?? '/apps/files/';
  await p.waitForURL(typeof landing === 'string' ? `${serverUrl}${landing}` : landing);
}

/** The focused element as `tag#id|label` (its aria-label, else its trimmed text); '' when none. */
export function focused(p: Page): Promise<string> {
  return p.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return el ? `${el.tagName.toLowerCase()}#${el.id}|${el.getAttribute('aria-label') ?? el.textContent?.trim() ?? ''}` : '';
  });
}

/** The focused element's accessible text (aria-label, else its text), trimmed; '' when none. */
export function focusedText(p: Page): Promise<string> {
  return p.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return el ? (el.getAttribute('aria-label') ?? el.textContent ?? '').trim() : '';
  });
}

/** Waits (3 s at most) until the focused element's accessible text is `text`. */
export async function focusIs(p: Page, text: string): Promise<void> {
  await p.waitForFunction((want) => {
    const el = document.activeElement as HTMLElement | null;
    return (el ? (el.getAttribute('aria-label') ?? el.textContent ?? '').trim() : '') === want;
  }, text, { timeout: 3000 }).catch(async () => {
    throw new Error(`focus is on "${await focusedText(p)}", not "${text}"`);
  });
}

/**
 * Presses Tab (Shift+Tab with `back`), at most `max` times (80), until the focused element matches
 * `target`: a CSS selector, or `{ text }` for its accessible text. With `here`, an element that has
 * the focus already counts (no key is pressed); otherwise the first key is always pressed.
 */
export async function tabTo(p: Page, target: string | { text: string }, options: { back?: boolean; max?: number; here?: boolean } = {}): Promise<void> {
  const { back = false, max = 80, here = false } = options;
  const reached = () => typeof target === 'string'
    ? p.evaluate((s) => document.activeElement?.matches(s) ?? false, target)
    : focusedText(p).then((text) => text === target.text);
  if (here && await reached()) return;
  for (let i = 0; i < max; i++) {
    await p.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    if (await reached()) return;
  }
  const what = typeof target === 'string' ? target : `"${target.text}"`;
  throw new Error(`Tab never reached ${what} (focus on "${await focusedText(p)}")`);
}

/**
 * Scrolls the element `scroller` selects through its height in `steps` steps, timing each step up to
 * the second animation frame: the slowest step (ms) and how many elements `items` selects at the end
 * (after scrolling back to the top and a frame, with `backToTop`).
 */
export async function scrollTiming(p: Page, scroller: string, items: string, options: { steps?: number; backToTop?: boolean } = {}): Promise<{ max: number; count: number }> {
  const { steps = 40, backToTop = false } = options;
  return p.evaluate(async ([scrollerSelector, itemsSelector, n, back]) => {
    const el = document.querySelector(scrollerSelector) as HTMLElement;
    const times: number[] = [];
    for (let i = 1; i <= n; i++) {
      const start = performance.now();
      el.scrollTop = (el.scrollHeight * i) / n;
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      times.push(performance.now() - start);
    }
    if (back) {
      el.scrollTop = 0;
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    }
    return { max: Math.max(...times), count: document.querySelectorAll(itemsSelector).length };
  }, [scroller, items, steps, backToTop] as const);
}

/** Closes the browser, then stops the server: a test file's afterAll (either may be unset when beforeAll failed). */
export async function closeAll(browser: Browser | undefined, server: { stop(): Promise<void> } | undefined): Promise<void> {
  await browser?.close();
  await server?.stop();
}

/** The page fits the viewport's width without sideways scrolling. */
export async function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

/**
 * A Cumulus server on a fresh DATA_DIR *without* an account (no ADMIN_USER), as a new install
 * is before its first-run setup. Its whole process group is killed by stop().
 */
export async function startBareServer(name: string) {
  const port = await findFreePort();
  const inspectorPort = await findFreePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cumulus-data-'));
  mkdirSync(artifactsDir, { recursive: true });
  const logFile = path.join(artifactsDir, `${name}-${port}-${new Date().toISOString().replace(/[:.]/g, '-')}.log`);
  const fd = openSync(logFile, 'a');
  const env: NodeJS.ProcessEnv = {
    ...process.env, PORT: String(port), INSPECTOR_PORT: String(inspectorPort), DATA_DIR: dataDir,
    LOG_LEVEL: 'log', BUILD_ONCE: '1', CUMULUS_PARENT_PID: String(process.pid),
  };
  delete env.ADMIN_USER;
  delete env.ADMIN_PASSWORD;
  const child = spawn(process.execPath, [path.join(repoRoot, 'scripts', 'start.mjs')], {
    cwd: repoRoot, env, detached: true, stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const pgid = child.pid!;
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    try { process.kill(-pgid, 'SIGTERM'); } catch { /* gone */ }
    const deadline = Date.now() + 10_000;
    while (groupPids(pgid).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    try { process.kill(-pgid, 'SIGKILL'); } catch { /* gone */ }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}); log ${logFile}`);
    try {
      const res = await fetch(`${url}/status.php`, { signal: AbortSignal.timeout(5000) });
      if (res.ok && (await res.json()).installed === false) break;
    } catch { /* not yet */ }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`server not ready after 120 s; log ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return { url, logFile, stop };
}
