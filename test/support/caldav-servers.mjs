/**
 * Starts the reference CalDAV/CardDAV servers from their Debian packages (radicale 3.1, xandikos
 * 0.2) on a free loopback port in 8800–8899 with throwaway storage, for the CalDAV bench and for
 * harness checks of the client drivers. Each runs in its own process group, logs to
 * test-artifacts/, and is killed on stop() or when this process exits.
 *
 *   Radicale: htpasswd auth with a plain-text file (one known user), rights owner_only; the user's
 *     principal /{user}/ is also its calendar and address-book home (Radicale's layout). It has no
 *     default calendar: clients create one.
 *   Xandikos: it has no authentication of its own (it expects a reverse proxy in front); requests
 *     are served whatever Authorization says. --defaults creates the principal /{user}/ with
 *     /{user}/calendars/calendar/ and /{user}/contacts/addressbook/.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { artifactsDir, findFreePort, groupPids, strongPassword } from './server.mjs';

/** Process groups started here and not stopped yet (killed when this process exits). */
const liveGroups = new Set();
function killAll() {
  for (const pgid of liveGroups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  liveGroups.clear();
}
process.on('exit', killAll);
// A signal ends Node without 'exit': kill the servers, then die of the signal as we would have.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    killAll();
    process.kill(process.pid, signal);
  });
}

/** The Debian package that provides each reference server. */
export const referencePackages = { radicale: 'radicale', xandikos: 'xandikos' };

/** True when the reference server's command is on PATH. */
export function referenceInstalled(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** "radicale 3.1.8" — the packaged version, for reports. */
export function referenceVersion(command) {
  const r = spawnSync(command, ['--version'], { encoding: 'utf8' });
  return `${command} ${(r.stdout || r.stderr || '?').trim().split(/\s+/).pop()}`;
}

function tail(file, lines = 30) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Spawns `command args` in its own process group, output appended to a log in test-artifacts/. */
function spawnLogged(name, command, args, env) {
  mkdirSync(artifactsDir, { recursive: true });
  const logFile = path.join(artifactsDir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.log`);
  const fd = openSync(logFile, 'a');
  const child = spawn(command, args, { env, detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  liveGroups.add(child.pid);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  async function stop() {
    const pgid = child.pid;
    if (!liveGroups.has(pgid)) return;
    try {
      process.kill(-pgid, 'SIGTERM');
    } catch {
      // already gone
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    for (let i = 0; i < 100 && groupPids(pgid).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    if (groupPids(pgid).length > 0) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    liveGroups.delete(pgid);
  }
  return { child, logFile, stop };
}

/** Waits until `url` answers HTTP at all (any status); throws with the log tail otherwise. */
async function waitForHttp(what, proc, url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      throw new Error(`${what} exited (${proc.child.exitCode ?? proc.child.signalCode}) before it was ready; log ${proc.logFile}:\n${tail(proc.logFile)}`);
    }
    try {
      await fetch(url, { method: 'OPTIONS', signal: AbortSignal.timeout(2000) });
      return;
    } catch (err) {
      last = err.message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} not ready after ${timeoutMs / 1000} s (${last}); log ${proc.logFile}:\n${tail(proc.logFile)}`);
}

/**
 * Writes a calendar straight into Radicale's storage (a folder with .Radicale.props and one file
 * per event): Radicale reads its storage on every request and builds its item cache on first use.
 */
function seedRadicale(home, collection, displayName, items) {
  const dir = path.join(home, collection);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, '.Radicale.props'), JSON.stringify({ tag: 'VCALENDAR', 'D:displayname': displayName, 'C:supported-calendar-component-set': 'VEVENT' }));
  for (const item of items) writeFileSync(path.join(dir, item.name), item.text);
}

/**
 * Writes a calendar straight into Xandikos's storage: a git repository whose working tree holds
 * .xandikos (its properties) and one file per event, all in one commit (Xandikos serves HEAD).
 */
function seedXandikos(home, collection, displayName, items) {
  const dir = path.join(home, collection);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, '.xandikos'), `[DEFAULT]\ntype = calendar\ndisplayname = ${displayName}\n`);
  for (const item of items) writeFileSync(path.join(dir, item.name), item.text);
  const git = (...args) => {
    const r = spawnSync('git', ['-c', 'user.name=Cumulus bench', '-c', 'user.email=bench@bench.invalid', ...args], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')} in ${dir}: ${r.stderr || r.error?.message}`);
  };
  git('init', '--quiet');
  git('add', '--all');
  git('commit', '--quiet', '-m', `seed ${items.length} items`);
}

/**
 * @typedef {object} ReferenceServer
 * @property {string} name          'radicale' | 'xandikos'
 * @property {string} version       e.g. 'radicale 3.1.8'
 * @property {string} url           base URL, e.g. http://127.0.0.1:8812/ (what a client is given)
 * @property {string} principalUrl  the user's principal
 * @property {string} calendarHomeUrl
 * @property {string} addressbookHomeUrl
 * @property {string} user
 * @property {string} password
 * @property {'basic'|'none'} auth  whether the server checks the password
 * @property {string} dataDir       throwaway storage, removed by stop()
 * @property {string} logFile
 * @property {(collection: string, displayName: string, items: { name: string, text: string }[]) => void} seedCalendar
 *   creates the calendar {calendarHomeUrl}{collection}/ with these items directly in the storage
 *   (for the bench: both servers' PUT costs O(n) in the calendar's size, an hour for 10,000)
 * @property {() => Promise<void>} stop
 */

/**
 * Radicale with a config file of its own: read after /etc/radicale/config (Debian's: remote_user
 * auth and a rights file), so every setting that one makes is overridden here; HOME points into
 * the temp dir so that no ~/.config/radicale/config is read.
 * @param {{ user?: string, password?: string, timeoutMs?: number }} [options]
 * @returns {Promise<ReferenceServer>}
 */
export async function startRadicale({ user = 'alice', password = strongPassword(), timeoutMs = 30_000 } = {}) {
  const port = await findFreePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cumulus-radicale-'));
  const users = path.join(dataDir, 'users');
  writeFileSync(users, `${user}:${password}\n`, { mode: 0o600 });
  const config = path.join(dataDir, 'config');
  writeFileSync(
    config,
    [
      '[server]',
      `hosts = 127.0.0.1:${port}`,
      'ssl = False',
      '[auth]',
      'type = htpasswd',
      `htpasswd_filename = ${users}`,
      'htpasswd_encryption = plain',
      // A wrong password costs 1 s by default; tests that check refusals need not wait.
      'delay = 0',
      '[rights]',
      'type = owner_only',
      '[storage]',
      `filesystem_folder = ${path.join(dataDir, 'collections')}`,
      '[web]',
      'type = none',
      '[logging]',
      'level = warning',
      '',
    ].join('\n'),
  );
  const env = { ...process.env, HOME: dataDir };
  const proc = spawnLogged(`radicale-${port}`, 'radicale', ['--config', config], env);
  const url = `http://127.0.0.1:${port}/`;
  const stop = async () => {
    await proc.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForHttp('radicale', proc, url, timeoutMs);
  } catch (err) {
    await stop();
    throw err;
  }
  const principalUrl = `${url}${encodeURIComponent(user)}/`;
  return {
    name: 'radicale',
    version: referenceVersion('radicale'),
    url,
    principalUrl,
    calendarHomeUrl: principalUrl,
    addressbookHomeUrl: principalUrl,
    user,
    password,
    auth: 'basic',
    dataDir,
    logFile: proc.logFile,
    seedCalendar: (collection, displayName, items) => seedRadicale(path.join(dataDir, 'collections', 'collection-root', user), collection, displayName, items),
    stop,
  };
}

/**
 * Xandikos with --defaults (principal, one calendar, one address book) and the user's principal
 * as current-user-principal. It checks no password: `password` is only what clients will send.
 * @param {{ user?: string, password?: string, timeoutMs?: number }} [options]
 * @returns {Promise<ReferenceServer>}
 */
export async function startXandikos({ user = 'alice', password = strongPassword(), timeoutMs = 30_000 } = {}) {
  const port = await findFreePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cumulus-xandikos-'));
  const principal = `/${encodeURIComponent(user)}/`;
  const args = ['-d', path.join(dataDir, 'data'), '--defaults', '--current-user-principal', principal, '-l', '127.0.0.1', '-p', String(port)];
  const proc = spawnLogged(`xandikos-${port}`, 'xandikos', args, { ...process.env, HOME: dataDir });
  const url = `http://127.0.0.1:${port}/`;
  const stop = async () => {
    await proc.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForHttp('xandikos', proc, url, timeoutMs);
  } catch (err) {
    await stop();
    throw err;
  }
  const principalUrl = `${url}${principal.slice(1)}`;
  return {
    name: 'xandikos',
    version: referenceVersion('xandikos'),
    url,
    principalUrl,
    calendarHomeUrl: `${principalUrl}calendars/`,
    addressbookHomeUrl: `${principalUrl}contacts/`,
    user,
    password,
    auth: 'none',
    dataDir,
    logFile: proc.logFile,
    seedCalendar: (collection, displayName, items) => seedXandikos(path.join(dataDir, 'data', user, 'calendars'), collection, displayName, items),
    stop,
  };
}

/** Starts the named reference server ('radicale' | 'xandikos'). */
export function startReferenceServer(name, options) {
  if (name === 'radicale') return startRadicale(options);
  if (name === 'xandikos') return startXandikos(options);
  throw new Error(`unknown reference server ${name}`);
}
