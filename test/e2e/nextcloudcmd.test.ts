/**
 * nextcloudcmd (Debian nextcloud-desktop-cmd 3.7) two-way sync (issue 3): folder A → server →
 * folder B identical (1,000 small files, nested folders, Unicode and space names, a 300 MiB file
 * that goes chunked); edits, renames and deletes made in B reach A; a simultaneous edit yields
 * the client's conflict copy and loses nothing; a sync without changes transfers no file.
 * Request counts come from the server log; figures go to test-artifacts/nextcloudcmd-metrics.json.
 */
import { mkdir, mkdtemp, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { artifactsDir, startServer, strongPassword } from '../support/server.mjs';
import { countByMethod, nextcloudcmdFor } from './clients/nextcloudcmd.mjs';
import { installed } from './clients/run.mjs';
import { diffSynced, generateSyncTree, pastMtime, setMtime, userFiles } from './sync-tree.mjs';

type Sync = Awaited<ReturnType<ReturnType<typeof nextcloudcmdFor>>>;

let server: Awaited<ReturnType<typeof startServer>>;
let work: string;
let A: string;
let B: string;
let small: string[];
let sync: (dir: string) => Promise<Sync>;
const metrics: Record<string, unknown> = {};

function record(name: string, s: Sync) {
  metrics[name] = { seconds: s.seconds, requests: s.requests.length, byMethod: countByMethod(s.requests) };
}

async function saveOutput(name: string, s: Sync) {
  await writeFile(path.join(artifactsDir, `nextcloudcmd-${name}.txt`), s.output);
}

/** Files transferred by a run: uploads (PUT, bulk POST, chunked upload) and downloads (GET) under /remote.php. */
const transfers = (s: Sync) => s.requests.filter((r) => r.path.startsWith('/remote.php/') && ['PUT', 'GET', 'POST', 'MOVE'].includes(r.method));

async function syncOk(name: string, dir: string): Promise<Sync> {
  const s = await sync(dir);
  await saveOutput(name, s);
  record(name, s);
  expect(s.code, s.output.slice(-2000)).toBe(0);
  // nextcloudcmd also exits 0 after printing its help for arguments it can't parse: a real sync
  // always lists the sync root.
  expect(s.requests.filter((r) => r.method === 'PROPFIND').length, s.output.slice(-2000)).toBeGreaterThan(0);
  expect(s.requests.filter((r) => r.status >= 500)).toEqual([]);
  // A sync can end well after retrying refused items; none may have been refused.
  const refused = s.output.split('\n').filter((l) => /(Item completed|Could not complete propagation of) .*SyncFileItem::(NormalError|FatalError|SoftError|DetailError|BlacklistedError)/.test(l));
  expect(refused).toEqual([]);
  return s;
}

beforeAll(async () => {
  if (!installed('nextcloudcmd')) throw new Error('nextcloudcmd is not installed: apt-get install -y nextcloud-desktop-cmd (see .ci/run)');
  work = await mkdtemp(path.join(os.tmpdir(), 'cumulus-nextcloudcmd-'));
  A = path.join(work, 'A');
  B = path.join(work, 'B');
  small = await generateSyncTree(A);
  await mkdir(B);
  server = await startServer({ name: 'nextcloudcmd' });
  const user = await server.createUser('syncer', strongPassword());
  sync = nextcloudcmdFor({ url: server.url, user: user.user, password: user.password, logFile: server.logFile });
});

afterAll(async () => {
  await writeFile(path.join(artifactsDir, 'nextcloudcmd-metrics.json'), JSON.stringify(metrics, null, 2));
  console.log('[nextcloudcmd] metrics', JSON.stringify(metrics));
  await server?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

it('first sync up: 1,000 small files by bulk upload, the 300 MiB file chunked (chunks ≤ 95 MB)', async () => {
  const s = await syncOk('up', A);
  const bulk = s.requests.filter((r) => r.method === 'POST' && r.path === '/remote.php/dav/bulk');
  expect(bulk.length).toBeGreaterThan(0);
  expect(bulk.length).toBeLessThanOrEqual(20);
  expect(s.requests.filter((r) => r.method === 'PUT' && r.path.startsWith('/remote.php/dav/files/'))).toEqual([]);
  const chunks = s.requests.filter((r) => r.method === 'PUT' && r.path.startsWith('/remote.php/dav/uploads/'));
  // 10 MB first, then at most 95 MB each: 314,572,800 bytes need at least 5 chunks.
  expect(chunks.length).toBeGreaterThanOrEqual(5);
  const sizes = [...s.output.matchAll(/Chunked upload of (\d+) bytes took/g)].map((m) => Number(m[1]));
  expect(sizes.length).toBe(chunks.length);
  expect(Math.max(...sizes)).toBeLessThanOrEqual(95_000_000);
  metrics.chunkSizes = sizes;
  const move = s.requests.filter((r) => r.method === 'MOVE' && r.path.endsWith('/.file'));
  expect(move.map((r) => r.status)).toEqual([201]);
  metrics.chunkedMoveMsWithSha1 = move[0].ms;
  metrics.chunkPuts = chunks.length;
  expect(s.requests.filter((r) => r.method === 'MKCOL' && r.path.startsWith('/remote.php/dav/uploads/')).map((r) => r.status)).toEqual([201]);
});

it('first sync down into an empty folder B: identical names, bytes and mtimes', async () => {
  const s = await syncOk('down', B);
  expect(s.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/remote.php/dav/files/')).length).toBe(small.length + 1);
  expect(await diffSynced(A, B)).toEqual([]);
  expect((await userFiles(B)).length).toBe(small.length + 1);
});

it('a second sync with no changes transfers no file, either side', async () => {
  expect(transfers(await syncOk('noop-A', A))).toEqual([]);
  expect(transfers(await syncOk('noop-B', B))).toEqual([]);
});

it('edits, renames and deletes made in B reach A', async () => {
  // Files outside the folders this test moves or deletes, so each change stands alone.
  const loose = small.filter((f) => !f.startsWith('deep/a/b/c/') && !f.startsWith('with space/'));
  const [e1, e2, r1, d1, d2] = loose;
  await writeFile(path.join(B, e1), 'edited in B');
  await setMtime(path.join(B, e1), pastMtime(5000));
  await writeFile(path.join(B, e2), 'also edited in B, longer than before? maybe');
  await setMtime(path.join(B, e2), pastMtime(5001));
  await rename(path.join(B, r1), path.join(B, 'docs', 'renamed in B.txt'));
  await rename(path.join(B, 'deep/a/b/c'), path.join(B, 'deep/a/c moved'));
  await unlink(path.join(B, d1));
  await unlink(path.join(B, d2));
  await rm(path.join(B, 'with space'), { recursive: true });
  await writeFile(path.join(B, 'Ünïcødé Földer', 'new in B ✓.txt'), 'brand new');
  await setMtime(path.join(B, 'Ünïcødé Földer', 'new in B ✓.txt'), pastMtime(5002));

  const up = await syncOk('edits-up', B);
  // A rename is a MOVE on the server, not a new upload.
  expect(up.requests.filter((r) => r.method === 'MOVE' && r.path.startsWith('/remote.php/dav/files/')).length).toBeGreaterThanOrEqual(2);
  await syncOk('edits-down', A);
  expect(await diffSynced(A, B)).toEqual([]);
  expect(await readFile(path.join(A, e1), 'utf8')).toBe('edited in B');
  const inA = new Set(await userFiles(A));
  expect(inA.has('docs/renamed in B.txt') && !inA.has(r1)).toBe(true);
  expect([d1, d2].filter((f) => inA.has(f))).toEqual([]);
  expect([...inA].filter((f) => f.startsWith('with space/') || f.startsWith('deep/a/b/c/'))).toEqual([]);
  expect([...inA].some((f) => f.startsWith('deep/a/c moved/'))).toBe(true);
});

it('a simultaneous edit on both sides yields the conflict copy, and no content is lost', async () => {
  const target = 'docs/conflict me.txt';
  await writeFile(path.join(A, target), 'base');
  await setMtime(path.join(A, target), pastMtime(6000));
  await syncOk('conflict-base-up', A);
  await syncOk('conflict-base-down', B);
  await writeFile(path.join(A, target), 'edited in A');
  await setMtime(path.join(A, target), pastMtime(6001));
  await writeFile(path.join(B, target), 'edited in B');
  await setMtime(path.join(B, target), pastMtime(6002));

  await syncOk('conflict-A', A);
  await syncOk('conflict-B', B);
  expect(await readFile(path.join(B, target), 'utf8')).toBe('edited in A');
  const copies = (await userFiles(path.join(B, 'docs'))).filter((f) => /conflict me \(conflicted copy .*\)\.txt$/.test(f));
  expect(copies).toHaveLength(1);
  expect(await readFile(path.join(B, 'docs', copies[0]), 'utf8')).toBe('edited in B');
  expect(await readFile(path.join(A, target), 'utf8')).toBe('edited in A');
});
