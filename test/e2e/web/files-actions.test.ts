/**
 * The Files app's actions in a real browser against `wrangler dev`: selection and the bulk bar,
 * the row actions menu (rename, move or copy through the folder picker, download, favorites,
 * delete), drag-and-drop moves and copies (Ctrl or Alt held), the New menu (folder, text file,
 * uploads of files and folders, dropped folder trees), the upload panel with progress and cancel
 * (a dropped 300 MiB file, uploaded in chunks),
 * the Recent, Favorites and Deleted files views, the hidden-files setting, the grid view, the
 * main flows by keyboard only, axe-core on every new page and dialog, and screenshots.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prngStream } from '../../support/prng.mjs';
import { startServer, strongPassword } from '../../support/server.mjs';
import { basic, closeAll, expectNoSeriousAxeViolations, fitsWidth, focusIs, launchChromium, screenshot, signIn, tabTo } from './browser';

let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let user: { user: string; password: string };
let tmp: string;

const MiB = 1024 * 1024;
const BIG = Number(process.env.WEB_TEST_BIG_MIB ?? 300) * MiB;

function auth(): string {
  return basic(user.user, user.password);
}

function fileUrl(p: string): string {
  return `${server.davUrl(user.user)}${p.split('/').filter(Boolean).map(encodeURIComponent).join('/')}`;
}

async function dav(method: string, p: string, body?: string, headers: Record<string, string> = {}): Promise<Response> {
  const res = await fetch(fileUrl(p), { method, body, headers: { Authorization: auth(), ...headers } });
  if (res.status >= 300 && res.status !== 404) throw new Error(`${method} ${p}: HTTP ${res.status}`);
  return res;
}

/** Size of a file on the server, or null when it does not exist. */
async function sizeOf(p: string): Promise<number | null> {
  const res = await fetch(fileUrl(p), { method: 'PROPFIND', headers: { Authorization: auth(), Depth: '0' } });
  if (res.status === 404) return null;
  const text = await res.text();
  const m = /<d:getcontentlength>(\d+)</.exec(text) ?? /<oc:size>(\d+)</.exec(text);
  return m ? Number(m[1]) : 0;
}

async function exists(p: string): Promise<boolean> {
  return (await sizeOf(p)) !== null;
}

/** The names of the rows in the DOM, in order. */
function rowNames(p: Page = page): Promise<string[]> {
  return p.$$eval('.file-table tbody tr[data-row] td.col-name a', (links) => links.map((a) => a.childNodes[0]?.textContent ?? ''));
}

/** Waits until the listing in the page's URL has loaded. */
async function listed(p: Page = page): Promise<void> {
  await p.locator('.files[aria-busy="false"] .summary').first().waitFor();
}

async function openFolder(dir: string, p: Page = page): Promise<void> {
  await p.goto(`${server.url}/apps/files/?dir=${dir}`);
  await listed(p);
}

/** A name link's whole text: the name, and " (Folder)" after a folder's. */
function nameText(name: string): RegExp {
  return new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( \\(Folder\\))?$`);
}

function row(name: string, p: Page = page) {
  return p.locator('.file-table tbody tr[data-row]', { has: p.locator('td.col-name a', { hasText: nameText(name) }) });
}

/** Signs in on /login and waits for the home folder's listing. */
async function signInListed(p: Page): Promise<void> {
  await signIn(p, server.url, user);
  await listed(p);
}

/** Waits until every row of `names` is (or, with gone, is no longer) listed. */
async function waitRows(names: string[], gone = false, p: Page = page): Promise<void> {
  await p.waitForFunction(([n, g]) => {
    const listedNames = Array.from(document.querySelectorAll('.file-table tbody tr[data-row] td.col-name a')).map((a) => a.childNodes[0]?.textContent ?? '');
    return (n as string[]).every((x) => listedNames.includes(x) !== g);
  }, [names, gone] as const);
}

/** What the upload panel showed at one moment: its heading, the total and each file's bar, and whether it was visible. */
interface PanelState { heading: string; total: number | null; visible: boolean; files: Record<string, number> }

/** Starts recording every state the upload panel shows (a MutationObserver, so no state is missed between polls). */
async function recordUploadPanel(): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { panelStates: PanelState[]; panelObserver?: MutationObserver };
    w.panelObserver?.disconnect();
    w.panelStates = [];
    const value = (el: Element | null) => (el ? Number(el.getAttribute('aria-valuenow')) : null);
    const record = () => {
      const panel = document.querySelector<HTMLElement>('.upload-panel');
      if (!panel) return;
      const files: Record<string, number> = {};
      for (const li of panel.querySelectorAll<HTMLElement>('li.upload')) files[li.dataset.name!] = value(li.querySelector('[role="progressbar"]'))!;
      const totalBar = panel.querySelector('.upload-head + .bar-line [role="progressbar"]');
      const bars = Array.from(panel.querySelectorAll<HTMLElement>('[role="progressbar"]'));
      const state = {
        heading: panel.querySelector('h2')?.textContent ?? '', total: value(totalBar), files,
        visible: panel.checkVisibility() && bars.length > 0 && bars.every((b) => b.checkVisibility() && b.getBoundingClientRect().width > 0),
      };
      const prev = w.panelStates[w.panelStates.length - 1];
      if (JSON.stringify(prev) !== JSON.stringify(state)) w.panelStates.push(state);
    };
    w.panelObserver = new MutationObserver(record);
    w.panelObserver.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
}

/** The states recorded since recordUploadPanel(); stops recording. */
function uploadPanelStates(): Promise<PanelState[]> {
  return page.evaluate(() => {
    const w = window as unknown as { panelStates: PanelState[]; panelObserver?: MutationObserver };
    w.panelObserver?.disconnect();
    return w.panelStates;
  });
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cumulus-web-actions-'));
  server = await startServer({ name: 'web-files-actions' });
  user = await server.createUser('actions', strongPassword(), { displayName: 'Action User', email: 'actions@example.org' });
  for (const folder of ['Archive', 'Dest', 'Dest/Inner', 'Work']) await dav('MKCOL', folder);
  await dav('PUT', 'alpha.txt', 'alpha');
  await dav('PUT', 'beta.txt', 'beta beta');
  await dav('PUT', 'gamma.txt', 'gamma');
  await dav('PUT', 'delta.txt', 'delta');
  await dav('PUT', 'clash.txt', 'first');
  await dav('PUT', 'Dest/clash.txt', 'second');
  await dav('PUT', '.hidden-notes', 'secret');
  await dav('PUT', 'old.txt', 'old', { 'X-OC-Mtime': String(Math.floor(Date.now() / 1000) - 40 * 86400) });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  page = await context.newPage();
  await signInListed(page);
}, 5 * 60_000);

afterAll(async () => {
  await closeAll(browser, server);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('selection and row actions', () => {
  it('shows a checkbox, a star and an actions menu per row; hidden files stay hidden', async () => {
    expect(await rowNames()).toEqual(['Archive', 'Dest', 'Work', 'alpha.txt', 'beta.txt', 'clash.txt', 'delta.txt', 'gamma.txt', 'old.txt']);
    await expect(page.getByRole('checkbox', { name: 'Select alpha.txt' }).isChecked()).resolves.toBe(false);
    await page.getByRole('button', { name: 'Favorite: alpha.txt' }).waitFor();
    expect(await page.getByRole('button', { name: 'Actions for alpha.txt' }).getAttribute('aria-haspopup')).toBe('menu');
    expect(await page.getByRole('navigation', { name: 'Files views' }).getByRole('link').allTextContents())
      .toEqual(['All files', 'Recent', 'Favorites', 'Deleted files']);
    await expectNoSeriousAxeViolations(page, 'files with actions');
    await screenshot(page, 'files-actions-01-list');
  });

  it('selects with the checkboxes, Shift+click and select all; the bulk bar counts them', async () => {
    await page.getByRole('checkbox', { name: 'Select alpha.txt' }).click();
    await page.getByRole('checkbox', { name: 'Select delta.txt' }).click({ modifiers: ['Shift'] });
    const bar = page.getByRole('group', { name: 'Selection' });
    await bar.getByText('4 selected').waitFor();
    expect(await row('beta.txt').getAttribute('aria-selected')).toBe('true');
    await expectNoSeriousAxeViolations(page, 'bulk bar');
    await screenshot(page, 'files-actions-02-selection');
    await page.getByRole('checkbox', { name: 'Select all' }).check();
    await bar.getByText('9 selected').waitFor();
    await page.getByRole('checkbox', { name: 'Select all' }).uncheck();
    await bar.waitFor({ state: 'detached' });
  });

  it('renames inline: Enter saves, Escape cancels, a clash shows an error', async () => {
    await page.getByRole('button', { name: 'Actions for gamma.txt' }).click();
    const menu = page.getByRole('menu', { name: 'Actions for gamma.txt' });
    await expectNoSeriousAxeViolations(page, 'row actions menu');
    await screenshot(page, 'files-actions-03-row-menu');
    await menu.getByRole('menuitem', { name: 'Rename' }).click();
    const field = page.getByRole('textbox', { name: 'New name for gamma.txt' });
    await expect(field.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await field.fill('clash.txt');
    await field.press('Enter');
    await page.getByRole('alert').filter({ hasText: '“clash.txt” already exists in Home.' }).waitFor();
    await expectNoSeriousAxeViolations(page, 'rename clash');
    await screenshot(page, 'files-actions-04-rename-clash');
    await field.press('Escape');
    await field.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Actions for gamma.txt' }).click();
    await page.getByRole('menuitem', { name: 'Rename' }).click();
    await field.fill('gamma renamed.txt');
    await field.press('Enter');
    await waitRows(['gamma renamed.txt']);
    await waitRows(['gamma.txt'], true);
    expect(await sizeOf('gamma renamed.txt')).toBe(5);
    expect(await exists('gamma.txt')).toBe(false);
  });

  it('moves through the folder picker dialog; a clash is shown; Escape closes it', async () => {
    await page.getByRole('button', { name: 'Actions for clash.txt' }).click();
    await page.getByRole('menuitem', { name: 'Move or copy' }).click();
    const dialog = page.getByRole('dialog', { name: 'Move or copy “clash.txt”' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Dest' }).click();
    await dialog.getByRole('list', { name: 'Folders in Dest' }).waitFor();
    await dialog.getByRole('button', { name: 'Move to Dest' }).click();
    await dialog.getByRole('alert').filter({ hasText: '“clash.txt” already exists in /Dest.' }).waitFor();
    await expectNoSeriousAxeViolations(page, 'folder picker with clash');
    await screenshot(page, 'files-actions-05-picker-clash');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    // Focus went back to the actions button.
    await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Actions for clash.txt', undefined, { timeout: 3000 })
      .catch(async () => { throw new Error(`focus on ${await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 200))}`); });

    await page.getByRole('button', { name: 'Actions for alpha.txt' }).click();
    await page.getByRole('menuitem', { name: 'Move or copy' }).click();
    const alpha = page.getByRole('dialog', { name: 'Move or copy “alpha.txt”' });
    await alpha.getByRole('button', { name: 'Dest' }).click();
    await alpha.getByRole('button', { name: 'Inner' }).click();
    await alpha.getByRole('button', { name: 'Move to Inner' }).click();
    await alpha.waitFor({ state: 'detached' });
    await waitRows(['alpha.txt'], true);
    expect(await sizeOf('Dest/Inner/alpha.txt')).toBe(5);
    expect(await exists('alpha.txt')).toBe(false);
  });

  it('copies through the folder picker', async () => {
    await page.getByRole('button', { name: 'Actions for beta.txt' }).click();
    await page.getByRole('menuitem', { name: 'Move or copy' }).click();
    const dialog = page.getByRole('dialog', { name: 'Move or copy “beta.txt”' });
    await dialog.getByRole('button', { name: 'Work' }).click();
    await dialog.getByText('No folders here.').waitFor();
    await dialog.getByRole('button', { name: 'Copy to Work' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await sizeOf('Work/beta.txt')).toBe(9);
    expect(await sizeOf('beta.txt')).toBe(9);
  });

  it('moves by dragging a row onto a folder row, and onto a breadcrumb', async () => {
    await row('delta.txt').dragTo(row('Archive'));
    await waitRows(['delta.txt'], true);
    expect(await sizeOf('Archive/delta.txt')).toBe(5);
    await openFolder('/Archive');
    await row('delta.txt').dragTo(page.getByRole('navigation', { name: 'Folder path' }).getByRole('link', { name: 'Home' }));
    await waitRows(['delta.txt'], true);
    expect(await sizeOf('delta.txt')).toBe(5);
    await openFolder('/');
  });

  it('copies by dragging with Ctrl held (Alt in the grid, as on macOS): the pointer shows a copy, the source stays, announced', async () => {
    // What the page made of each drag event, read after its own handlers (dragover bubbles up to
    // the document; the drop is stopped at the target, so it is read on the way down).
    await page.evaluate(() => {
      const w = window as unknown as { dragEffects: string[] };
      w.dragEffects = [];
      document.addEventListener('dragover', (e) => {
        const over = (e.target as Element).closest('.drop-over');
        w.dragEffects.push(`over:${e.dataTransfer?.dropEffect}:${over?.classList.contains('drop-copy') ? 'copy-style' : 'move-style'}`);
      });
      document.addEventListener('drop', (e) => w.dragEffects.push(`drop:${e.dataTransfer?.dropEffect}`), true);
    });
    const effects = async () => {
      const list = await page.evaluate(() => (window as unknown as { dragEffects: string[] }).dragEffects.splice(0));
      // Only the events over the target folder count (the first ones are over the dragged row itself).
      return list.slice(list.findIndex((e) => e.endsWith('copy-style')));
    };
    const status = page.locator('.files p.visually-hidden[role="status"]');

    await page.keyboard.down('Control');
    await row('beta.txt').dragTo(row('Archive'));
    await page.keyboard.up('Control');
    await expect.poll(() => status.textContent()).toBe('1 copied to /Archive.');
    const tableEffects = await effects();
    expect(tableEffects.length).toBeGreaterThan(1);
    expect(tableEffects.filter((e) => e.startsWith('over:'))).toEqual(tableEffects.filter((e) => e.startsWith('over:')).map(() => 'over:copy:copy-style'));
    expect(tableEffects[tableEffects.length - 1]).toBe('drop:copy');
    expect(await sizeOf('Archive/beta.txt')).toBe(9);
    expect(await sizeOf('beta.txt')).toBe(9);
    expect(await rowNames()).toContain('beta.txt');

    await page.getByRole('button', { name: 'Grid view' }).click();
    const grid = page.getByRole('list', { name: 'Files in Home' });
    const tile = (name: string) => grid.locator('li', { has: page.locator('.tile-name', { hasText: nameText(name) }) });
    await page.keyboard.down('Alt');
    await tile('beta.txt').dragTo(tile('Dest'));
    await page.keyboard.up('Alt');
    await expect.poll(() => status.textContent()).toBe('1 copied to /Dest.');
    expect((await effects()).pop()).toBe('drop:copy');
    expect(await sizeOf('Dest/beta.txt')).toBe(9);
    expect(await sizeOf('beta.txt')).toBe(9);
    await page.getByRole('button', { name: 'Grid view' }).click();
    await page.locator('.file-table').waitFor();
  });

  it('stars a favorite, which the Favorites view lists; unstarring removes it', async () => {
    const star = page.getByRole('button', { name: 'Favorite: beta.txt' });
    await star.click();
    await page.waitForFunction(() => document.querySelector('button[aria-label="Favorite: beta.txt"]')?.getAttribute('aria-pressed') === 'true');
    await page.getByRole('button', { name: 'Actions for Work' }).click();
    await page.getByRole('menuitem', { name: 'Add to favorites' }).click();
    await page.waitForFunction(() => document.querySelector('button[aria-label="Favorite: Work"]')?.getAttribute('aria-pressed') === 'true');
    await page.getByRole('navigation', { name: 'Files views' }).getByRole('link', { name: 'Favorites' }).click();
    await page.waitForURL(`${server.url}/apps/files/favorites`);
    await listed();
    expect((await rowNames()).sort()).toEqual(['Work', 'beta.txt']);
    await expect.poll(() => page.title()).toBe('Favorites - Files - Cumulus');
    await expectNoSeriousAxeViolations(page, 'favorites view');
    await screenshot(page, 'files-actions-06-favorites');
    // Unstarred, it leaves the Favorites view.
    await page.getByRole('button', { name: 'Favorite: Work' }).click();
    await waitRows(['Work'], true);
    expect(await rowNames()).toEqual(['beta.txt']);
  });

  it('Recent lists files changed in the last 14 days, newest first, not older ones', async () => {
    await dav('PUT', 'Work/fresh.txt', 'fresh', { 'X-OC-Mtime': String(Math.floor(Date.now() / 1000) + 5) });
    await page.getByRole('navigation', { name: 'Files views' }).getByRole('link', { name: 'Recent' }).click();
    await page.waitForURL(`${server.url}/apps/files/recent`);
    await listed();
    const names = await rowNames();
    expect(names[0]).toBe('fresh.txt');
    expect(names).toContain('gamma renamed.txt');
    expect(names).not.toContain('old.txt');
    expect(names).not.toContain('Work');
    await expect(row('fresh.txt').locator('.location').textContent()).resolves.toBe('/Work');
    await expectNoSeriousAxeViolations(page, 'recent view');
    await screenshot(page, 'files-actions-07-recent');
  });

  it('downloads a selection as a ZIP that unzips', async () => {
    await openFolder('/');
    await page.getByRole('checkbox', { name: 'Select beta.txt' }).click();
    await page.getByRole('checkbox', { name: 'Select Dest' }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('group', { name: 'Selection' }).getByRole('link', { name: 'Download (ZIP)' }).click(),
    ]);
    const file = path.join(tmp, 'selection.zip');
    await download.saveAs(file);
    const test = execFileSync('unzip', ['-t', file], { encoding: 'utf8' });
    expect(test).toContain('No errors detected');
    const list = execFileSync('unzip', ['-l', file], { encoding: 'utf8' });
    expect(list).toContain('beta.txt');
    expect(list).toContain('Dest/Inner/alpha.txt');
    expect(list).toContain('Dest/clash.txt');
    await page.getByRole('button', { name: 'Clear selection' }).click();
  });

  it('deletes a selection to the trash; Deleted files restores one and deletes one for good; Empty trash asks first', async () => {
    await page.getByRole('checkbox', { name: 'Select clash.txt' }).click();
    await page.getByRole('checkbox', { name: 'Select delta.txt' }).click();
    await page.getByRole('checkbox', { name: 'Select old.txt' }).click();
    await page.getByRole('group', { name: 'Selection' }).getByRole('button', { name: 'Delete' }).click();
    await waitRows(['clash.txt', 'delta.txt', 'old.txt'], true);
    expect(await exists('clash.txt')).toBe(false);

    await page.getByRole('navigation', { name: 'Files views' }).getByRole('link', { name: 'Deleted files' }).click();
    await page.waitForURL(`${server.url}/apps/files/trashbin`);
    const table = page.locator('.trash-table');
    await table.waitFor();
    await page.getByText('3 deleted items').waitFor();
    const clashRow = table.locator('tr', { hasText: 'clash.txt' });
    await expect(clashRow.locator('.col-origin').textContent()).resolves.toBe('clash.txt');
    expect(await clashRow.locator('.col-modified').textContent()).not.toBe('');
    await expectNoSeriousAxeViolations(page, 'deleted files');
    await screenshot(page, 'files-actions-08-trash');
    await page.getByRole('button', { name: 'Restore clash.txt' }).click();
    await page.getByText('1 restored.').waitFor();
    expect(await sizeOf('clash.txt')).toBe(5);
    await page.getByRole('button', { name: 'Delete permanently: old.txt' }).click();
    await page.getByText('1 deleted permanently.').waitFor();
    await table.locator('tr', { hasText: 'old.txt' }).waitFor({ state: 'detached' });
    // The selection: select all, then Restore restores every selected item.
    await page.getByRole('checkbox', { name: 'Select all' }).check();
    const selection = page.getByRole('group', { name: 'Selection' });
    await selection.getByText('1 selected').waitFor();
    await selection.getByRole('button', { name: 'Restore' }).click();
    await expect.poll(() => exists('delta.txt')).toBe(true);
    await table.waitFor({ state: 'detached' });
    await dav('DELETE', 'delta.txt');
    await page.reload();
    await table.waitFor();

    await page.getByRole('button', { name: 'Empty trash' }).click();
    const confirm = page.getByRole('dialog', { name: 'Empty the trash?' });
    await confirm.waitFor();
    await expectNoSeriousAxeViolations(page, 'empty trash dialog');
    await screenshot(page, 'files-actions-09-empty-trash');
    await confirm.getByRole('button', { name: 'Empty trash' }).click();
    await page.getByText('The trash is empty now.').waitFor();
    await table.waitFor({ state: 'detached' });
    expect(await exists('delta.txt')).toBe(false);
  });
});

describe('New menu and uploads', () => {
  it('creates a folder and an empty text file through the name dialog; a clash is shown', async () => {
    await openFolder('/');
    await page.getByRole('button', { name: 'New' }).click();
    await page.getByRole('menu', { name: 'New' }).getByRole('menuitem', { name: 'Upload folder' }).waitFor();
    await expectNoSeriousAxeViolations(page, 'New menu open');
    await screenshot(page, 'files-actions-10a-new-menu');
    await page.getByRole('menuitem', { name: 'New folder' }).click();
    const dialog = page.getByRole('dialog', { name: 'New folder' });
    await dialog.getByLabel('Folder name').fill('Dest');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.getByRole('alert').filter({ hasText: '“Dest” already exists in Home.' }).waitFor();
    await expectNoSeriousAxeViolations(page, 'new folder dialog');
    await screenshot(page, 'files-actions-10-new-folder');
    await dialog.getByLabel('Folder name').fill('Projects');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.waitFor({ state: 'detached' });
    await waitRows(['Projects']);

    await page.getByRole('button', { name: 'New' }).click();
    await page.getByRole('menuitem', { name: 'New text file' }).click();
    const fileDialog = page.getByRole('dialog', { name: 'New text file' });
    await fileDialog.getByLabel('File name').waitFor();
    await expectNoSeriousAxeViolations(page, 'new text file dialog');
    await screenshot(page, 'files-actions-10b-new-text-file');
    await fileDialog.getByLabel('File name').fill('todo.md');
    await fileDialog.getByRole('button', { name: 'Create' }).click();
    await waitRows(['todo.md']);
    expect(await sizeOf('todo.md')).toBe(0);
    expect(await exists('Projects')).toBe(true);
  });

  it('uploads files from the file input with their modification time', async () => {
    const a = path.join(tmp, 'upload-a.txt');
    writeFileSync(a, 'A'.repeat(1000));
    const b = path.join(tmp, 'upload b.bin');
    writeFileSync(b, Buffer.alloc(4096, 7));
    const { utimesSync } = await import('node:fs');
    utimesSync(a, new Date('2024-03-01T10:00:00Z'), new Date('2024-03-01T10:00:00Z'));
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      (async () => {
        await page.getByRole('button', { name: 'New' }).click();
        await page.getByRole('menuitem', { name: 'Upload files' }).click();
      })(),
    ]);
    await chooser.setFiles([a, b]);
    const panel = page.getByRole('region', { name: 'Uploads' });
    await panel.getByRole('heading', { name: 'Uploads finished' }).waitFor();
    await waitRows(['upload-a.txt', 'upload b.bin']);
    expect(await sizeOf('upload-a.txt')).toBe(1000);
    expect(await sizeOf('upload b.bin')).toBe(4096);
    const res = await dav('PROPFIND', 'upload-a.txt', undefined, { Depth: '0' });
    expect(await res.text()).toContain('Fri, 01 Mar 2024 10:00:00 GMT');
    expect(await panel.getAttribute('aria-live')).toBe('polite');
    await expectNoSeriousAxeViolations(page, 'upload panel');
    await screenshot(page, 'files-actions-11-uploaded');
    await panel.getByRole('button', { name: 'Close' }).click();
  });

  it('uploads a whole folder through "Upload folder" (webkitdirectory)', async () => {
    const root = path.join(tmp, 'Album');
    mkdirSync(path.join(root, 'Day 1', 'raw'), { recursive: true });
    mkdirSync(path.join(root, 'Day 2'), { recursive: true });
    writeFileSync(path.join(root, 'cover.txt'), 'cover');
    writeFileSync(path.join(root, 'Day 1', 'one.txt'), 'one!');
    writeFileSync(path.join(root, 'Day 1', 'raw', 'img.raw'), Buffer.alloc(2048, 1));
    writeFileSync(path.join(root, 'Day 2', 'two.txt'), 'two');
    expect(await page.locator('input.upload-folder').getAttribute('webkitdirectory')).not.toBeNull();
    await page.locator('input.upload-folder').setInputFiles(root);
    await page.getByRole('region', { name: 'Uploads' }).getByRole('heading', { name: 'Uploads finished' }).waitFor();
    await waitRows(['Album']);
    expect(await sizeOf('Album/cover.txt')).toBe(5);
    expect(await sizeOf('Album/Day 1/one.txt')).toBe(4);
    expect(await sizeOf('Album/Day 1/raw/img.raw')).toBe(2048);
    expect(await sizeOf('Album/Day 2/two.txt')).toBe(3);
    await page.getByRole('region', { name: 'Uploads' }).getByRole('button', { name: 'Close' }).click();
  });

  it('uploads a dropped folder tree (webkitGetAsEntry), creating its folders, with visible progress', async () => {
    await openFolder('/Projects');
    await recordUploadPanel();
    // Chromium builds File objects; the entries of a dropped folder come from a small in-page shim
    // of FileSystemDirectoryEntry, which is what a real drop of a folder hands the page.
    await page.evaluate(() => {
      type Node = { name: string; children?: Node[]; content?: string };
      const tree: Node = { name: 'Tree', children: [
        { name: 'top.txt', content: 'top' },
        { name: 'empty', children: [] },
        { name: 'a', children: [{ name: 'b', children: [{ name: 'deep.txt', content: 'deep down' }] }, { name: 'a.txt', content: 'aa' }] },
      ] };
      const entry = (node: Node, parent: string): object => {
        const fullPath = `${parent}/${node.name}`;
        if (!node.children) {
          return { isFile: true, isDirectory: false, name: node.name, fullPath, file: (ok: (f: File) => void) => ok(new File([node.content ?? ''], node.name, { lastModified: Date.parse('2025-01-02T03:04:05Z') })) };
        }
        let read = false;
        // readEntries answers in batches, then an empty batch: two batches here.
        const kids = node.children.map((c) => entry(c, fullPath));
        return {
          isFile: false, isDirectory: true, name: node.name, fullPath,
          createReader: () => ({
            readEntries: (ok: (e: object[]) => void) => {
              if (read) return ok([]);
              read = true;
              ok(kids);
            },
          }),
        };
      };
      const placeholder = new File([''], 'Tree');
      const original = DataTransferItem.prototype.webkitGetAsEntry;
      DataTransferItem.prototype.webkitGetAsEntry = function shim(this: DataTransferItem) {
        const f = this.getAsFile();
        return f && f.name === 'Tree' ? entry(tree, '') as FileSystemEntry : original.call(this);
      };
      const dt = new DataTransfer();
      dt.items.add(placeholder);
      dt.items.add(new File(['loose file'], 'loose.txt'));
      const target = document.querySelector('.files')!;
      target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await page.getByRole('region', { name: 'Uploads' }).getByRole('heading', { name: 'Uploads finished' }).waitFor();
    await waitRows(['Tree', 'loose.txt']);
    expect(await sizeOf('Projects/Tree/top.txt')).toBe(3);
    expect(await sizeOf('Projects/Tree/a/b/deep.txt')).toBe(9);
    expect(await sizeOf('Projects/Tree/a/a.txt')).toBe(2);
    expect(await exists('Projects/Tree/empty')).toBe(true);
    expect(await sizeOf('Projects/loose.txt')).toBe(10);
    // While the files went up, the panel showed them running, with a total and a bar per file.
    const shown = await uploadPanelStates();
    const names = ['loose.txt', 'Tree/top.txt', 'Tree/a/b/deep.txt', 'Tree/a/a.txt'];
    const running = shown.filter((s) => /^Uploading \(\d+ left\)$/.test(s.heading));
    expect(running.length, JSON.stringify(shown)).toBeGreaterThan(0);
    expect(running.every((s) => s.visible), JSON.stringify(running)).toBe(true);
    expect(running.some((s) => s.total !== null && s.total < 100), JSON.stringify(running)).toBe(true);
    expect(Object.keys(running[0]!.files).sort()).toEqual([...names].sort());
    const last = shown[shown.length - 1]!;
    expect(last).toMatchObject({ heading: 'Uploads finished', total: 100, visible: true });
    expect(last.files).toEqual(Object.fromEntries(names.map((n) => [n, 100])));
    await page.getByRole('region', { name: 'Uploads' }).getByRole('button', { name: 'Close' }).click();
  });

  it(`uploads a dropped ${BIG / MiB} MiB file in chunks with rising per-file and total progress, and it arrives whole`, async () => {
    await openFolder('/');
    const requests: string[] = [];
    const onRequest = (r: import('playwright-core').Request) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith('/remote.php/dav/uploads/')) requests.push(`${r.method()} ${u.pathname.replace(/^.*\/web-[^/]+/, '')}`);
    };
    page.on('request', onRequest);
    // The file is made in the page, so its bytes never cross the DevTools protocol: 1 MiB parts,
    // each its index as text ("part 0000000042\n") and then one shared MiB less 16 bytes of noise.
    // It is handed over as a drop of the OS's file manager does: dragenter/dragover (the drop hint
    // shows), then drop, with a DataTransfer holding the file.
    await page.evaluate((size) => {
      const MIB = 1024 * 1024;
      const noise = new Uint8Array(MIB - 16);
      let x = 0x9e3779b9;
      for (let i = 0; i < noise.length; i++) {
        x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
        noise[i] = x & 0xff;
      }
      const shared = new Blob([noise]);
      const parts: BlobPart[] = [];
      for (let i = 0; i < size / MIB; i++) parts.push(`part ${String(i).padStart(10, '0')}\n`, shared);
      const dt = new DataTransfer();
      dt.items.add(new File(parts, 'big.bin', { type: 'application/octet-stream', lastModified: Date.parse('2025-06-07T08:09:10Z') }));
      (window as unknown as { bigDrop: DataTransfer }).bigDrop = dt;
      const target = document.querySelector('.files')!;
      target.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true }));
      target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, BIG);
    await page.locator('.files.dropping .drop-hint').filter({ hasText: 'Drop files or folders here to upload them.' }).waitFor();
    await screenshot(page, 'files-actions-11b-drop-hint');
    await page.evaluate(() => {
      const dt = (window as unknown as { bigDrop: DataTransfer }).bigDrop;
      document.querySelector('.files')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    const bar = page.getByRole('progressbar', { name: 'Upload of big.bin' });
    const total = page.getByRole('progressbar', { name: 'Total upload progress' });
    await bar.waitFor();
    const seen: number[] = [];
    const seenTotal: number[] = [];
    const started = Date.now();
    for (;;) {
      const state = await page.locator('.upload[data-name="big.bin"]').getAttribute('class');
      const now = Number(await bar.getAttribute('aria-valuenow'));
      const all = Number(await total.getAttribute('aria-valuenow'));
      if (seen[seen.length - 1] !== now) seen.push(now);
      if (seenTotal[seenTotal.length - 1] !== all) seenTotal.push(all);
      if (state?.includes('upload-done') || state?.includes('upload-failed')) break;
      if (now > 0 && now < 100) {
        // Visible while it runs: the bars have a width and their fill grows with the value.
        expect(await bar.isVisible()).toBe(true);
        expect(await total.isVisible()).toBe(true);
        if (seen.length === 3) await screenshot(page, 'files-actions-12-upload-progress');
      }
      if (Date.now() - started > 8 * 60_000) throw new Error(`upload stuck at ${now}%`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await page.locator('.upload[data-name="big.bin"]').getAttribute('class')).toContain('upload-done');
    for (const values of [seen, seenTotal]) {
      expect(values.filter((v) => v > 0 && v < 100).length, JSON.stringify(values)).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]!);
    }
    const fill = await bar.locator('.bar-fill').evaluate((el) => (el as HTMLElement).style.width);
    expect(fill).toBe('100%');
    expect(await total.getAttribute('aria-valuenow')).toBe('100');
    await waitRows(['big.bin']);
    expect(await sizeOf('big.bin')).toBe(BIG);
    page.off('request', onRequest);
    // Chunked upload v2: one upload folder, 10 MiB chunks 00001…, then MOVE .file.
    const chunks = Math.ceil(BIG / (10 * MiB));
    expect(requests[0]).toBe('MKCOL ');
    expect(requests.filter((r) => r.startsWith('PUT ')).sort()).toEqual(Array.from({ length: chunks }, (_, i) => `PUT /${String(i + 1).padStart(5, '0')}`));
    expect(requests[requests.length - 1]).toBe('MOVE /.file');
    // Every chunk landed in its place: the parts' own numbers, read back at their offsets.
    for (const part of [0, 9, 10, 11, BIG / MiB / 2, BIG / MiB - 1]) {
      const res = await fetch(fileUrl('big.bin'), { headers: { Authorization: auth(), Range: `bytes=${part * MiB}-${part * MiB + 15}` } });
      expect(res.status).toBe(206);
      expect(await res.text()).toBe(`part ${String(part).padStart(10, '0')}\n`);
    }
    const propfind = await dav('PROPFIND', 'big.bin', undefined, { Depth: '0' });
    expect(await propfind.text()).toContain('Sat, 07 Jun 2025 08:09:10 GMT');
    await page.getByRole('region', { name: 'Uploads' }).getByRole('button', { name: 'Close' }).click();
  }, 10 * 60_000);

  it('cancels a running chunked upload: the file never appears and its upload folder is deleted', async () => {
    const file = path.join(tmp, 'cancel-me.bin');
    await pipeline(prngStream('web-cancel', 64 * MiB), createWriteStream(file));
    await page.locator('input.upload-files').setInputFiles(file);
    const bar = page.getByRole('progressbar', { name: 'Upload of cancel-me.bin' });
    await page.waitForFunction(() => Number(document.querySelector('[aria-label="Upload of cancel-me.bin"]')?.getAttribute('aria-valuenow')) > 0);
    await page.getByRole('button', { name: 'Cancel upload of cancel-me.bin' }).click();
    await page.locator('.upload[data-name="cancel-me.bin"].upload-cancelled').waitFor();
    expect(Number(await bar.getAttribute('aria-valuenow'))).toBeLessThan(100);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await exists('cancel-me.bin')).toBe(false);
    const uploads = await fetch(`${server.url}/remote.php/dav/uploads/${user.user}/`, { method: 'PROPFIND', headers: { Authorization: auth(), Depth: '1' } });
    const body = await uploads.text();
    expect(uploads.status).toBe(207);
    expect(body.match(/<d:response>/g)?.length ?? 0).toBe(1);
    await page.getByRole('region', { name: 'Uploads' }).getByRole('heading', { name: 'Uploads finished' }).waitFor();
    await expectNoSeriousAxeViolations(page, 'upload panel after cancelling');
    await screenshot(page, 'files-actions-12b-upload-cancelled');
    await page.getByRole('region', { name: 'Uploads' }).getByRole('button', { name: 'Close' }).click();
  });
});

describe('New menu and uploads (cancel all)', () => {
  it('"Cancel all" stops every running upload', async () => {
    const files = ['all-1.bin', 'all-2.bin'].map((name) => path.join(tmp, name));
    for (const [i, f] of files.entries()) await pipeline(prngStream(`web-all-${i}`, 48 * MiB), createWriteStream(f));
    await page.locator('input.upload-files').setInputFiles(files);
    await page.waitForFunction(() => Number(document.querySelector('[aria-label="Total upload progress"]')?.getAttribute('aria-valuenow')) > 0);
    await page.getByRole('region', { name: 'Uploads' }).getByRole('button', { name: 'Cancel all' }).click();
    await page.locator('.upload[data-name="all-1.bin"].upload-cancelled').waitFor();
    await page.locator('.upload[data-name="all-2.bin"].upload-cancelled').waitFor();
    await page.getByRole('region', { name: 'Uploads' }).getByRole('heading', { name: 'Uploads finished' }).waitFor();
    await new Promise((r) => setTimeout(r, 1500));
    expect(await exists('all-1.bin')).toBe(false);
    expect(await exists('all-2.bin')).toBe(false);
    const uploads = await fetch(`${server.url}/remote.php/dav/uploads/${user.user}/`, { method: 'PROPFIND', headers: { Authorization: auth(), Depth: '1' } });
    expect((await uploads.text()).match(/<d:response>/g)?.length ?? 0).toBe(1);
    await page.getByRole('region', { name: 'Uploads' }).getByRole('button', { name: 'Close' }).click();
  });
});

describe('settings and views', () => {
  it('"Show hidden files" in the Files settings shows dot-files, and is remembered', async () => {
    await openFolder('/');
    expect(await rowNames()).not.toContain('.hidden-notes');
    await page.getByRole('button', { name: 'Files settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Files settings' });
    await expectNoSeriousAxeViolations(page, 'files settings');
    await screenshot(page, 'files-actions-13-settings');
    await dialog.getByRole('checkbox', { name: 'Show hidden files' }).check();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await waitRows(['.hidden-notes']);
    await page.reload();
    await listed();
    expect(await rowNames()).toContain('.hidden-notes');
    await page.getByRole('button', { name: 'Files settings' }).click();
    await page.getByRole('checkbox', { name: 'Show hidden files' }).uncheck();
    await page.keyboard.press('Escape');
    await waitRows(['.hidden-notes'], true);
  });

  it('the grid view shows tiles, moves with the arrow keys, and is remembered', async () => {
    const toggle = page.getByRole('button', { name: 'Grid view' });
    await toggle.click();
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    const grid = page.getByRole('list', { name: 'Files in Home' });
    await grid.waitFor();
    await grid.getByRole('link', { name: 'Archive (Folder)' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Dest (Folder)');
    const box = (text: string) => page.evaluate((name) => {
      const tile = Array.from(document.querySelectorAll<HTMLElement>('.file-grid > li')).find((li) => li.querySelector('.tile-name')?.childNodes[0]?.textContent === name)!;
      const r = tile.getBoundingClientRect();
      return { x: Math.round(r.left), y: Math.round(r.top) };
    }, text);
    const dest = await box('Dest');
    await page.keyboard.press('ArrowDown');
    // The tile below: same column, next line.
    const below = await box((await page.evaluate(() => document.activeElement?.childNodes[0]?.textContent))!);
    expect(below.x).toBe(dest.x);
    expect(below.y).toBeGreaterThan(dest.y);
    await page.keyboard.press('ArrowUp');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Dest (Folder)');
    await page.keyboard.press('End');
    expect(await page.evaluate(() => document.activeElement?.closest('li') === document.querySelector('.file-grid')?.lastElementChild)).toBe(true);
    await page.keyboard.press('Home');
    expect(await page.evaluate(() => document.activeElement?.closest('li') === document.querySelector('.file-grid')?.firstElementChild)).toBe(true);
    await page.keyboard.press('End');
    await page.keyboard.press('Space');
    await page.getByRole('group', { name: 'Selection' }).getByText('1 selected').waitFor();
    await expectNoSeriousAxeViolations(page, 'grid view');
    await screenshot(page, 'files-actions-14-grid');
    await page.reload();
    await listed();
    await page.getByRole('list', { name: 'Files in Home' }).waitFor();
    await page.getByRole('button', { name: 'Grid view' }).click();
    await page.locator('.file-table').waitFor();
  });

  it('fits a 360 px wide screen (navigation, list, trash, dialog)', async () => {
    const phone = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const p = await phone.newPage();
    await signInListed(p);
    expect(await fitsWidth(p)).toBe(true);
    await expectNoSeriousAxeViolations(p, 'files 360px');
    await screenshot(p, 'files-actions-15-phone');
    await p.getByRole('button', { name: 'Actions for beta.txt' }).click();
    await p.getByRole('menuitem', { name: 'Move or copy' }).click();
    await p.getByRole('dialog').waitFor();
    expect(await fitsWidth(p)).toBe(true);
    await screenshot(p, 'files-actions-16-phone-picker');
    await p.keyboard.press('Escape');
    await p.getByRole('link', { name: 'Deleted files' }).click();
    await p.locator('.trash[aria-busy="false"]').waitFor();
    expect(await fitsWidth(p)).toBe(true);
    await phone.close();
  });
});

describe('themes', () => {
  for (const theme of ['dark', 'high-contrast']) {
    it(`the ${theme} theme: list with a selection and a favorite, the folder picker and the trash pass axe`, async () => {
      const themed = await browser.newContext({ viewport: { width: 1024, height: 768 } });
      await themed.addInitScript((value) => localStorage.setItem('cumulus.theme', value), theme);
      const p = await themed.newPage();
      await signInListed(p);
      expect(await p.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
      await p.getByRole('checkbox', { name: 'Select beta.txt' }).click();
      await p.getByRole('group', { name: 'Selection' }).waitFor();
      await expectNoSeriousAxeViolations(p, `${theme}: list`);
      await screenshot(p, `files-actions-17-${theme}`);
      await p.getByRole('button', { name: 'Actions for beta.txt' }).click();
      await p.getByRole('menuitem', { name: 'Move or copy' }).click();
      await p.getByRole('dialog').getByRole('button', { name: 'Dest' }).waitFor();
      await expectNoSeriousAxeViolations(p, `${theme}: picker`);
      await p.keyboard.press('Escape');
      await p.getByRole('link', { name: 'Deleted files' }).click();
      await p.locator('.trash[aria-busy="false"]').waitFor();
      await expectNoSeriousAxeViolations(p, `${theme}: trash`);
      await themed.close();
    });
  }
});

describe('keyboard only', () => {
  it('selects with Space and Shift+Arrow, renames, moves through the dialog, and uses the New menu — keys only', async () => {
    const kbContext = await browser.newContext({ viewport: { width: 1024, height: 768 } });
    const kb = await kbContext.newPage();
    // File choosers are intercepted from the start (turning interception on is asynchronous:
    // enabling it only right before the key press can race the press on a loaded machine).
    let onChooser: (c: import('playwright-core').FileChooser) => void = () => {};
    kb.on('filechooser', (c) => onChooser(c));
    await signInListed(kb);
    /** Tab (Shift+Tab with back) to the element whose accessible text is `text`, unless it has the focus already. */
    const tab = (text: string, back = false) => tabTo(kb, { text }, { back, here: true, max: 120 });
    // Space selects the focused row; Shift+ArrowDown extends the selection.
    const names = await rowNames(kb);
    const next = names[names.indexOf('beta.txt') + 1]!;
    await tab('beta.txt');
    await kb.keyboard.press('Space');
    await kb.keyboard.press('Shift+ArrowDown');
    await focusIs(kb, next);
    expect(await row(next, kb).getAttribute('aria-selected')).toBe('true');
    const bar = kb.getByRole('group', { name: 'Selection' });
    await bar.getByText('2 selected').waitFor();
    await kb.keyboard.press('Space');
    await bar.getByText('1 selected').waitFor();
    await kb.keyboard.press('ArrowUp');
    await kb.keyboard.press('Space');
    await bar.waitFor({ state: 'detached' });

    // The actions menu opens with Enter; ArrowDown/Enter pick Rename; Enter saves.
    await tab('Actions for clash.txt');
    await kb.keyboard.press('Enter');
    await focusIs(kb, 'Rename');
    await kb.keyboard.press('Enter');
    await kb.getByRole('textbox', { name: 'New name for clash.txt' }).waitFor();
    await kb.keyboard.press('Control+a');
    await kb.keyboard.type('keyed.txt');
    await kb.keyboard.press('Enter');
    await waitRows(['keyed.txt'], false, kb);
    expect(await sizeOf('keyed.txt')).toBe(5);
    // Focus comes back to the renamed row.
    await focusIs(kb, 'keyed.txt');

    // Move or copy through the dialog: focus stays inside it; Escape closes; then move for real.
    await tab('Actions for keyed.txt');
    await kb.keyboard.press('ArrowDown');
    await kb.keyboard.press('ArrowDown');
    await focusIs(kb, 'Move or copy');
    await kb.keyboard.press('Enter');
    const dialog = kb.getByRole('dialog', { name: 'Move or copy “keyed.txt”' });
    await dialog.getByRole('button', { name: 'Work' }).waitFor();
    for (let i = 0; i < 15; i++) {
      await kb.keyboard.press('Tab');
      expect(await kb.evaluate(() => !!document.activeElement?.closest('[role="dialog"]'))).toBe(true);
    }
    await tab('Work');
    await kb.keyboard.press('Enter');
    await dialog.getByText('No folders here.').waitFor();
    await tab('Move to Work');
    await kb.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await waitRows(['keyed.txt'], true, kb);
    // The row is gone, so focus went to the folder's heading.
    await kb.waitForFunction(() => document.activeElement?.tagName === 'H1');
    expect(await sizeOf('Work/keyed.txt')).toBe(5);

    // The New menu: a folder by keys.
    await tab('New', true);
    await kb.keyboard.press('ArrowDown');
    await focusIs(kb, 'New folder');
    await kb.keyboard.press('Enter');
    await kb.getByRole('dialog', { name: 'New folder' }).waitFor();
    // The name field has the focus.
    await kb.waitForFunction(() => (document.activeElement as HTMLInputElement | null)?.value === 'New folder', undefined, { timeout: 3000 });
    await kb.keyboard.press('Control+a');
    await kb.keyboard.type('By keys');
    await kb.keyboard.press('Enter');
    await waitRows(['By keys'], false, kb);
    expect(await exists('By keys')).toBe(true);

    // Upload files from the New menu (ArrowUp opens it on its last item).
    const typed = path.join(tmp, 'typed.txt');
    writeFileSync(typed, 'typed by keys');
    await tab('New', true);
    await kb.keyboard.press('ArrowUp');
    await focusIs(kb, 'Upload folder');
    await kb.keyboard.press('ArrowUp');
    await focusIs(kb, 'Upload files');
    const chosen = new Promise<import('playwright-core').FileChooser>((resolve) => { onChooser = resolve; });
    await kb.keyboard.press('Enter');
    const chooser = await chosen;
    await chooser.setFiles(typed);
    await waitRows(['typed.txt'], false, kb);
    expect(await sizeOf('typed.txt')).toBe(13);

    // Delete from the actions menu (End = its last item), then restore it from Deleted files.
    await tab('Actions for By keys');
    await kb.keyboard.press('Enter');
    await kb.keyboard.press('End');
    await focusIs(kb, 'Delete');
    await kb.keyboard.press('Enter');
    await waitRows(['By keys'], true, kb);
    expect(await exists('By keys')).toBe(false);
    await tab('Deleted files', true);
    await kb.keyboard.press('Enter');
    await kb.waitForURL(`${server.url}/apps/files/trashbin`);
    await kb.getByRole('button', { name: 'Restore By keys' }).waitFor();
    await tab('Restore By keys');
    await kb.keyboard.press('Enter');
    await kb.getByText('1 restored.').waitFor();
    expect(await exists('By keys')).toBe(true);
    await kbContext.close();
  });
});
