/**
 * Runs python-caldav.py (beside this file) with Debian's python3-caldav and parses its JSON.
 * /usr/bin/python3 on purpose: the Debian package installs into the system Python, which a
 * python3 earlier on PATH (pyenv, a venv) does not see.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';

export const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(import.meta.dirname, 'python-caldav.py');

/** True when the system Python can import caldav (apt-get install -y python3-caldav). */
export function pythonCaldavInstalled() {
  return spawnSync(PYTHON, ['-c', 'import caldav'], { stdio: 'ignore' }).status === 0;
}

/**
 * A runner for one account: caldav(command, ...args) resolves the command's JSON output, or
 * rejects with its stderr (the script exits 1 on a DAV error). The password travels in the
 * environment (CALDAV_PASSWORD), never on the command line.
 * @param {{ url: string, user: string, password: string, timeoutMs?: number }} account
 */
export function pythonCaldavFor({ url, user, password, timeoutMs = 5 * 60_000 }) {
  return (command, ...args) =>
    new Promise((resolve, reject) => {
      const child = spawn(PYTHON, [SCRIPT, '--url', url, '--user', user, command, ...args], {
        env: { ...process.env, CALDAV_PASSWORD: password },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const out = [];
      const err = [];
      child.stdout.on('data', (c) => out.push(c));
      child.stderr.on('data', (c) => err.push(c));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        const stdout = Buffer.concat(out).toString('utf8');
        const stderr = Buffer.concat(err).toString('utf8');
        if (code !== 0) return reject(new Error(`python-caldav.py ${command} exited ${code ?? signal}: ${stderr.slice(-2000)}`));
        try {
          resolve(JSON.parse(stdout));
        } catch {
          reject(new Error(`python-caldav.py ${command}: not JSON: ${stdout.slice(0, 500)} ${stderr.slice(-500)}`));
        }
      });
    });
}
