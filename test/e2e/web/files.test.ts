/**
 * The web app in a real browser (Chromium through playwright-core) against `wrangler dev`:
 * sign-in (wrong password, then right; its skip link), the Files list of files created over WebDAV,
 * folders, breadcrumbs, back/forward, sorting, search (the folder's names, and all folders' by DAV
 * SEARCH), a virtualized folder of 10,000 files, the app
 * switcher, the avatar menu, personal settings with dark and high-contrast themes, CSRF refusal, the
 * page-not-found page, logout, and the whole flow by keyboard only. axe-core checks every page; screenshots go to test-artifacts/screenshots/.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, strongPassword } from '../../support/server.mjs';
import { basic, closeAll, expectNoSeriousAxeViolations, fitsWidth, focusedText, launchChromium, screenshot, scrollTiming, tabTo } from './browser';

/** Files in the big folder (the 10,000); WEB_TEST_MANY=300 makes a quick local run. */
const MANY = Number(process.env.WEB_TEST_MANY ?? 10_000);

let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let user: { user: string; password: string };

async function dav(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<void> {
  const res = await fetch(`${server.davUrl(user.user)}${path.split('/').map(encodeURIComponent).join('/')}`, {
    method, body, headers: { Authorization: basic(user.user, user.password), ...headers },
  });
  if (res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status}`);
}

/** The modification time (ms) of each entry of the home folder, as the server lists it. */
async function homeModified(): Promise<Map<string, number>> {
  const res = await fetch(server.davUrl(user.user), {
    method: 'PROPFIND', headers: { Authorization: basic(user.user, user.password), Depth: '1' },
  });
  const times = new Map<string, number>();
  for (const [, response] of (await res.text()).matchAll(/<d:response>([\s\S]*?)<\/d:response>/g)) {
    const href = /<d:href>([^<]*)<\/d:href>/.exec(response)![1]!;
    const name = decodeURIComponent(href.replace(/\/$/, '').split('/').pop()!);
    const modified = /<d:getlastmodified>([^<]*)</.exec(response);
    if (modified) times.set(name, Date.parse(modified[1]!));
  }
  return times;
}

/** A time `days` days ago, as X-OC-Mtime wants it (seconds). */
function daysAgo(days: number): string {
  return String(Math.floor(Date.now() / 1000) - days * 86400);
}

/** Creates `count` empty files in /Many, `parallel` requests at a time. */
async function fillMany(count: number, parallel = 24): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < count) {
      const i = next++;
      await dav('PUT', `Many/file-${String(i).padStart(5, '0')}.txt`, '');
    }
  }));
}

/** The names of the rows in the DOM, in order. */
function rowNames(p: Page = page): Promise<string[]> {
  return p.$$eval('.file-table tbody tr[data-row] td.col-name a', (links) => links.map((a) => a.childNodes[0]?.textContent ?? ''));
}

/** Waits until the listing of the folder in the page's URL has loaded. */
async function listed(p: Page = page): Promise<void> {
  const dir = new URL(p.url()).searchParams.get('dir') ?? '/';
  await p.locator(`.files[data-dir="${dir.replace(/"/g, '\\"')}"][aria-busy="false"] .summary`).waitFor();
}

const ALL = ['Documents', 'Many', 'Photos', 'a-small.txt', 'readme.md', 'Ünïcode & spaces.txt'];

beforeAll(async () => {
  server = await startServer({ name: 'web-files' });
  user = await server.createUser('webuser', strongPassword(), { displayName: 'Web User', email: 'web@example.org' });
  for (const folder of ['Documents', 'Documents/Reports', 'Photos', 'Many']) await dav('MKCOL', folder);
  // Modification times in an order that is neither the names' nor the sizes'.
  await dav('PUT', 'readme.md', '# Hello\n'.repeat(500), { 'X-OC-Mtime': daysAgo(3) });
  await dav('PUT', 'a-small.txt', 'hi', { 'X-OC-Mtime': daysAgo(1) });
  await dav('PUT', 'Ünïcode & spaces.txt', 'ü'.repeat(100), { 'X-OC-Mtime': daysAgo(2) });
  await dav('PUT', 'Documents/notes.txt', 'notes');
  await dav('PUT', 'Documents/Reports/q1.txt', 'q1');
  await fillMany(MANY);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
}, 10 * 60_000);

afterAll(() => closeAll(browser, server));

describe('sign-in', () => {
  it('an app page without a session leads to the sign-in page, which keeps where to go back', async () => {
    await page.goto(`${server.url}/apps/files/`);
    await page.waitForURL(/\/login\?redirect_url=/);
    expect(new URL(page.url()).searchParams.get('redirect_url')).toBe('/apps/files/');
    await page.getByRole('heading', { name: 'Sign in to Cumulus' }).waitFor();
    await expectNoSeriousAxeViolations(page, 'sign-in');
    await screenshot(page, 'web-10-sign-in');
  });

  it('the sign-in page starts with a skip link: shown when focused, it moves the focus to the main content', async () => {
    const skip = page.getByRole('link', { name: 'Skip to main content' });
    // The first focusable element of the page, right before the login field (which has the focus).
    expect(await page.evaluate(() => document.querySelector('a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])')?.textContent))
      .toBe('Skip to main content');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('login-user');
    await page.keyboard.press('Shift+Tab');
    expect(await focusedText(page)).toBe('Skip to main content');
    const box = (await skip.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.height).toBeGreaterThan(0);
    await screenshot(page, 'web-10b-sign-in-skip-link');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    expect(new URL(page.url()).hash).toBe('');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('login-user');
  });

  it('a wrong password shows a clear message, empties the password and keeps the login', async () => {
    await page.getByLabel('Account name or e-mail').fill(user.user);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    const alert = page.getByRole('alert');
    await alert.filter({ hasText: 'Wrong login or password.' }).waitFor();
    expect(await page.getByLabel('Password').inputValue()).toBe('');
    expect(await page.getByLabel('Account name or e-mail').inputValue()).toBe(user.user);
    expect(page.url()).toContain('/login');
    await expectNoSeriousAxeViolations(page, 'sign-in with error');
    await screenshot(page, 'web-11-sign-in-wrong-password');
  });

  it('the right password (with the e-mail as login) opens the Files app; the cookie is HttpOnly', async () => {
    await page.getByLabel('Account name or e-mail').fill('web@example.org');
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${server.url}/apps/files/`);
    await listed();
    const cookies = await context.cookies(server.url);
    const session = cookies.find((c) => c.name === 'cumulus_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', secure: false });
    expect(await page.evaluate(() => document.cookie)).not.toContain('cumulus_session');
  });
});

describe('Files', () => {
  it('lists the files created over WebDAV: folders first, with sizes', async () => {
    expect(await rowNames()).toEqual(ALL);
    await expect.poll(() => page.title()).toBe('Files - Files - Cumulus');
    const readme = page.locator('tr', { has: page.getByRole('link', { name: 'readme.md' }) });
    expect(await readme.locator('.col-size').textContent()).toBe('3.9 KB');
    expect(await page.locator('.summary').textContent()).toBe('3 folders, 3 files');
    await expectNoSeriousAxeViolations(page, 'files list');
    await screenshot(page, 'web-12-files');
  });

  it('sorts by name, size and modified (folders stay first); aria-sort says how', async () => {
    await page.getByRole('button', { name: 'Sort by Name' }).click();
    expect(await rowNames()).toEqual(['Photos', 'Many', 'Documents', 'Ünïcode & spaces.txt', 'readme.md', 'a-small.txt']);
    expect(await page.locator('th.col-name').getAttribute('aria-sort')).toBe('descending');
    await page.getByRole('button', { name: 'Sort by Size' }).click();
    const bySize = await rowNames();
    expect(bySize.slice(3)).toEqual(['a-small.txt', 'Ünïcode & spaces.txt', 'readme.md']);
    expect(await page.locator('th.col-size').getAttribute('aria-sort')).toBe('ascending');
    await page.getByRole('button', { name: 'Sort by Modified' }).click();
    expect(await page.locator('th.col-modified').getAttribute('aria-sort')).toBe('ascending');
    expect((await rowNames()).slice(3).sort()).toEqual(['a-small.txt', 'readme.md', 'Ünïcode & spaces.txt']);
    // The files by their X-OC-Mtime (3, 2 and 1 days ago); the folders by the server's times, ties by name.
    const times = await homeModified();
    const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
    const folders = ['Documents', 'Many', 'Photos'].sort((a, b) => (times.get(a)! - times.get(b)!) || collator.compare(a, b));
    const oldestFirst = [...folders, 'readme.md', 'Ünïcode & spaces.txt', 'a-small.txt'];
    expect(await rowNames()).toEqual(oldestFirst);
    await page.getByRole('button', { name: 'Sort by Modified' }).click();
    expect(await page.locator('th.col-modified').getAttribute('aria-sort')).toBe('descending');
    expect(await rowNames()).toEqual([...[...folders].reverse(), 'a-small.txt', 'Ünïcode & spaces.txt', 'readme.md']);
    await page.getByRole('button', { name: 'Sort by Name' }).click();
    expect(await rowNames()).toEqual(ALL);
  });

  it('opens folders (URL ?dir=), shows breadcrumbs, and goes back through them and the history', async () => {
    await page.getByRole('link', { name: 'Documents (Folder)' }).click();
    await page.waitForURL(`${server.url}/apps/files/?dir=/Documents`);
    await listed();
    expect(await rowNames()).toEqual(['Reports', 'notes.txt']);
    await page.getByRole('link', { name: 'Reports (Folder)' }).click();
    await page.waitForURL(`${server.url}/apps/files/?dir=/Documents/Reports`);
    await listed();
    expect(await rowNames()).toEqual(['q1.txt']);
    const crumbs = page.getByRole('navigation', { name: 'Folder path' }).getByRole('link');
    expect(await crumbs.allTextContents()).toEqual(['Home', 'Documents', 'Reports']);
    expect(await crumbs.last().getAttribute('aria-current')).toBe('page');
    await expectNoSeriousAxeViolations(page, 'files subfolder');
    await screenshot(page, 'web-13-files-subfolder');

    await crumbs.filter({ hasText: 'Documents' }).click();
    await page.waitForURL(`${server.url}/apps/files/?dir=/Documents`);
    await listed();
    expect(await rowNames()).toEqual(['Reports', 'notes.txt']);
    await page.getByRole('navigation', { name: 'Folder path' }).getByRole('link', { name: 'Home' }).click();
    await page.waitForURL(`${server.url}/apps/files/?dir=/`);
    await listed();
    expect(await rowNames()).toEqual(ALL);

    await page.goBack();
    await page.waitForURL(`${server.url}/apps/files/?dir=/Documents`);
    await page.getByRole('link', { name: 'notes.txt' }).waitFor();
    await page.goForward();
    await page.waitForURL(`${server.url}/apps/files/?dir=/`);
    await page.getByRole('link', { name: 'readme.md' }).waitFor();
  });

  it('a file link opens the viewer, whose Download link fetches the file through WebDAV with the session cookie', async () => {
    await page.getByRole('link', { name: 'Ünïcode & spaces.txt' }).click();
    await page.waitForURL(/\/apps\/viewer\/\?path=/);
    expect(new URL(page.url()).searchParams.get('path')).toBe('/Ünïcode & spaces.txt');
    const href = await page.getByRole('link', { name: /^Download/ }).first().getAttribute('href');
    expect(href).toBe(`/remote.php/dav/files/webuser/${encodeURIComponent('Ünïcode & spaces.txt')}`);
    const text = await page.evaluate(async (url) => (await fetch(url)).text(), href!);
    expect(text).toBe('ü'.repeat(100));
    await page.goBack();
    await listed();
  });

  it('the search field filters names in the folder; Ctrl+F focuses it, Escape clears it', async () => {
    await page.locator('body').click({ position: { x: 5, y: 780 } });
    await page.keyboard.press('Control+f');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('search');
    await page.keyboard.type('READ');
    expect(await rowNames()).toEqual(['readme.md']);
    await page.keyboard.type('zzz');
    await page.getByText('No file name in this folder matches “READzzz”.').waitFor();
    await page.keyboard.press('Escape');
    expect(await rowNames()).toEqual(ALL);
  });

  describe('the search across all folders', () => {
    const summary = (text: string) => page.locator('.search-summary', { hasText: text });
    /** The folder's summary: a live region (role=status), so the search's outcome is announced with it. */
    const status = () => page.getByRole('status').and(page.locator('.summary')).textContent();
    const rowOf = (name: string) => page.locator('.file-table tbody tr', { has: page.getByRole('link', { name, exact: true }) });

    async function searchFor(text: string): Promise<void> {
      await page.locator('#search').fill(text);
    }

    it('finds a file that exists only in a nested subfolder from the home folder, shows its folder, and opens it in the viewer', async () => {
      await page.goto(`${server.url}/apps/files/`);
      await listed();
      await page.keyboard.press('Control+f');
      await page.keyboard.type('q1');
      await summary('1 result for “q1” in other folders').waitFor();
      expect(await status()).toBe('No file name in this folder matches “q1”. 1 result for “q1” in other folders');
      expect(await rowNames()).toEqual(['q1.txt']);
      expect(await rowOf('q1.txt').locator('.location').textContent()).toBe('/Documents/Reports');
      // The folder is the link's accessible description: same names in different folders stay apart.
      const describedBy = await page.getByRole('link', { name: 'q1.txt', exact: true }).getAttribute('aria-describedby');
      expect(await page.locator(`#${describedBy}`).textContent()).toBe('/Documents/Reports');
      expect(await page.locator('.file-table caption').textContent()).toBe('Search results for “q1”');
      await expectNoSeriousAxeViolations(page, 'files search results');
      await screenshot(page, 'web-13b-files-search-all-folders');

      await page.getByRole('link', { name: 'q1.txt', exact: true }).click();
      await page.waitForURL(/\/apps\/viewer\/\?path=/);
      expect(new URL(page.url()).searchParams.get('path')).toBe('/Documents/Reports/q1.txt');
      await page.goBack();
      await listed();
      expect(await page.locator('#search').inputValue()).toBe('');
      expect(await rowNames()).toEqual(ALL);
    });

    it('a folder result opens that folder; the folder\'s own matches come first, without repeating', async () => {
      await searchFor('re');
      await summary('1 result for “re” in other folders').waitFor();
      // readme.md is in this folder (listed once, first); Reports is in /Documents.
      expect(await rowNames()).toEqual(['readme.md', 'Reports']);
      expect(await status()).toBe('0 folders, 1 files 1 result for “re” in other folders');
      expect(await rowOf('Reports (Folder)').locator('.location').textContent()).toBe('/Documents');
      expect(await rowOf('readme.md').locator('.location').textContent()).toBe('Home');
      await page.getByRole('link', { name: 'Reports (Folder)' }).click();
      await page.waitForURL(`${server.url}/apps/files/?dir=/Documents/Reports`);
      await listed();
      expect(await rowNames()).toEqual(['q1.txt']);
      expect(await page.locator('#search').inputValue()).toBe('');
      expect(await page.locator('.search-summary').count()).toBe(0);
    });

    it('“%” and “_” in the query match literally, not as wildcards', async () => {
      await dav('MKCOL', 'Photos/2024');
      for (const name of ['100% done.txt', '1000 done.txt', 'snake_case.txt', 'snakeXcase.txt']) await dav('PUT', `Photos/2024/${name}`, name);
      await page.goto(`${server.url}/apps/files/`);
      await listed();
      await searchFor('0% d');
      await summary('1 result for “0% d” in other folders').waitFor();
      expect(await rowNames()).toEqual(['100% done.txt']);
      expect(await rowOf('100% done.txt').locator('.location').textContent()).toBe('/Photos/2024');
      await searchFor('e_c');
      await summary('1 result for “e_c” in other folders').waitFor();
      expect(await rowNames()).toEqual(['snake_case.txt']);
      await searchFor('%');
      // One character only filters this folder.
      await page.getByText('No file name in this folder matches “%”.').waitFor();
      await searchFor('%%');
      await summary('No file name in other folders matches “%%”.').waitFor();
      expect(await rowNames()).toEqual([]);
    });

    it('no results: this folder and the others say so; Escape and clearing the field return to the folder', async () => {
      await searchFor('nothing-like-it');
      await summary('No file name in other folders matches “nothing-like-it”.').waitFor();
      expect(await status()).toBe('No file name in this folder matches “nothing-like-it”. No file name in other folders matches “nothing-like-it”.');
      expect(await page.locator('.file-table').count()).toBe(0);
      await expectNoSeriousAxeViolations(page, 'files search without results');
      await screenshot(page, 'web-13c-files-search-no-results');
      await page.locator('#search').focus();
      await page.keyboard.press('Escape');
      expect(await rowNames()).toEqual(ALL);
      expect(await page.locator('.search-summary').count()).toBe(0);
      expect(await page.locator('.file-table .location').count()).toBe(0);
      expect(await status()).toBe('3 folders, 3 files');

      await searchFor('q1');
      await summary('1 result for “q1” in other folders').waitFor();
      await searchFor('');
      expect(await rowNames()).toEqual(ALL);
      expect(await page.locator('.search-summary').count()).toBe(0);
    });

    it(`says so when the server caps the answer (${MANY > 1000 ? 'it does' : 'it does not'} for ${MANY} files)`, async () => {
      await searchFor('file-');
      if (MANY > 1000) {
        await summary('1,000 results for “file-” in other folders').waitFor();
        expect(await page.locator('.search-cap').textContent())
          .toBe('The search stopped after the first 1,000 names: type more of the name to narrow it.');
        expect(await page.locator('table.file-table').getAttribute('aria-rowcount')).toBe('1001');
      } else {
        await summary(`${MANY} results for “file-” in other folders`).waitFor();
        expect(await page.locator('.search-cap').count()).toBe(0);
      }
      await page.locator('#search').press('Escape');
      expect(await rowNames()).toEqual(ALL);
    });

    it('dark and high-contrast themes (from the system), and a 360 px screen', async () => {
      await searchFor('q1');
      await summary('1 result for “q1” in other folders').waitFor();
      await page.emulateMedia({ colorScheme: 'dark' });
      await expectNoSeriousAxeViolations(page, 'files search results (dark)');
      await screenshot(page, 'web-13d-files-search-dark');
      await page.emulateMedia({ colorScheme: 'light', contrast: 'more' });
      await expectNoSeriousAxeViolations(page, 'files search results (high contrast)');
      await page.emulateMedia({ colorScheme: 'light', contrast: 'no-preference' });
      await page.setViewportSize({ width: 360, height: 740 });
      expect(await fitsWidth(page)).toBe(true);
      expect(await rowOf('q1.txt').locator('.location').isVisible()).toBe(true);
      await expectNoSeriousAxeViolations(page, 'files search results (360 px)');
      await screenshot(page, 'web-13e-files-search-360px');
      // The grid view shows the folder too.
      await page.getByRole('button', { name: 'Grid view' }).click();
      expect(await page.locator('.tile', { has: page.getByRole('link', { name: 'q1.txt', exact: true }) }).locator('.tile-location').textContent())
        .toBe('/Documents/Reports');
      expect(await fitsWidth(page)).toBe(true);
      await expectNoSeriousAxeViolations(page, 'files search results (grid, 360 px)');
      await screenshot(page, 'web-13f-files-search-grid-360px');
      await page.getByRole('button', { name: 'Grid view' }).click();
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.locator('#search').press('Escape');
      expect(await rowNames()).toEqual(ALL);
    });
  });

  it(`a folder of ${MANY} files renders only the rows in view and scrolls to the last one`, async () => {
    await page.goto(`${server.url}/apps/files/?dir=/Many`);
    await listed();
    expect(await page.locator('.summary').textContent()).toBe(`0 folders, ${MANY} files`);
    expect(await page.locator('table.file-table').getAttribute('aria-rowcount')).toBe(String(MANY + 1));
    const rendered = await rowNames();
    expect(rendered[0]).toBe('file-00000.txt');
    expect(rendered.length).toBeLessThan(80);
    // Scroll through in steps, timing the frames: every step renders its rows at once.
    const timing = await scrollTiming(page, '.file-scroller', '.file-table tbody tr[data-row]');
    expect(timing.count).toBeLessThan(80);
    expect(timing.max).toBeLessThan(500);
    await page.getByRole('link', { name: `file-${String(MANY - 1).padStart(5, '0')}.txt` }).waitFor();
    await screenshot(page, 'web-14-files-10000');
    // Keyboard: Home goes to the first row, scrolling it back into existence.
    await page.getByRole('link', { name: `file-${String(MANY - 1).padStart(5, '0')}.txt` }).focus();
    await page.keyboard.press('Home');
    await page.waitForFunction(() => document.activeElement?.textContent === 'file-00000.txt');
    await page.keyboard.press('ArrowDown');
    await page.waitForFunction(() => document.activeElement?.textContent === 'file-00001.txt');
    await page.keyboard.press('End');
    await page.waitForFunction((last) => document.activeElement?.textContent === last, `file-${String(MANY - 1).padStart(5, '0')}.txt`);
    await expectNoSeriousAxeViolations(page, 'files 10,000');
  });

  it('a PROPFIND from the page without the requesttoken is refused (403): the cookie alone is not enough', async () => {
    const status = await page.evaluate(async () => (await fetch('/remote.php/dav/files/webuser/', {
      method: 'PROPFIND', headers: { Depth: '0' },
    })).status);
    expect(status).toBe(403);
  });
});

describe('avatar menu, settings and themes', () => {
  it('the avatar menu opens with Enter, moves with arrows, closes with Escape back on its button', async () => {
    await page.goto(`${server.url}/apps/files/`);
    await listed();
    const button = page.getByRole('button', { name: 'Settings menu for Web User' });
    await button.focus();
    await page.keyboard.press('Enter');
    const menu = page.getByRole('menu');
    await menu.waitFor();
    expect(await button.getAttribute('aria-expanded')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Personal settings');
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Log out');
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Personal settings');
    await expectNoSeriousAxeViolations(page, 'avatar menu open');
    await screenshot(page, 'web-15-avatar-menu');
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('avatar-button');
  });

  it('the app switcher links to Files, marked current there, and leads back to Files from Personal settings', async () => {
    const switcher = page.getByRole('navigation', { name: 'Apps' });
    const files = switcher.getByRole('link', { name: 'Files', exact: true });
    // Files is the only app so far (its icon is hidden from the accessible name).
    expect(await switcher.getByRole('link').count()).toBe(1);
    await files.waitFor();
    expect(await files.getAttribute('href')).toBe('/apps/files/');
    expect(await files.getAttribute('aria-current')).toBe('page');
    await page.goto(`${server.url}/apps/files/?dir=/Documents`);
    await listed();
    expect(await files.getAttribute('aria-current')).toBe('page');
    await page.goto(`${server.url}/settings/user`);
    await page.getByRole('heading', { level: 1, name: 'Personal settings' }).waitFor();
    expect(await files.getAttribute('aria-current')).toBeNull();
    // A navigation inside the app (no page load): the marker set here survives it.
    await page.evaluate(() => { (window as unknown as { stayed: boolean }).stayed = true; });
    await files.click();
    await page.waitForURL(`${server.url}/apps/files/`);
    await listed();
    expect(await rowNames()).toEqual(ALL);
    expect(await files.getAttribute('aria-current')).toBe('page');
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
  });

  it('Personal settings switch to the dark theme, kept across reloads', async () => {
    await page.getByRole('button', { name: 'Settings menu for Web User' }).click();
    await page.getByRole('menuitem', { name: 'Personal settings' }).click();
    await page.waitForURL(`${server.url}/settings/user`);
    await page.getByRole('heading', { level: 1, name: 'Personal settings' }).waitFor();
    expect(await page.locator('main').textContent()).toContain('web@example.org');
    await expectNoSeriousAxeViolations(page, 'settings (light)');
    await screenshot(page, 'web-16-settings');
    await page.getByLabel('Dark').check();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(23, 23, 23)');
    await expectNoSeriousAxeViolations(page, 'settings (dark)');
    await screenshot(page, 'web-17-settings-dark');
    await page.goto(`${server.url}/apps/files/`);
    await listed();
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(23, 23, 23)');
    await expectNoSeriousAxeViolations(page, 'files (dark)');
    await screenshot(page, 'web-18-files-dark');
  });

  it('the high-contrast theme: black and white with yellow links, no contrast violation', async () => {
    await page.goto(`${server.url}/settings/user`);
    await page.getByLabel('High contrast').check();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('high-contrast');
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(0, 0, 0)');
    expect(await page.evaluate(() => getComputedStyle(document.body).color)).toBe('rgb(255, 255, 255)');
    await expectNoSeriousAxeViolations(page, 'settings (high contrast)');
    await screenshot(page, 'web-19-settings-high-contrast');
    await page.goto(`${server.url}/apps/files/?dir=/Documents`);
    await listed();
    await expectNoSeriousAxeViolations(page, 'files (high contrast)');
    await screenshot(page, 'web-20-files-high-contrast');
  });

  it('the dyslexia-friendly font switch, and "follow the system" obeys prefers-color-scheme', async () => {
    await page.goto(`${server.url}/settings/user`);
    await page.getByLabel('Dyslexia-friendly font').check();
    expect(await page.evaluate(() => document.documentElement.dataset.font)).toBe('dyslexic');
    expect(await page.evaluate(() => getComputedStyle(document.body).fontFamily)).toContain('OpenDyslexic');
    await page.getByLabel('Dyslexia-friendly font').uncheck();
    await page.getByLabel('Follow the system setting').check();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBeUndefined();
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(23, 23, 23)');
    await page.emulateMedia({ colorScheme: 'light' });
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(255, 255, 255)');
  });

  it('fits a 360 px phone screen', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`${server.url}/apps/files/`);
    await listed();
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, 'web-21-files-360px');
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});

describe('page not found', () => {
  it('an unknown app page says "Page not found" with a way back to Files', async () => {
    await page.goto(`${server.url}/settings/nowhere`);
    await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
    await expect.poll(() => page.title()).toBe('Page not found - Cumulus');
    const back = page.getByRole('main').getByRole('link', { name: 'Go to Files' });
    expect(await back.getAttribute('href')).toBe('/apps/files/');
    await expectNoSeriousAxeViolations(page, 'page not found');
    await screenshot(page, 'web-25-not-found');
    await back.click();
    await page.waitForURL(`${server.url}/apps/files/`);
    await listed();
  });
});

describe('logout', () => {
  it('Log out ends the session: back on the sign-in page, the old cookie refused by the server', async () => {
    const before = (await context.cookies(server.url)).find((c) => c.name === 'cumulus_session')!;
    await page.goto(`${server.url}/apps/files/`);
    await listed();
    await page.getByRole('button', { name: 'Settings menu for Web User' }).click();
    await page.getByRole('menuitem', { name: 'Log out' }).click();
    await page.waitForURL(`${server.url}/login?loggedout=1`);
    await page.getByText('You have been logged out.').waitFor();
    await expectNoSeriousAxeViolations(page, 'sign-in after logout');
    await screenshot(page, 'web-22-logged-out');
    expect((await context.cookies(server.url)).find((c) => c.name === 'cumulus_session')).toBeUndefined();
    const res = await fetch(`${server.url}/csrftoken`, { headers: { Cookie: `cumulus_session=${before.value}` } });
    expect(res.status).toBe(401);
    await page.goto(`${server.url}/apps/files/`);
    await page.waitForURL(/\/login\?redirect_url=/);
  });
});

describe('keyboard only', () => {
  let kb: Page;

  /** Presses Tab (or Shift+Tab) until the focused element's accessible text is `text`. */
  const tab = (text: string, back = false) => tabTo(kb, { text }, { back, max: 40 });

  beforeAll(async () => {
    const kbContext = await browser.newContext({ viewport: { width: 1024, height: 768 } });
    kb = await kbContext.newPage();
  });

  it('signs in, opens a folder and its subfolder, returns by the breadcrumbs, and logs out — keys only', async () => {
    await kb.goto(`${server.url}/login`);
    await kb.getByRole('heading', { name: 'Sign in to Cumulus' }).waitFor();
    // The login field has the focus when the page opens.
    await kb.keyboard.type(user.user);
    await kb.keyboard.press('Tab');
    await kb.keyboard.type(user.password);
    await kb.keyboard.press('Enter');
    await kb.waitForURL(`${server.url}/apps/files/`);
    await listed(kb);

    // The skip link is the first stop and moves focus to the main content.
    await kb.keyboard.press('Tab');
    expect(await kb.evaluate(() => document.activeElement?.textContent)).toBe('Skip to main content');
    await kb.keyboard.press('Enter');
    expect(await kb.evaluate(() => document.activeElement?.id)).toBe('main');

    await tab('Documents (Folder)');
    await kb.keyboard.press('Enter');
    await kb.waitForURL(`${server.url}/apps/files/?dir=/Documents`);
    await listed(kb);
    await kb.waitForFunction(() => document.activeElement?.tagName === 'H1' && document.activeElement.textContent === 'Documents');
    await tab('Reports (Folder)');
    await kb.keyboard.press('Enter');
    await kb.waitForURL(`${server.url}/apps/files/?dir=/Documents/Reports`);
    await listed(kb);
    expect(await rowNames(kb)).toEqual(['q1.txt']);

    await tab('Home', true);
    await kb.keyboard.press('Enter');
    await kb.waitForURL(`${server.url}/apps/files/?dir=/`);
    await listed(kb);
    expect(await rowNames(kb)).toEqual(ALL);

    // Arrow keys walk the rows.
    await tab('Documents (Folder)');
    await kb.keyboard.press('ArrowDown');
    expect(await kb.evaluate(() => document.activeElement?.textContent)).toBe('Many (Folder)');

    // Ctrl+F, type, Escape.
    await kb.keyboard.press('Control+f');
    await kb.keyboard.type('photo');
    expect(await rowNames(kb)).toEqual(['Photos']);
    await kb.keyboard.press('Escape');

    await tab(`Settings menu for Web User`, true);
    await kb.keyboard.press('Enter');
    await kb.keyboard.press('ArrowDown');
    expect(await kb.evaluate(() => document.activeElement?.textContent)).toBe('Log out');
    await kb.keyboard.press('Enter');
    await kb.waitForURL(`${server.url}/login?loggedout=1`);
    await screenshot(kb, 'web-23-keyboard-logged-out');
  });
});

describe('throttling (last: it blocks sign-ins from this address for a while)', () => {
  it('after 10 failed sign-ins the page says to wait, even with the right password', async () => {
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${server.url}/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: server.url },
        body: JSON.stringify({ user: user.user, password: `wrong-${i}` }),
      });
      expect(res.status).toBe(401);
    }
    const blocked = await browser.newPage({ viewport: { width: 1024, height: 768 } });
    await blocked.goto(`${server.url}/login`);
    await blocked.getByLabel('Account name or e-mail').fill(user.user);
    await blocked.getByLabel('Password').fill(user.password);
    await blocked.getByRole('button', { name: 'Log in' }).click();
    const alert = blocked.getByRole('alert');
    await alert.filter({ hasText: 'Too many failed attempts' }).waitFor();
    const seconds = Number(/Wait (\d+) seconds/.exec((await alert.textContent()) ?? '')?.[1]);
    expect(seconds).toBeGreaterThan(60);
    expect(seconds).toBeLessThanOrEqual(30 * 60);
    expect(blocked.url()).toContain('/login');
    await expectNoSeriousAxeViolations(blocked, 'sign-in throttled');
    await screenshot(blocked, 'web-24-sign-in-throttled');
  }, 120_000);
});
