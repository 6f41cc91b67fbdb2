/**
 * Web app bench (issue #6): for a folder of BENCH_WEB_FILES (10,000) files, the Files page's time
 * to first render (the first file row painted) and to interactive (the listing loaded, the page
 * answering a key press by moving the focus), measured in headless Chromium from the start of
 * the navigation; and the sizes of the JavaScript the build ships (raw and gzip): what a visit to
 * Files loads first (shell + Files chunk + styles) against the 150 KB gzip budget, and all of it.
 *
 * Runs as a section of `npm run bench` (BENCH_WEB=0 leaves it out) or alone:
 * `npm run bench -- --web`. Loopback only; Chromium is Debian's (/usr/bin/chromium).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { buildWeb } from '../../scripts/build-web.mjs';
import { repoRoot, startServer, strongPassword } from '../support/server.mjs';

const FILES = Number(process.env.BENCH_WEB_FILES ?? 10_000);
const RUNS = Number(process.env.BENCH_WEB_RUNS ?? 7);
const CHROMIUM = '/usr/bin/chromium';
const BUDGET = 150 * 1024;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** JavaScript and CSS of web/dist: per file raw and gzip bytes, and what a visit to Files loads first. */
export function webSizes() {
  const dist = path.join(repoRoot, 'web', 'dist');
  const assets = readdirSync(path.join(dist, 'assets'));
  const size = (f) => {
    const bytes = readFileSync(path.join(dist, 'assets', f));
    return { raw: bytes.length, gz: gzipSync(bytes).length };
  };
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const entry = /src="\/assets\/([^"]+\.js)"/.exec(html)[1];
  const files = assets.find((a) => /^FilesApp-.*\.js$/.test(a));
  // Chunks the entry or the Files chunk import statically are loaded with them.
  const importsOf = (f) => [...readFileSync(path.join(dist, 'assets', f), 'utf8').matchAll(/from\s*["']\.\/([\w.-]+\.js)["']/g)].map((m) => m[1]);
  const initial = new Set([entry, files, ...assets.filter((a) => a.endsWith('.css'))].filter(Boolean));
  for (const f of [...initial]) if (f.endsWith('.js')) for (const dep of importsOf(f)) initial.add(dep);
  const sum = (list) => list.reduce((t, f) => ({ raw: t.raw + size(f).raw, gz: t.gz + size(f).gz }), { raw: 0, gz: 0 });
  return {
    entry: { name: entry, ...size(entry) },
    files: files ? { name: files, ...size(files) } : null,
    initial: { files: [...initial], ...sum([...initial]) },
    allJs: sum(assets.filter((a) => a.endsWith('.js'))),
    chunks: assets.filter((a) => a.endsWith('.js')).length,
  };
}

/** Creates `count` empty files in `folder`, `parallel` PUTs at a time. */
async function fill(server, user, folder, count, parallel = 24) {
  const auth = `Basic ${Buffer.from(`${user.user}:${user.password}`).toString('base64')}`;
  const base = server.davUrl(user.user);
  const res = await fetch(`${base}${folder}`, { method: 'MKCOL', headers: { Authorization: auth } });
  if (res.status !== 201) throw new Error(`MKCOL ${folder}: HTTP ${res.status}`);
  let next = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < count) {
      const i = next++;
      const put = await fetch(`${base}${folder}/file-${String(i).padStart(5, '0')}.txt`, { method: 'PUT', body: `file ${i}\n`, headers: { Authorization: auth } });
      if (put.status >= 300) throw new Error(`PUT: HTTP ${put.status}`);
    }
  }));
}

/**
 * One visit of the folder: milliseconds from navigation start to the first file row, and to the
 * moment the loaded listing moves the focus on ArrowDown (what "interactive" means for a user).
 */
async function visit(page, url) {
  await page.goto(url, { waitUntil: 'commit' });
  await page.locator('.file-table tbody tr[data-row]').first().waitFor();
  const firstRender = await page.evaluate(() => performance.now());
  await page.locator('.files[aria-busy="false"] .summary').waitFor();
  await page.locator('.file-table tbody tr[data-row] td.col-name a').first().focus();
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => document.activeElement?.textContent?.startsWith('file-00001'));
  const interactive = await page.evaluate(() => performance.now());
  return { firstRender, interactive };
}

/** The section: `t` is the bench's reporter ({ row, step, progress }). */
export async function benchWeb(t) {
  const section = `Web app, ${FILES.toLocaleString('en')} files`;
  if (!existsSync(CHROMIUM)) {
    t.row(section, 'skipped', null, '', `${CHROMIUM} is missing (apt-get install chromium)`);
    return;
  }
  if (buildWeb({ ifStale: true, quiet: true }) !== 0) throw new Error('the web app did not build');
  const sizes = webSizes();
  t.progress(`starting Cumulus and creating ${FILES} files for the web bench`);
  const server = await startServer({ name: 'bench-web', logLevel: 'warn' });
  let browser;
  try {
    const user = await server.createUser('bench-web', strongPassword());
    await fill(server, user, 'Big', FILES);
    browser = await chromium.launch({
      executablePath: CHROMIUM, headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Account name or e-mail').fill(user.user);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/apps\/files\//);
    const url = `${server.url}/apps/files/?dir=/Big`;
    const cold = await visit(page, url); // assets not yet cached for this folder's chunk: a first visit
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await visit(page, url));
    t.row(section, 'first render, first visit', cold.firstRender, 'ms', 'navigation start → first file row painted');
    t.row(section, 'interactive, first visit', cold.interactive, 'ms', 'navigation start → listing loaded and ArrowDown moves the focus');
    t.row(section, `first render, median of ${RUNS} visits`, median(runs.map((r) => r.firstRender)), 'ms', 'target < 1,000 ms');
    t.row(section, `interactive, median of ${RUNS} visits`, median(runs.map((r) => r.interactive)), 'ms', 'target < 1,500 ms');
  } finally {
    await browser?.close();
    await server.stop();
  }
  const kib = (b) => b / 1024;
  t.row('Web app JavaScript', 'shell entry, gzip', kib(sizes.entry.gz), 'KiB', `${sizes.entry.name}, ${kib(sizes.entry.raw).toFixed(1)} KiB raw`);
  if (sizes.files) t.row('Web app JavaScript', 'Files app chunk, gzip', kib(sizes.files.gz), 'KiB', `${sizes.files.name}, ${kib(sizes.files.raw).toFixed(1)} KiB raw`);
  t.row('Web app JavaScript', 'a visit to Files loads first, gzip', kib(sizes.initial.gz), 'KiB',
    `${((100 * sizes.initial.gz) / BUDGET).toFixed(0)} % of the 150 KB budget: ${sizes.initial.files.join(', ')}`);
  t.row('Web app JavaScript', `all ${sizes.chunks} chunks, gzip`, kib(sizes.allJs.gz), 'KiB', `${kib(sizes.allJs.raw).toFixed(1)} KiB raw`);
}
