/**
 * Apache httpd with mod_dav (Debian's apache2 package), started on loopback for the bench: the
 * reference issue #2 names for PROPFIND ("no slower than Apache mod_dav"). Its own config, document
 * root, lock database and Basic-auth user in a temporary directory; nothing of the system's
 * Apache setup is used or changed. Bench-only: CI installs no apache2 and runs no bench.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findFreePort } from '../support/server.mjs';

const APACHE = '/usr/sbin/apache2';
const MODULES = '/usr/lib/apache2/modules';

/** True when Debian's apache2 (with mod_dav_fs) is installed. */
export function apacheInstalled() {
  return spawnSync(APACHE, ['-v'], { stdio: 'ignore' }).status === 0;
}

/** The uid/gid Apache serves as: as root it refuses to run as root, so www-data. */
function serviceAccount() {
  if (process.getuid?.() !== 0) return null;
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('www-data:'));
  if (!line) throw new Error('apache2 runs as www-data when started by root, and there is no www-data user');
  const [, , uid, gid] = line.split(':');
  return { name: 'www-data', uid: Number(uid), gid: Number(gid) };
}

/**
 * Starts Apache mod_dav on a free loopback port; resolves { url, user, password, stop() } where
 * url is the DAV root (a collection the user may write to).
 */
export async function startApacheDav() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cumulus-bench-apache-'));
  chmodSync(dir, 0o755); // Apache's workers (www-data under root) read the password file and serve below it
  const docroot = path.join(dir, 'dav');
  const lockdir = path.join(dir, 'lock');
  mkdirSync(docroot);
  mkdirSync(lockdir);
  const account = serviceAccount();
  if (account) {
    for (const p of [docroot, lockdir]) chownSync(p, account.uid, account.gid);
  }
  const port = await findFreePort();
  const user = 'bench';
  const password = randomBytes(18).toString('base64url');
  // {SHA} is one of mod_authn_file's formats; a bench-only user on loopback.
  writeFileSync(path.join(dir, 'htpasswd'), `${user}:{SHA}${createHash('sha1').update(password).digest('base64')}\n`);
  const modules = ['mpm_event', 'authz_core', 'authn_core', 'authn_file', 'auth_basic', 'authz_user', 'dav', 'dav_fs', 'mime'];
  const conf = [
    `ServerRoot ${dir}`,
    `PidFile ${path.join(dir, 'httpd.pid')}`,
    `Listen 127.0.0.1:${port}`,
    'ServerName localhost',
    ...modules.map((m) => `LoadModule ${m}_module ${MODULES}/mod_${m}.so`),
    'TypesConfig /etc/mime.types',
    ...(account ? [`User ${account.name}`, `Group ${account.name}`] : []),
    `ErrorLog ${path.join(dir, 'error.log')}`,
    `DAVLockDB ${path.join(lockdir, 'DAVLock')}`,
    `DocumentRoot ${docroot}`,
    'KeepAlive On',
    'MaxKeepAliveRequests 0',
    'LimitRequestBody 0',
    `<Directory ${docroot}>`,
    '  Dav On',
    '  AuthType Basic',
    '  AuthName "bench"',
    `  AuthUserFile ${path.join(dir, 'htpasswd')}`,
    '  Require valid-user',
    '</Directory>',
  ].join('\n');
  writeFileSync(path.join(dir, 'httpd.conf'), `${conf}\n`);
  // Its own process group, so that a failed start can take the workers down with the parent.
  const child = spawn(APACHE, ['-f', path.join(dir, 'httpd.conf'), '-DFOREGROUND'], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  const killAll = () => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const url = `http://127.0.0.1:${port}/`;
  const auth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`apache2 exited (${child.exitCode}): ${stderr.trim()}`);
    try {
      const res = await fetch(url, { method: 'PROPFIND', headers: { Authorization: auth, Depth: '0' } });
      if (res.status === 207) break;
      if (res.status !== 503) throw Object.assign(new Error(`apache2 answered ${res.status} on ${url}; see ${path.join(dir, 'error.log')}`), { fatal: true });
    } catch (err) {
      if (err.fatal) {
        killAll();
        throw err;
      }
      // not listening yet
    }
    if (Date.now() > deadline) {
      killAll();
      throw new Error(`apache2 not answering on ${url}: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  async function stop() {
    if (child.exitCode === null) {
      // SIGTERM: the parent stops its workers and exits.
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
  return { url, user, password, stop };
}
