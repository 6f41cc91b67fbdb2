/**
 * The Files list's details sidebar, file-type icons and the virtualized grid in a real browser
 * (Chromium through playwright-core) against `wrangler dev`: Details from a row menu by keyboard
 * (size, modified, versions; restoring the older version refreshes the row; Escape closes back on
 * the row), folder details (no versions), the bulk bar's Details, closing on navigation; one icon
 * per file type in the table and the grid; a grid of 10,000 files that renders only the tiles in
 * view, with End/Home across unrendered tiles; axe-core in light and dark; 360 px.
 * Screenshots: test-artifacts/screenshots/files-details*.png, files-grid-icons.png.
 */
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, strongPassword } from '../../support/server.mjs';
import { basic, closeAll, expectNoSeriousAxeViolations, fitsWidth, focusIs, launchChromium, screenshot, scrollTiming, signIn, tabTo } from './browser';

/** Files in the big folder (the 10,000); WEB_TEST_MANY=300 makes a quick local run. */
const MANY = Number(process.env.WEB_TEST_MANY ?? 10_000);
const LAST = `file-${String(MANY - 1).padStart(5, '0')}.txt`;

const V1 = 'the first version, the longer one';
const V2 = 'v2';

let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let user: { user: string; password: string };

function auth(): string {
  return basic(user.user, user.password);
}

async function dav(method: string, p: string, body?: string, headers: Record<string, string> = {}): Promise<Response> {
  const res = await fetch(`${server.davUrl(user.user)}${p.split('/').filter(Boolean).map(encodeURIComponent).join('/')}`, {
    method, body, headers: { Authorization: auth(), ...headers },
  });
  if (res.status >= 300) throw new Error(`${method} ${p}: HTTP ${res.status}`);
  return res;
}

/** Creates `count` empty files in /Many, `parallel` requests at a time. */
async function fillMany(count: number, parallel = 24): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < count) {
      const i = next++;
      await (await dav('PUT', `Many/file-${String(i).padStart(5, '0')}.txt`, '')).arrayBuffer();
    }
  }));
}

/** The server's modification time of a file (ms). */
async function modifiedOf(p: string): Promise<number> {
  const text = await (await dav('PROPFIND', p, undefined, { Depth: '0' })).text();
  return Date.parse(/<d:getlastmodified>([^<]+)</.exec(text)![1]!);
}

async function listed(p: Page = page): Promise<void> {
  await p.locator('.files[aria-busy="false"] .summary').first().waitFor();
}

async function openFolder(dir: string, p: Page = page): Promise<void> {
  await p.goto(`${server.url}/apps/files/?dir=${dir}`);
  await p.locator(`.files[data-dir="${dir}"][aria-busy="false"] .summary`).waitFor();
}

function row(name: string, p: Page = page) {
  return p.locator('.file-table tbody tr[data-row]', { has: p.locator('td.col-name a', { hasText: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( \\(Folder\\))?$`) }) });
}

/** Signs in on /login and waits for the home folder's listing. */
async function signInListed(p: Page): Promise<void> {
  await signIn(p, server.url, user);
  await listed(p);
}

/** The value next to a term in the sidebar's facts. */
function fact(panel: Locator, term: string) {
  return panel.locator('.details-facts dt', { hasText: new RegExp(`^${term}$`) }).locator('xpath=following-sibling::dd[1]');
}

/** The path of the row whose name link has the focus (null when the focus is elsewhere). */
function focusedRowLink(p: Page = page): Promise<string | null> {
  return p.evaluate(() => {
    const el = document.activeElement;
    return el?.tagName === 'A' ? el.closest<HTMLElement>('[data-path]')?.dataset.path ?? null : null;
  });
}

beforeAll(async () => {
  server = await startServer({ name: 'web-files-details' });
  user = await server.createUser('details', strongPassword(), { displayName: 'Details User' });
  for (const folder of ['Docs', 'Docs/Inner', 'Kinds', 'Kinds/Sub', 'Many', 'Other']) await dav('MKCOL', folder);
  // The second write keeps the first content as a version.
  await dav('PUT', 'Docs/report.txt', V1);
  await dav('PUT', 'Docs/report.txt', V2);
  await dav('PUT', 'Docs/Inner/inside.txt', 'inside');
  for (const name of ['a.png', 'b.mp4', 'c.pdf', 'd.txt', 'e.zip', 'f.odt', 'g.csv']) await dav('PUT', `Kinds/${name}`, 'x');
  await fillMany(MANY);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  page = await context.newPage();
  await signInListed(page);
}, 10 * 60_000);

afterAll(() => closeAll(browser, server));

describe('details sidebar', () => {
  it('opens from a row menu by keyboard, shows size and modified, restores the older version, and Escape closes it back on the row', async () => {
    await openFolder('/Docs');
    await tabTo(page, { text: 'Actions for report.txt' }, { here: true });
    await page.keyboard.press('Enter');
    await focusIs(page, 'Rename');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await focusIs(page, 'Details');
    await page.keyboard.press('Enter');

    const panel = page.getByRole('complementary', { name: 'Details' });
    await panel.waitFor();
    // The focus is on the sidebar's heading.
    await page.waitForFunction(() => document.activeElement?.tagName === 'H2' && !!document.activeElement.closest('.files-details'));
    expect(await fact(panel, 'Size').textContent()).toBe(`${V2.length} B`);
    const modified = await modifiedOf('Docs/report.txt');
    const expected = await page.evaluate((ms) => new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'medium' }).format(ms), modified);
    expect(await fact(panel, 'Modified').textContent()).toBe(expected);
    expect(await fact(panel, 'Type').textContent()).toBe('text/plain');
    expect(await page.locator('.files-details-name').textContent()).toBe('report.txt');

    const versions = panel.getByRole('list', { name: 'Versions' });
    await versions.getByRole('button', { name: /^Restore the version of / }).waitFor();
    expect(await versions.getByRole('listitem').count()).toBe(2);
    await expectNoSeriousAxeViolations(page, 'details sidebar (light)');
    await screenshot(page, 'files-details');

    // Restore the older version by keyboard: the server has the old content, the row its size.
    await tabTo(page, { text: await versions.getByRole('button', { name: /^Restore the version of / }).getAttribute('aria-label') ?? '' }, { here: true });
    await page.keyboard.press('Enter');
    await panel.getByRole('status').filter({ hasText: 'was restored' }).waitFor();
    expect(await (await dav('GET', 'Docs/report.txt')).text()).toBe(V1);
    await expect.poll(() => row('report.txt').locator('td.col-size').textContent()).toBe(`${V1.length} B`);
    await expect.poll(() => fact(panel, 'Size').textContent()).toBe(`${V1.length} B`);

    // Escape closes it; the focus is back on the row's link.
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
    await expect.poll(() => focusedRowLink()).toBe('/Docs/report.txt');
  });

  it('shows a folder\'s name, size and modified without versions; the bulk bar opens it for one selected item; Close closes it', async () => {
    await openFolder('/Docs');
    await page.getByRole('checkbox', { name: 'Select Inner' }).click();
    const bar = page.getByRole('group', { name: 'Selection' });
    await bar.getByRole('button', { name: 'Details' }).click();
    const panel = page.getByRole('complementary', { name: 'Details' });
    await panel.waitFor();
    expect(await fact(panel, 'Name').textContent()).toBe('Inner');
    expect(await fact(panel, 'Size').textContent()).toBe(`${'inside'.length} B`);
    expect(await fact(panel, 'Modified').textContent()).toMatch(/\d{4}/);
    expect(await panel.getByRole('list', { name: 'Versions' }).count()).toBe(0);
    expect(await panel.getByText('Versions').count()).toBe(0);
    await expectNoSeriousAxeViolations(page, 'folder details');
    // Two selected: no Details button in the bar.
    await page.getByRole('checkbox', { name: 'Select report.txt' }).click();
    await bar.getByText('2 selected').waitFor();
    expect(await bar.getByRole('button', { name: 'Details' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Close details' }).click();
    await panel.waitFor({ state: 'detached' });
    await expect.poll(() => focusedRowLink()).toBe('/Docs/Inner');
    await bar.getByRole('button', { name: 'Clear selection' }).click();
  });

  it('closes when another folder is opened', async () => {
    await openFolder('/Docs');
    await page.getByRole('button', { name: 'Actions for report.txt' }).click();
    await page.getByRole('menuitem', { name: 'Details' }).click();
    const panel = page.getByRole('complementary', { name: 'Details' });
    await panel.waitFor();
    await row('Inner').locator('a').click();
    await page.locator('.files[data-dir="/Docs/Inner"][aria-busy="false"] .summary').waitFor();
    expect(await panel.count()).toBe(0);
  });

  it('passes axe in the dark theme with the sidebar open', async () => {
    const dark = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'en-US' });
    await dark.addInitScript(() => localStorage.setItem('cumulus.theme', 'dark'));
    const p = await dark.newPage();
    await signInListed(p);
    expect(await p.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await openFolder('/Docs', p);
    await p.getByRole('button', { name: 'Actions for report.txt' }).click();
    await p.getByRole('menuitem', { name: 'Details' }).click();
    const panel = p.getByRole('complementary', { name: 'Details' });
    await panel.getByRole('list', { name: 'Versions' }).getByRole('listitem').first().waitFor();
    await p.locator('.details .loading').waitFor({ state: 'detached' });
    await expectNoSeriousAxeViolations(p, 'details sidebar (dark)');
    await screenshot(p, 'files-details-dark');
    await dark.close();
  });

  it('opens and closes at 360 px without sideways scrolling', async () => {
    const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'en-US' });
    const p = await phone.newPage();
    await signInListed(p);
    await openFolder('/Docs', p);
    await p.getByRole('button', { name: 'Actions for report.txt' }).click();
    await p.getByRole('menuitem', { name: 'Details' }).click();
    const panel = p.getByRole('complementary', { name: 'Details' });
    await panel.getByRole('list', { name: 'Versions' }).waitFor();
    expect(await fitsWidth(p)).toBe(true);
    const box = (await p.locator('.files-details').boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(360);
    await expectNoSeriousAxeViolations(p, 'details sidebar 360px');
    await screenshot(p, 'files-details-phone');
    await p.getByRole('button', { name: 'Close details' }).click();
    await panel.waitFor({ state: 'detached' });
    expect(await fitsWidth(p)).toBe(true);
    await expect.poll(() => focusedRowLink(p)).toBe('/Docs/report.txt');
    await phone.close();
  });
});

describe('icons by file type', () => {
  const EXPECTED: Record<string, string> = {
    Sub: 'folder', 'a.png': 'image', 'b.mp4': 'video', 'c.pdf': 'pdf', 'd.txt': 'text',
    'e.zip': 'archive', 'f.odt': 'document', 'g.csv': 'spreadsheet',
  };

  it('each row and each tile has the icon of its type', async () => {
    await openFolder('/Kinds');
    for (const [name, kind] of Object.entries(EXPECTED)) {
      expect(await row(name).locator('svg[data-icon]').getAttribute('data-icon'), name).toBe(kind);
    }
    // Decorative: hidden from assistive technology, never focusable.
    expect(await page.locator('.file-table svg[data-icon]:not([aria-hidden="true"][focusable="false"])').count()).toBe(0);
    const toggle = page.getByRole('button', { name: 'Grid view' });
    await toggle.click();
    await page.getByRole('list', { name: 'Files in /Kinds' }).waitFor();
    for (const [name, kind] of Object.entries(EXPECTED)) {
      expect(await page.locator(`.file-grid li[data-path="/Kinds/${name}"] svg[data-icon]`).getAttribute('data-icon'), name).toBe(kind);
    }
    await expectNoSeriousAxeViolations(page, 'grid with icons');
    await screenshot(page, 'files-grid-icons');
    await toggle.click();
    await page.locator('.file-table').waitFor();
  });
});

describe('grid virtualization', () => {
  it(`the grid of ${MANY} files renders only the tiles in view; End and Home reach the last and first tile`, async () => {
    await openFolder('/Many');
    const toggle = page.getByRole('button', { name: 'Grid view' });
    await toggle.click();
    const grid = page.getByRole('list', { name: 'Files in /Many' });
    await grid.waitFor();
    const tiles = page.locator('.file-grid > li');
    expect(await tiles.count()).toBeLessThan(300);
    expect(await tiles.first().getAttribute('aria-setsize')).toBe(String(MANY));
    expect(await tiles.first().getAttribute('aria-posinset')).toBe('1');
    // Scroll through in steps, timing the frames: every step renders its tiles at once.
    const timing = await scrollTiming(page, '.grid-scroller', '.file-grid > li', { backToTop: true });
    expect(timing.count).toBeLessThan(300);
    expect(timing.max).toBeLessThan(500);

    await grid.getByRole('link', { name: 'file-00000.txt' }).focus();
    await page.keyboard.press('End');
    await page.waitForFunction((last) => document.activeElement?.textContent === last, LAST);
    expect(await page.evaluate(() => document.activeElement?.closest('li')?.getAttribute('aria-posinset'))).toBe(String(MANY));
    expect(await tiles.count()).toBeLessThan(300);
    await page.keyboard.press('Home');
    await page.waitForFunction(() => document.activeElement?.textContent === 'file-00000.txt');
    // ArrowDown goes one row of tiles down, to the tile below.
    const perRow = await page.evaluate(() => getComputedStyle(document.querySelector('.file-grid')!).gridTemplateColumns.split(' ').length);
    await page.keyboard.press('ArrowDown');
    await page.waitForFunction((name) => document.activeElement?.textContent === name, `file-${String(perRow).padStart(5, '0')}.txt`);
    await expectNoSeriousAxeViolations(page, `grid of ${MANY}`);
    await toggle.click();
    await page.locator('.file-table').waitFor();
  });

  it(`at 360 px the table and the grid of ${MANY} files still render only what is in view`, async () => {
    const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'en-US' });
    const p = await phone.newPage();
    await signInListed(p);
    await openFolder('/Many', p);
    expect(await p.locator('.file-table tbody tr[data-row]').count()).toBeLessThan(80);
    await p.getByRole('button', { name: 'Grid view' }).click();
    await p.getByRole('list', { name: 'Files in /Many' }).waitFor();
    expect(await p.locator('.file-grid > li').count()).toBeLessThan(300);
    expect(await fitsWidth(p)).toBe(true);
    await p.getByRole('link', { name: 'file-00000.txt' }).focus();
    await p.keyboard.press('End');
    await p.waitForFunction((last) => document.activeElement?.textContent === last, LAST);
    await phone.close();
  });
});
