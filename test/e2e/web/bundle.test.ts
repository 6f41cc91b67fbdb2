/**
 * The web app's build (web/dist, built by `npm test` before this suite): the Files app is a lazily
 * loaded chunk, and what a visit to Files downloads stays far under the 150 KB gzip bound.
 * In a real browser against `wrangler dev`: a visit to Files loads no chunk of the settings, admin
 * or viewer pages, and Personal settings loads its chunk when it is opened, not before.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startServer, strongPassword } from '../../support/server.mjs';
import { buildWeb } from '../../../scripts/build-web.mjs';
import { closeAll, launchChromium, signIn } from './browser';

const dist = path.join(repoRoot, 'web', 'dist');
let html: string;
let assets: string[];

beforeAll(() => {
  expect(buildWeb({ ifStale: true, quiet: true })).toBe(0);
  html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  assets = readdirSync(path.join(dist, 'assets'));
});

/** `chunks` and every chunk they import statically, transitively (file names in web/dist/assets). */
function withStaticImports(chunks: string[]): Set<string> {
  const all = new Set(chunks);
  for (const f of all) {
    for (const m of readFileSync(path.join(dist, 'assets', f), 'utf8').matchAll(/from\s*["']\.\/([\w.-]+\.js)["']/g)) all.add(m[1]);
  }
  return all;
}

/** The built chunk of a lazily loaded page (its file name starts with the component's name). */
function chunkOf(component: string): string {
  const found = assets.filter((a) => a.startsWith(`${component}-`) && a.endsWith('.js'));
  expect(found, component).toHaveLength(1);
  return found[0]!;
}

function gzipSize(file: string): number {
  return gzipSync(readFileSync(path.join(dist, 'assets', file))).length;
}

it('index.html loads only the shell: no inline script or style, one module script, one stylesheet', () => {
  expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  expect(html).not.toMatch(/<style/);
  expect(html.match(/<script /g)).toHaveLength(1);
  const entry = /src="\/assets\/([^"]+\.js)"/.exec(html)![1];
  const code = readFileSync(path.join(dist, 'assets', entry), 'utf8');
  expect(/import\(["'`]\.\/FilesApp-[\w-]+\.js["'`]\)/.test(code), 'FilesApp is imported dynamically').toBe(true);
  // A production build: no development JSX runtime, no source paths of the build machine.
  expect(code.includes('jsxDEV') || code.includes(repoRoot), 'development build').toBe(false);
});

it('the Files app is its own chunk, and shell + Files app + the chunks they import + styles are under 150 KB gzip', () => {
  const files = assets.find((a) => /^FilesApp-.*\.js$/.test(a));
  expect(files).toBeDefined();
  const entry = /src="\/assets\/([^"]+\.js)"/.exec(html)![1];
  const css = assets.filter((a) => a.endsWith('.css'));
  // Chunks the entry or the Files chunk import statically load with them (shared modules).
  const first = withStaticImports([entry, files!]);
  const total = [...first, ...css].reduce((sum, f) => sum + gzipSize(f), 0);
  expect(total).toBeLessThan(150 * 1024);
  // Far below in fact (39 KiB on 2026-11-27): keep it within a third of the budget, where a
  // regression to a heavy framework would show, with room for the features still to come.
  expect(total).toBeLessThan(50 * 1024);
});

describe('lazy loading in the browser', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let user: { user: string; password: string };

  beforeAll(async () => {
    server = await startServer({ name: 'web-bundle' });
    user = await server.createUser('lazy', strongPassword(), { displayName: 'Lazy Loader' });
    browser = await launchChromium();
  }, 5 * 60_000);

  afterAll(() => closeAll(browser, server));

  it('Files loads the shell and the Files chunk only; Personal settings loads its chunk when opened', async () => {
    const entry = /src="\/assets\/([^"]+\.js)"/.exec(html)![1]!;
    const lazyPages = ['SettingsPage', 'UsersPage', 'GroupsPage', 'ViewerPage', 'DetailsPanel'];
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const scripts: string[] = [];
    page.on('request', (r) => {
      const { pathname } = new URL(r.url());
      if (pathname.startsWith('/assets/') && pathname.endsWith('.js')) scripts.push(pathname.slice('/assets/'.length));
    });
    await signIn(page, server.url, user);
    await page.locator('.files[aria-busy="false"] .summary').waitFor();
    const forFiles = [...scripts];
    expect(forFiles).toContain(chunkOf('FilesApp'));
    for (const name of lazyPages) expect(forFiles, `${name} loaded on the Files page`).not.toContain(chunkOf(name));
    // Nothing but the shell, the Files chunk and the chunks they import (none of the others' own).
    const filesImports = withStaticImports([entry, chunkOf('FilesApp')]);
    expect(forFiles.filter((f) => !filesImports.has(f))).toEqual([]);

    await page.getByRole('button', { name: 'Settings menu for Lazy Loader' }).click();
    await page.getByRole('menuitem', { name: 'Personal settings' }).click();
    await page.waitForURL(`${server.url}/settings/user`);
    await page.getByRole('heading', { level: 1, name: 'Personal settings' }).waitFor();
    const forSettings = scripts.slice(forFiles.length);
    expect(forSettings).toContain(chunkOf('SettingsPage'));
    const settingsImports = withStaticImports([chunkOf('SettingsPage')]);
    expect(forSettings.filter((f) => !settingsImports.has(f))).toEqual([]);
    for (const name of ['UsersPage', 'GroupsPage', 'ViewerPage', 'DetailsPanel']) expect(scripts, `${name} loaded`).not.toContain(chunkOf(name));
    await page.close();
  });
});
