/**
 * rclone's WebDAV backend with `--webdav-vendor nextcloud` against /remote.php/dav/files/USER/:
 * copies one 2 GiB file (the seeded PRNG stream, streamed to disk, never held in memory) and a
 * tree of 200 small files up, `rclone check`s them by SHA-1 (with vendor nextcloud rclone sends
 * OC-Checksum: SHA1:… on PUT and reads oc:checksums back), and `rclone sha1sum` on the server
 * matches the SHA-1 computed locally while the file was written.
 *
 * Upload path: Debian's rclone 1.60 has no `--webdav-nextcloud-chunk-size` (Nextcloud chunked
 * upload arrived in rclone 1.63), so the 2 GiB file goes up as ONE streamed PUT with a
 * Content-Length of 2 GiB. The test reads `rclone help flags` and checks the server log for the
 * path actually taken: a single PUT without chunking, or chunks under /remote.php/dav/uploads/
 * with a newer rclone.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { prngStream } from '../support/prng.mjs';
import { artifactsDir, startServer, strongPassword } from '../support/server.mjs';
import { installed, missing, run } from './clients/run.mjs';
import { BIG_FILE, generateTree, listFiles } from './tree.mjs';

const SEED = 'cumulus-e2e-nextcloud-v1';
const BIG_NAME = 'big-2GiB.bin';
const BIG_SIZE = 2 * 1024 * 1024 * 1024;
const TREE_FILES = 200;

/** Whether this rclone can upload to Nextcloud in chunks (1.63+); Debian 12's 1.60 cannot. */
const rcloneHelp = installed('rclone') ? spawnSync('rclone', ['help', 'flags'], { encoding: 'utf8' }).stdout ?? '' : '';
const chunked = /--webdav-nextcloud-chunk-size/.test(rcloneHelp);
const uploadPath = chunked ? 'chunked (--webdav-nextcloud-chunk-size, /remote.php/dav/uploads/)' : 'one streamed PUT (rclone 1.60 has no --webdav-nextcloud-chunk-size)';

let server: Awaited<ReturnType<typeof startServer>>;
let user: { user: string; password: string };
let work: string;
let src: string;
let treeFiles: string[];
let bigSha1: string;
let rclone: (args: string[]) => Promise<{ code: number | null; output: string }>;

async function saveOutput(name: string, output: string) {
  await writeFile(path.join(artifactsDir, `rclone-nextcloud-${name}.txt`), output);
}

/** Streams `size` bytes of the seed's PRNG stream to `file`; resolves their SHA-1 (hex). */
async function writePrngFile(file: string, seed: string, size: number) {
  const hash = createHash('sha1');
  const tee = new Transform({
    transform(chunk, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  await pipeline(prngStream(seed, size), tee, createWriteStream(file));
  return hash.digest('hex');
}

beforeAll(async () => {
  if (!installed('rclone')) throw new Error(missing('rclone'));
  work = await mkdtemp(path.join(os.tmpdir(), 'cumulus-rclone-nc-'));
  src = path.join(work, 'src');
  // 200 small files in the e2e tree's folders and names; the tree's big file is left out here.
  await generateTree(path.join(src, 'tree'), { seed: SEED, count: TREE_FILES + 1, bigSize: 0 });
  await rm(path.join(src, 'tree', BIG_FILE));
  treeFiles = (await listFiles(path.join(src, 'tree'))).map((f) => `tree/${f}`);
  bigSha1 = await writePrngFile(path.join(src, BIG_NAME), `${SEED}:${BIG_NAME}`, BIG_SIZE);

  server = await startServer({ name: 'rclone-nextcloud' });
  user = await server.createUser('rclonenc', strongPassword());
  const config = path.join(work, 'rclone.conf');
  await writeFile(config, '');
  // Through stdin and the environment: the password never shows in a process listing.
  const obscured = (await run('rclone', ['obscure', '-'], { input: user.password })).output.trim();
  const env = { ...process.env, RCLONE_WEBDAV_PASS: obscured };
  const flags = [
    '--config', config,
    '--webdav-url', server.davUrl(user.user),
    '--webdav-vendor', 'nextcloud',
    '--webdav-user', user.user,
    '--retries', '1',
    '--low-level-retries', '1',
    '--stats', '0',
  ];
  rclone = (args) => run('rclone', [...args, ...flags], { env, timeoutMs: 14 * 60_000 });
});

afterAll(async () => {
  await server?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

it('generates 200 small files and a 2 GiB file streamed from the seeded PRNG', async () => {
  expect(treeFiles).toHaveLength(TREE_FILES);
  expect((await listFiles(src)).sort()).toEqual([BIG_NAME, ...treeFiles].sort());
  expect(bigSha1).toMatch(/^[0-9a-f]{40}$/);
});

it(`rclone copy (vendor nextcloud) uploads the 2 GiB file and the tree without errors; 2 GiB upload: ${uploadPath}`, async () => {
  const r = await rclone(['copy', src, ':webdav:nc', '-v']);
  await saveOutput('copy-up', r.output);
  expect(r.output).not.toMatch(/\bERROR\b/);
  expect(r.code).toBe(0);

  // Which path the 2 GiB upload took, from the server's request log (wrangler logs each request).
  const bigPut = new RegExp(`\\] PUT /remote\\.php/dav/files/${user.user}/nc/${BIG_NAME.replace('.', '\\.')} (\\d+) `);
  let log = '';
  for (let i = 0; i < 50; i++) {
    log = await readFile(server.logFile, 'utf8');
    if (chunked || bigPut.test(log)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const uploadsRequests = log.split('\n').filter((l) => /\] \w+ \/remote\.php\/dav\/uploads\//.test(l));
  if (chunked) {
    expect(uploadsRequests.length).toBeGreaterThan(0);
  } else {
    expect(bigPut.exec(log)?.[1]).toBe('201');
    expect(log.match(new RegExp(bigPut.source, 'g')) ?? []).toHaveLength(1);
    expect(uploadsRequests).toEqual([]);
  }
});

it('rclone check compares every file by SHA-1 (oc:checksums): 0 differences, exit code 0', async () => {
  const r = await rclone(['check', src, ':webdav:nc', '-vv']);
  await saveOutput('check', r.output);
  const total = TREE_FILES + 1;
  expect(r.output).toMatch(/\b0 differences found/);
  expect(r.output).toMatch(new RegExp(`\\b${total} matching files`));
  // Every file's hash was compared: rclone logs "sha1 = <hex> OK" per file at -vv, and "N hashes
  // could not be checked" (or "No common hash") when it could only compare sizes.
  expect(r.output).not.toMatch(/hashes could not be checked|No common hash|could not check hash/i);
  expect(r.output.match(/: sha1 = [0-9a-f]{40} OK$/gm) ?? []).toHaveLength(total);
  expect(r.output).toContain(`${BIG_NAME}: sha1 = ${bigSha1} OK`);
  expect(r.code).toBe(0);
});

it('rclone sha1sum on the server matches the SHA-1 of the 2 GiB file computed locally', async () => {
  const r = await rclone(['sha1sum', `:webdav:nc/${BIG_NAME}`]);
  await saveOutput('sha1sum', r.output);
  expect(r.code).toBe(0);
  expect(r.output.trim().split('\n')).toContain(`${bigSha1}  ${BIG_NAME}`);
});
