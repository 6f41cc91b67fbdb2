/**
 * Starts throwaway Cumulus servers (and other `wrangler dev` Workers) for end-to-end tests and
 * benchmarks: a free port in 8800–8899, a fresh temp DATA_DIR, output logged to test-artifacts/,
 * and the whole process group (node, wrangler, workerd) killed on stop() or when this process exits.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';

export const repoRoot = path.resolve(import.meta.dirname, '..', '..');
export const artifactsDir = path.join(repoRoot, 'test-artifacts');
const wranglerBin = path.join(repoRoot, 'node_modules', 'wrangler', 'bin', 'wrangler.js');

const PORT_MIN = 8800;
const PORT_MAX = 8899;
/** Process groups we started and have not stopped yet. */
const liveGroups = new Set();
const reservedPorts = new Set();

function killGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // already gone
  }
}

process.on('exit', () => {
  for (const pgid of liveGroups) killGroup(pgid, 'SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    for (const pgid of liveGroups) killGroup(pgid, 'SIGKILL');
    liveGroups.clear();
    process.kill(process.pid, signal);
  });
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** A port in 8800–8899 that nothing listens on (tried from a random start, so parallel runs rarely collide). */
export async function findFreePort() {
  const span = PORT_MAX - PORT_MIN + 1;
  const start = Math.floor(Math.random() * span);
  for (let i = 0; i < span; i++) {
    const port = PORT_MIN + ((start + i) % span);
    if (reservedPorts.has(port)) continue;
    if (await portIsFree(port)) {
      reservedPorts.add(port);
      return port;
    }
  }
  throw new Error(`no free port in ${PORT_MIN}-${PORT_MAX}`);
}

/**
 * A random password that satisfies any sane policy (letters, digits, punctuation; 32+ chars).
 * It starts with a letter: command-line clients (nextcloudcmd -p, litmus) read an argument that
 * starts with '-' as an option; nextcloudcmd then prints its help and exits 0 without syncing.
 */
export function strongPassword() {
  return `Aa1-${randomBytes(24).toString('base64url')}`;
}

function stamp() {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

function tail(file, lines = 40) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Pids of the processes in a process group, optionally only those whose command name matches. */
export function groupPids(pgid, comm) {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid pgrp …; comm may contain spaces and parentheses.
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      if (Number(fields[2]) === pgid && (!comm || name === comm)) pids.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return pids;
}

/** Resident set size in bytes of each given pid (0 for pids that are gone). */
export function rssOf(pids) {
  return pids.map((pid) => {
    try {
      const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : 0;
    } catch {
      return 0;
    }
  });
}

/**
 * Spawns `command args` detached (its own process group) with output to a log file; returns a
 * handle whose stop() ends the whole group: SIGTERM, then SIGKILL after `graceMs`.
 */
function spawnGroup(name, command, args, env) {
  mkdirSync(artifactsDir, { recursive: true });
  const logFile = path.join(artifactsDir, `${name}-${stamp()}.log`);
  const fd = openSync(logFile, 'a');
  const child = spawn(command, args, { cwd: repoRoot, env, detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const pgid = child.pid;
  liveGroups.add(pgid);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  async function stop({ graceMs = 10_000 } = {}) {
    if (!liveGroups.has(pgid)) return;
    killGroup(pgid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    await Promise.race([exited, new Promise((r) => setTimeout(r, graceMs))]);
    // wrangler and workerd may outlive the leader for a moment.
    while (groupPids(pgid).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (groupPids(pgid).length > 0) killGroup(pgid, 'SIGKILL');
    while (groupPids(pgid).length > 0) await new Promise((r) => setTimeout(r, 50));
    liveGroups.delete(pgid);
  }
  return { child, pgid, logFile, exited, stop };
}

async function waitFor(what, child, logFile, timeoutMs, probe) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what}: server exited (${child.exitCode ?? child.signalCode}) before it was ready; log ${logFile}:\n${tail(logFile)}`);
    }
    try {
      const done = await probe();
      if (done === true) return;
      if (typeof done === 'string') last = done;
    } catch (err) {
      if (err.fatal) throw err;
      last = err.message;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${what}: not ready after ${timeoutMs / 1000} s (${last}); log ${logFile}:\n${tail(logFile)}`);
}

function fatal(message) {
  return Object.assign(new Error(message), { fatal: true });
}

/**
 * Starts Cumulus through `node scripts/start.mjs` with a fresh DATA_DIR and an admin account, and
 * waits until /status.php says installed:true. The handle can also kill() the server as a crash
 * would and restart() it on the same DATA_DIR and port.
 * @param {{ name?: string, adminUser?: string, timeoutMs?: number, logLevel?: string, keepData?: boolean }} [options]
 */
export async function startServer(options = {}) {
  const { name = 'server', adminUser = 'admin', timeoutMs = 120_000, logLevel = 'log', keepData = false } = options;
  const port = await findFreePort();
  const inspectorPort = await findFreePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cumulus-data-'));
  const admin = { user: adminUser, password: strongPassword() };
  const url = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    PORT: String(port),
    INSPECTOR_PORT: String(inspectorPort),
    DATA_DIR: dataDir,
    ADMIN_USER: admin.user,
    ADMIN_PASSWORD: admin.password,
    LOG_LEVEL: logLevel,
    // Serve a bundle built at start: edits in the working tree must not restart it mid-test.
    BUILD_ONCE: '1',
    CUMULUS_PARENT_PID: String(process.pid),
    // scheduled(time) below plays the jobs' clock forward.
    CUMULUS_TEST_CLOCK: '1',
  };
  let proc;

  /** Spawns the server on this port and DATA_DIR and waits until it is installed and serving. */
  async function launch() {
    proc = spawnGroup(`${name}-${port}`, process.execPath, [path.join(repoRoot, 'scripts', 'start.mjs')], env);
    await waitFor('startServer', proc.child, proc.logFile, timeoutMs, async () => {
      const setupLine = tail(proc.logFile, 400).split('\n').find((l) => /^\[start\] setup (skipped|failed|refused|error|route)/.test(l));
      if (setupLine) throw fatal(`startServer: ${setupLine}; log ${proc.logFile}:\n${tail(proc.logFile)}`);
      const res = await fetch(`${url}/status.php`, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) return `/status.php HTTP ${res.status}`;
      const status = await res.json();
      return status.installed === true ? true : `/status.php installed=${status.installed}`;
    });
  }

  async function stop() {
    await proc.stop();
    reservedPorts.delete(port);
    reservedPorts.delete(inspectorPort);
    if (!keepData) rmSync(dataDir, { recursive: true, force: true });
  }

  /**
   * SIGKILLs the whole process group (node, wrangler, workerd) at once, as a crash or power cut
   * would: nothing gets to finish or clean up. DATA_DIR and the port stay reserved for restart().
   */
  async function kill() {
    killGroup(proc.pgid, 'SIGKILL');
    while (groupPids(proc.pgid).length > 0) await new Promise((r) => setTimeout(r, 50));
    liveGroups.delete(proc.pgid);
  }

  /** Starts the server again on the same DATA_DIR and port (after kill() or a stop with keepData). */
  async function restart() {
    if (liveGroups.has(proc.pgid)) throw new Error('restart: the server is still running; kill() it first');
    try {
      await launch();
    } catch (err) {
      await stop();
      throw err;
    }
  }

  try {
    await launch();
  } catch (err) {
    await stop();
    throw err;
  }

  const authHeader = `Basic ${Buffer.from(`${admin.user}:${admin.password}`).toString('base64')}`;
  return {
    url,
    port,
    /** wrangler dev's V8 inspector (CPU profiles of the Worker: the bench's perf notes). */
    inspectorPort,
    dataDir,
    admin,
    /** The log of the current (latest started) process. */
    get logFile() { return proc.logFile; },
    /** Process group id of the server (node start.mjs, wrangler, workerd); changes on restart(). */
    get pgid() { return proc.pgid; },
    /** Pids of the workerd processes serving this instance. */
    workerdPids: () => groupPids(proc.pgid, 'workerd'),
    kill,
    restart,
    /**
     * Runs the Worker's scheduled() handler (every cron job) with `time` (ms since the epoch) as
     * its clock, through wrangler dev's local trigger endpoint; resolves when the jobs are done.
     * wrangler 4.x serves it without --test-scheduled (that flag only adds /__scheduled, which
     * takes no time); /cdn-cgi/handler/ is rewritten to /cdn-cgi/local/ by wrangler's proxy.
     * @param {number} time @param {string} [cron]
     */
    async scheduled(time, cron = '*/15 * * * *') {
      const res = await fetch(`${url}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent(cron)}&time=${Math.round(time)}`);
      const text = await res.text();
      if (res.status !== 200 || text !== 'ok') throw new Error(`scheduled(${time}): HTTP ${res.status} ${text.slice(0, 300)}`);
    },
    /** WebDAV root of a user's files. */
    davUrl: (user) => `${url}/remote.php/dav/files/${encodeURIComponent(user)}/`,
    /**
     * Creates a user through the OCS provisioning API as the admin.
     * @param {string} id @param {string} password
     * @param {{ displayName?: string, email?: string, groups?: string[], quota?: string }} [opts]
     */
    async createUser(id, password, opts = {}) {
      const form = new URLSearchParams({ userid: id, password });
      if (opts.displayName) form.set('displayName', opts.displayName);
      if (opts.email) form.set('email', opts.email);
      if (opts.quota) form.set('quota', opts.quota);
      for (const g of opts.groups ?? []) form.append('groups[]', g);
      const res = await fetch(`${url}/ocs/v1.php/cloud/users?format=json`, {
        method: 'POST',
        headers: {
          Authorization: authHeader,
          'OCS-APIRequest': 'true',
          Accept: 'application/json',
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        body: form,
      });
      const text = await res.text();
      let statuscode;
      try {
        statuscode = JSON.parse(text).ocs.meta.statuscode;
      } catch {
        statuscode = Number(/<statuscode>(\d+)<\/statuscode>/.exec(text)?.[1]);
      }
      if (!res.ok || statuscode !== 100) {
        throw new Error(`createUser(${id}): HTTP ${res.status}, OCS status ${statuscode}: ${text.slice(0, 500)}`);
      }
      return { user: id, password };
    },
    stop,
  };
}

/**
 * Starts any Worker with `wrangler dev --config <config>` on a free port with a temp persist dir
 * (used for the bench-only baseline Worker); ready when it answers HTTP at all.
 * @param {{ config: string, name: string, timeoutMs?: number }} options
 */
export async function startWorker({ config, name, timeoutMs = 120_000 }) {
  const port = await findFreePort();
  const inspectorPort = await findFreePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `${name}-data-`));
  const url = `http://127.0.0.1:${port}`;
  // As scripts/start.mjs runs Cumulus: the bench compares the two under the same wrangler dev.
  const env = {
    CLOUDFLARE_CF_FETCH_ENABLED: 'false', ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false',
    X_LOCAL_EXPLORER: 'false', X_LOCAL_OBSERVABILITY: 'false',
  };
  const args = [
    wranglerBin, 'dev', '--config', config,
    '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspectorPort),
    '--persist-to', dataDir, '--show-interactive-dev-session=false', '--log-level', 'warn',
  ];
  const proc = spawnGroup(`${name}-${port}`, process.execPath, args, env);
  async function stop() {
    await proc.stop();
    reservedPorts.delete(port);
    reservedPorts.delete(inspectorPort);
    rmSync(dataDir, { recursive: true, force: true });
  }
  try {
    await waitFor(name, proc.child, proc.logFile, timeoutMs, async () => {
      await fetch(url, { signal: AbortSignal.timeout(5000) });
      return true;
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, port, logFile: proc.logFile, pgid: proc.pgid, workerdPids: () => groupPids(proc.pgid, 'workerd'), stop };
}
