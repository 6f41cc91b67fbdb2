/** Drives rclone's `:webdav` backend (vendor "other") from the command line, no config file. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { run } from './run.mjs';

/**
 * Returns a runner: rclone(args) resolves { code, output } with the WebDAV remote configured by
 * flags; the remote is ":webdav:" (the root of `url`). Retries are off so that every server
 * error is visible.
 */
export async function rcloneFor({ url, user, password, workDir }) {
  await mkdir(workDir, { recursive: true });
  const config = path.join(workDir, 'rclone.conf');
  await writeFile(config, '');
  // Through stdin and the environment: the password never shows in a process listing.
  const obscured = (await run('rclone', ['obscure', '-'], { input: password })).output.trim();
  const env = { ...process.env, RCLONE_WEBDAV_PASS: obscured };
  const flags = [
    '--config', config,
    '--webdav-url', url,
    '--webdav-vendor', 'other',
    '--webdav-user', user,
    '--retries', '1',
    '--low-level-retries', '1',
    '--stats', '0',
  ];
  return (args, { timeoutMs = 15 * 60_000 } = {}) => run('rclone', [...args, ...flags], { env, timeoutMs });
}
