/** Runs a command-line client with a timeout, capturing combined output. */
import { spawn } from 'node:child_process';
import { spawnSync } from 'node:child_process';

/** True when `command` is on PATH. */
export function installed(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Message for a missing Debian package (the CI script installs them). */
export function missing(command) {
  return `${command} is not installed: apt-get install -y ${command} (see .ci/run)`;
}

/**
 * Spawns `command args`, feeding `input` on stdin; resolves { code, signal, output } (stdout and
 * stderr interleaved). Kills the process after `timeoutMs`.
 */
export function run(command, args, { input, env, cwd, timeoutMs = 10 * 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: env ?? process.env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks = [];
    child.stdout.on('data', (c) => chunks.push(c));
    child.stderr.on('data', (c) => chunks.push(c));
    const timer = setTimeout(() => {
      chunks.push(Buffer.from(`\n[run] ${command} killed after ${timeoutMs / 1000} s\n`));
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output: Buffer.concat(chunks).toString('utf8') });
    });
    child.stdin.on('error', () => {}); // the client may exit before reading everything
    child.stdin.end(input ?? '');
  });
}
