#!/usr/bin/env node
/**
 * Builds the web app (web/ → web/dist) with Vite. `node scripts/build-web.mjs` always builds;
 * `--if-stale` builds only when a source under web/ (or package-lock.json) is newer than
 * web/dist/index.html, so `npm start` and the test servers don't rebuild an unchanged app.
 * Importable: buildWeb({ ifStale }) returns the exit status.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(import.meta.dirname, '..');
const webDir = path.join(root, 'web');
const distDir = path.join(webDir, 'dist');
const builtIndex = path.join(distDir, 'index.html');
const viteBin = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
const pinnedNode = path.join(root, 'node_modules', 'node', 'bin', 'node');

/** The newest modification time of the app's sources (web/ without dist/ and node_modules/). */
function newestSource(dir = webDir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (dir === webDir && (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.dist-'))) continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Whether web/dist is missing or older than a source. */
export function webBuildIsStale() {
  if (!existsSync(builtIndex)) return true;
  const built = statSync(builtIndex).mtimeMs;
  return newestSource() > built || statSync(path.join(root, 'package-lock.json')).mtimeMs > built;
}

/** Runs `vite build` for web/ (when stale, with ifStale); returns its exit status (0 = built or fresh). */
export function buildWeb({ ifStale = false, quiet = false } = {}) {
  if (ifStale && !webBuildIsStale()) return 0;
  // Vite 8 needs Node >= 20.19; the pinned Node 22 is used whatever runs this script.
  const node = Number(process.versions.node.split('.')[0]) >= 22 || !existsSync(pinnedNode) ? process.execPath : pinnedNode;
  // Built beside web/dist, then swapped in: a server starting meanwhile never sees a half-written
  // or empty web/dist (Vite empties its outDir first).
  const staging = mkdtempSync(path.join(webDir, '.dist-'));
  try {
    const r = spawnSync(node, [
      viteBin, 'build', '--config', path.join(webDir, 'vite.config.ts'), '--outDir', staging, '--emptyOutDir',
      ...(quiet ? ['--logLevel', 'warn'] : []),
    ], {
      // Test runners set NODE_ENV=test, which would make Vite build for development.
      cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, NODE_ENV: 'production' },
    });
    if (r.status !== 0) {
      console.error(`[build-web] vite build failed (exit ${r.status ?? r.signal})`);
      return r.status ?? 1;
    }
    const previous = `${staging}-old`;
    if (existsSync(distDir)) renameSync(distDir, previous);
    renameSync(staging, distDir);
    rmSync(previous, { recursive: true, force: true });
    return 0;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exit(buildWeb({ ifStale: process.argv.includes('--if-stale') }));
}
