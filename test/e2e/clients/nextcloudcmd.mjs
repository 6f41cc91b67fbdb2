/**
 * Drives Debian's nextcloudcmd (3.7) against a test server and counts the HTTP requests each run
 * made, from the `[wrangler:info] METHOD /path STATUS` lines the harness logs.
 */
import { readFileSync, statSync } from 'node:fs';
import { run } from './run.mjs';

/**
 * nextcloudcmd 3.7 sizes chunks dynamically (start 10 MB, aiming at 60 s per chunk) up to
 * OWNCLOUD_MAX_CHUNK_SIZE, default 1000 MB; it reads neither nextcloud.cfg nor the
 * files.chunked_upload.max_size capability. Behind Cloudflare's 100 MB body cap it must be told.
 */
export const MAX_CHUNK_SIZE = '95000000';

/** Requests logged between two byte offsets of the server log: [{ method, path, status, ms }]. */
export function requestsIn(logFile, from, to = statSync(logFile).size) {
  const text = readFileSync(logFile).subarray(from, to).toString('utf8');
  const out = [];
  for (const m of text.matchAll(/\[wrangler:info\] ([A-Z]+) (\S+) (\d{3})[^(\n]*\((\d+)ms\)/g)) {
    out.push({ method: m[1], path: m[2], status: Number(m[3]), ms: Number(m[4]) });
  }
  return out;
}

/** Counts by method, e.g. { PUT: 3, GET: 10 }. */
export function countByMethod(requests) {
  const counts = {};
  for (const r of requests) counts[r.method] = (counts[r.method] ?? 0) + 1;
  return counts;
}

/**
 * A sync function for one server account: sync(dir) runs one two-way sync of `dir` with the
 * account's root and resolves { code, output, seconds, requests }.
 */
export function nextcloudcmdFor({ url, user, password, logFile }) {
  // nextcloudcmd takes an argument that starts with '-' for an option, prints its help, exits 0.
  if (user.startsWith('-') || password.startsWith('-')) throw new Error('nextcloudcmd can not take a user name or password that starts with "-"');
  return async function sync(dir) {
    const from = statSync(logFile).size;
    const started = Date.now();
    const result = await run('nextcloudcmd', ['--non-interactive', '-u', user, '-p', password, '--trust', dir, url], {
      env: { ...process.env, OWNCLOUD_MAX_CHUNK_SIZE: MAX_CHUNK_SIZE },
      timeoutMs: 5 * 60_000,
    });
    const seconds = (Date.now() - started) / 1000;
    // wrangler writes its request lines asynchronously; give the last ones a moment.
    await new Promise((r) => setTimeout(r, 500));
    return { ...result, seconds, requests: requestsIn(logFile, from) };
  };
}
