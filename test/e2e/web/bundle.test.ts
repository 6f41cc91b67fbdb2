/**
 * The web app's build (web/dist, built by `npm test` before this suite): the Files app is a lazily
 * loaded chunk, and what a visit to Files downloads stays far under the 150 KB gzip bound.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, expect, it } from 'vitest';
import { repoRoot } from '../../support/server.mjs';
import { buildWeb } from '../../../scripts/build-web.mjs';

const dist = path.join(repoRoot, 'web', 'dist');
let html: string;
let assets: string[];

beforeAll(() => {
  expect(buildWeb({ ifStale: true, quiet: true })).toBe(0);
  html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  assets = readdirSync(path.join(dist, 'assets'));
});

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
  const first = new Set([entry, files!]);
  for (const f of [...first]) {
    for (const m of readFileSync(path.join(dist, 'assets', f), 'utf8').matchAll(/from\s*["']\.\/([\w.-]+\.js)["']/g)) first.add(m[1]);
  }
  const total = [...first, ...css].reduce((sum, f) => sum + gzipSize(f), 0);
  expect(total).toBeLessThan(150 * 1024);
  // Far below in fact: keep it so (a regression to a heavy framework would show here).
  expect(total).toBeLessThan(40 * 1024);
});
