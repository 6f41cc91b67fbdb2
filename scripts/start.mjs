#!/usr/bin/env node
/**
 * `npm start`: run Cumulus locally on workerd (wrangler dev) with D1 and R2 persisted on disk.
 *
 * Environment:
 *   PORT            listen port on 127.0.0.1 (default 8787)
 *   DATA_DIR        local D1/R2 state, passed to wrangler as --persist-to (default .wrangler/state)
 *   ADMIN_USER      with ADMIN_PASSWORD: create the first admin account if the instance is not
 *   ADMIN_PASSWORD  installed yet (POST /setup), instead of using the browser setup page
 *   INSPECTOR_PORT  devtools inspector port (default: wrangler's choice)
 *   LOG_LEVEL       wrangler --log-level (default "log")
 *   BUILD_ONCE=1    bundle the Worker once (as `wrangler deploy --dry-run` does) and serve that
 *                   bundle: edits to worker/ then never restart it mid-request (tests, benchmarks)
 *   CUMULUS_PARENT_PID  (test harnesses) stop the server when that process is gone
 *   CUMULUS_TEST_CLOCK=1  (test harnesses) let cron triggers play time forward
 *
 * Steps: build the web app when its sources changed (scripts/build-web.mjs), apply D1 migrations
 * locally, start `wrangler dev` (stdio inherited, signals forwarded,
 * exits with its code), then optionally run the first-run setup. The password is never printed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { buildWeb } from './build-web.mjs';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';

const root = path.resolve(import.meta.dirname, '..');

// wrangler needs Node >= 22; the pinned devDependency `node` provides it. npm scripts put
// node_modules/.bin first in PATH, but `node scripts/start.mjs` from a shell may not.
const pinnedNode = path.join(root, 'node_modules', 'node', 'bin', 'node');
const nodeTooOld = Number(process.versions.node.split('.')[0]) < 22;
const wranglerBin = path.join(root, 'node_modules', 'wrangler', 'bin', 'wrangler.js');

const port = parsePort(process.env.PORT || '8787');
const dataDir = path.resolve(root, process.env.DATA_DIR || path.join('.wrangler', 'state'));
const logLevel = process.env.LOG_LEVEL || 'log';
const adminUser = process.env.ADMIN_USER;
const adminPassword = process.env.ADMIN_PASSWORD;
const baseUrl = `http://127.0.0.1:${port}`;

// Non-interactive wrangler: no confirmation prompts, no metrics calls out of a sandbox.
// Request.cf is unused by Cumulus; fetching it costs a 3 s timeout when offline.
// wrangler dev's development aids stay off, whatever the environment says: its Local Explorer
// (/cdn-cgi/explorer) would serve the raw D1 database and R2 objects on this port to anyone, with
// no login; its local trace collector would store every request's spans in DATA_DIR and costs
// about 2 ms per request.
const childEnv = {
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  ...process.env,
  CI: 'true',
  WRANGLER_SEND_METRICS: 'false',
  X_LOCAL_EXPLORER: 'false',
  X_LOCAL_OBSERVABILITY: 'false',
};
delete childEnv.ADMIN_PASSWORD; // the Worker never needs it; keep it out of child processes

function parsePort(value) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    console.error(`[start] PORT must be a port number, got ${JSON.stringify(value)}`);
    process.exit(2);
  }
  return n;
}

function log(message) {
  console.log(`[start] ${message}`);
}

function applyMigrations() {
  log(`applying D1 migrations to ${dataDir}`);
  const r = spawnSync(
    process.execPath,
    [wranglerBin, 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', dataDir],
    { cwd: root, env: childEnv, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (r.status !== 0) {
    console.error(`[start] D1 migrations failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}

/**
 * Bundles the Worker into a temp dir like a deploy would, with a snapshot of the built web app
 * beside it (wrangler dev reloads when its assets directory changes: a rebuild of web/dist by
 * another run must not restart this server mid-request); returns the entry, the assets and the dir.
 */
function buildOnce() {
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'cumulus-bundle-'));
  log(`bundling the Worker once into ${outdir}`);
  const assets = path.join(outdir, 'web-dist');
  cpSync(path.join(root, 'web', 'dist'), assets, { recursive: true });
  const r = spawnSync(
    process.execPath,
    [wranglerBin, 'deploy', '--dry-run', '--outdir', path.join(outdir, 'bundle'), '--assets', assets],
    { cwd: root, env: { ...childEnv, WRANGLER_LOG: 'warn' }, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (r.status !== 0) {
    console.error(`[start] bundling failed (exit ${r.status ?? r.signal})`);
    rmSync(outdir, { recursive: true, force: true });
    process.exit(r.status || 1);
  }
  return { entry: path.join(outdir, 'bundle', 'index.js'), assets, outdir };
}

function startWrangler() {
  const bundle = process.env.BUILD_ONCE === '1' ? buildOnce() : null;
  const args = [
    wranglerBin, 'dev',
    ...(bundle ? [bundle.entry, '--config', path.join(root, 'wrangler.toml'), '--no-bundle', '--assets', bundle.assets] : []),
    '--ip', '127.0.0.1',
    '--port', String(port),
    '--persist-to', dataDir,
    '--show-interactive-dev-session=false',
    '--log-level', logLevel,
  ];
  if (process.env.INSPECTOR_PORT) args.push('--inspector-port', String(parsePort(process.env.INSPECTOR_PORT)));
  // Test harnesses only: cron triggers may then carry any clock (worker/jobs/scheduled.ts jobClock).
  if (process.env.CUMULUS_TEST_CLOCK === '1') args.push('--var', 'CUMULUS_TEST_CLOCK:1');
  log(`starting wrangler dev on ${baseUrl}`);
  const child = spawn(process.execPath, args, { cwd: root, env: childEnv, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    });
  }
  child.on('exit', (code, signal) => {
    if (bundle) rmSync(bundle.outdir, { recursive: true, force: true });
    if (signal) log(`wrangler dev ended by ${signal}`);
    process.exit(code ?? (signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1));
  });
  child.on('error', (err) => {
    console.error(`[start] could not start wrangler: ${err.message}`);
    process.exit(1);
  });
  return child;
}

/**
 * Polls /status.php until it answers JSON; returns it, or null when the route is missing (404),
 * the server is gone, or the deadline passes.
 */
async function waitForStatus(child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no answer';
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const res = await fetch(`${baseUrl}/status.php`, { signal: AbortSignal.timeout(5000) });
      if (res.status === 404) {
        log('setup skipped: /status.php is not available in this build (404)');
        return null;
      }
      const body = res.ok ? await res.json().catch(() => null) : null;
      if (body && typeof body === 'object') return body;
      lastProblem = `HTTP ${res.status}${res.ok ? ' without JSON' : ''}`;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  if (child.exitCode === null) log(`setup skipped: /status.php did not answer within ${timeoutMs / 1000} s (${lastProblem})`);
  return null;
}

async function firstRunSetup(child) {
  const status = await waitForStatus(child, 120_000);
  if (!status) return;
  if (status.installed === true) {
    log(`instance already installed; ADMIN_USER/ADMIN_PASSWORD ignored`);
    return;
  }
  log(`creating admin account "${adminUser}" via POST /setup`);
  let res;
  try {
    res = await fetch(`${baseUrl}/setup`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ adminlogin: adminUser, adminpass: adminPassword }),
      signal: AbortSignal.timeout(60_000),
    });
  } catch (err) {
    log(`setup request failed: ${err.message}`);
    return;
  }
  if (res.status === 201) log(`admin account "${adminUser}" created`);
  else if (res.status === 403) log('setup refused (403): the instance is already installed');
  else if (res.status === 404) log('setup route /setup not available in this build (404)');
  else log(`setup failed: HTTP ${res.status} ${(await res.text().catch(() => '')).slice(0, 500)}`);
}

/** A harness killed with SIGKILL cannot clean up: its server then stops itself. */
function watchParent(child, pid) {
  const timer = setInterval(() => {
    try {
      process.kill(pid, 0);
    } catch {
      log(`parent process ${pid} is gone; stopping`);
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      clearInterval(timer);
    }
  }, 2000);
  timer.unref();
}

/** Runs this script again under the pinned Node 22, passing signals and the exit code through. */
function reexecWithPinnedNode() {
  if (!existsSync(pinnedNode)) {
    console.error(`[start] Node ${process.versions.node} is too old and ${pinnedNode} is missing: run \`npm ci\` first.`);
    process.exit(1);
  }
  const child = spawn(pinnedNode, process.argv.slice(1), { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
}

function main() {
  if (!existsSync(wranglerBin)) {
    console.error('[start] wrangler is not installed: run `npm ci` first.');
    process.exit(1);
  }
  if (buildWeb({ ifStale: true, quiet: true }) !== 0) {
    console.error('[start] building the web app (web/) failed');
    process.exit(1);
  }
  applyMigrations();
  const child = startWrangler();
  if (process.env.CUMULUS_PARENT_PID) watchParent(child, Number(process.env.CUMULUS_PARENT_PID));
  if (adminUser && adminPassword) {
    firstRunSetup(child).catch((err) => log(`setup error: ${err.message}`));
  } else if (adminUser || adminPassword) {
    log('set both ADMIN_USER and ADMIN_PASSWORD to create the admin account; skipping setup');
  } else {
    log(`first run: open ${baseUrl}/ to create the admin account`);
  }
}

if (nodeTooOld) reexecWithPinnedNode();
else main();
