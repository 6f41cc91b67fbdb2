/**
 * Bench section "Chunked upload & desktop sync" (own-server mode only; issue 3):
 *   1. a chunked upload v2 of BENCH_CHUNKED_MIB (2048) MiB — MKCOL with Destination, chunk PUTs of
 *      85–95 MB (seeded, uneven) streamed from the seeded PRNG, 4 in parallel, then MOVE of `.file`
 *      with OC-Total-Length and no OC-Checksum (metadata-only) — reporting throughput (bench.mjs
 *      prints it as a share of the bare R2 put), the final MOVE's time, the workerd RSS before /
 *      halfway / peak and whether it stayed flat (flatVerdict); then uploads completed WITH
 *      `OC-Checksum: SHA1:…` (desktop 3.7 sends it): BENCH_CHECKSUM_MIB (2048) MiB with chunks one
 *      at a time as the desktop sends them (the running SHA-1 verifies it, nothing read back), and
 *      BENCH_CHECKSUM_PARALLEL_MIB (300) MiB with 4 in parallel (the MOVE reads the content back);
 *   2. nextcloudcmd's first sync of BENCH_SYNC_FILES (1,000) files of 4 KiB up from a fresh folder,
 *      then down into an empty one: seconds and HTTP requests each way, counted from the
 *      `[wrangler:info] METHOD /path STATUS (N ms)` lines of the server log, as the e2e tests do.
 *      Skipped, with a note in the table, when nextcloudcmd is not installed.
 *
 * Runs on a server of its own started at log level "log" (the main bench server runs at "warn",
 * which drops the request lines this section counts). Request handling follows
 * test/e2e/chunked-upload.test.ts; loopback only, every loop bounded, every request timed out.
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { countByMethod, nextcloudcmdFor, requestsIn } from '../e2e/clients/nextcloudcmd.mjs';
import { installed } from '../e2e/clients/run.mjs';
import { prngBytes, prngStream, seededRandom } from '../support/prng.mjs';
import { startServer, strongPassword } from '../support/server.mjs';

const MB = 1_000_000;
const MIB = 1024 * 1024;
const CHUNK_MAX = 95 * MB; // what the desktop is told (OWNCLOUD_MAX_CHUNK_SIZE=95000000), under the 100 MB edge cap
const CHUNK_SPREAD = 10 * MB; // chunks of 85–95 MB
const PARALLEL = 4;
const REQUEST_TIMEOUT_MS = 120_000; // of socket inactivity
const BIG = Number(process.env.BENCH_CHUNKED_MIB ?? 2048) * MIB;
/** The big chunked upload's size (BENCH_CHUNKED_MIB), for bench.mjs's share row. */
export const CHUNKED_BYTES = BIG;
const CHECKSUMMED = Number(process.env.BENCH_CHECKSUM_MIB ?? 2048) * MIB;
const CHECKSUMMED_PARALLEL = Number(process.env.BENCH_CHECKSUM_PARALLEL_MIB ?? 300) * MIB;
const SYNC_FILES = Number(process.env.BENCH_SYNC_FILES ?? 1000);
const NEXTCLOUDCMD = '/usr/bin/nextcloudcmd';

// The memory verdict on the big upload ("flat", issue 3). RSS is the sum over the workerd
// processes, sampled every 100 ms; "half" is the peak up to the chunk that completed half the bytes.
// - Memory that grows with the bytes moved (anything kept per chunk or per segment) adds about as
//   much in the second half as in the first; a fixed working set (PARALLEL streams in flight,
//   allocator arenas, compiled code) is paid in the first half. So the second half may add at most
//   a quarter of what the first added, above a noise floor of GC and sampling jitter.
// - And never 64 MiB or more: less than one chunk (85–95 MB = 81–91 MiB), so one whole chunk kept
//   in memory during the second half is enough to fail.
// - The whole upload may add no more than the chunks in flight would weigh if each were held whole
//   (PARALLEL × CHUNK_MAX = 362 MiB): past that the server holds more than it streams.
// Fewer than 2 × PARALLEL chunks leave no full round of parallel chunks per half: no verdict.
/** Growth of the second half that counts as jitter whatever the first did (the flat 2026-11-27 run: +10 MiB). */
const FLAT_NOISE = 16 * MIB;
/** The second half may add at most this share of the first half's growth (above FLAT_NOISE). */
const FLAT_SECOND_HALF_RATIO = 0.25;
/** The second half must add less than this, whatever the first did: less than one chunk. */
const FLAT_SECOND_HALF_MAX = 64 * MIB;
/** Peak minus "before" must stay under this: the chunks in flight, each held whole. */
const FLAT_TOTAL_MAX = PARALLEL * CHUNK_MAX;

const sizeLabel = (bytes) => (bytes % 2 ** 30 === 0 ? `${bytes / 2 ** 30} GiB` : `${bytes / MIB} MiB`);
const mib = (bytes) => bytes / MIB;

/**
 * Whether the workerd RSS stayed flat through the big upload, by the rule above, with the figures
 * it used. `flat` is null when there is no verdict (no half-way figure, or too few chunks).
 */
export function flatVerdict({ before, half, peak, chunks }) {
  if (half === null || half === undefined) return { flat: null, note: 'no half-way figure: no verdict' };
  if (chunks < 2 * PARALLEL) return { flat: null, note: `${chunks} chunks, fewer than 2 × ${PARALLEL} parallel: too small to judge` };
  const firstHalf = half - before;
  const secondHalf = peak - half;
  const total = peak - before;
  const secondAllowed = Math.min(FLAT_SECOND_HALF_MAX, Math.max(FLAT_NOISE, FLAT_SECOND_HALF_RATIO * Math.max(0, firstHalf)));
  const secondOk = secondHalf < secondAllowed;
  const totalOk = total < FLAT_TOTAL_MAX;
  const n = (bytes) => mib(bytes).toFixed(0);
  const figures = `2nd half +${n(secondHalf)} MiB ${secondOk ? '<' : '≥'} ${n(secondAllowed)} `
    + `(= min(${n(FLAT_SECOND_HALF_MAX)}, max(${n(FLAT_NOISE)}, 1st half +${n(firstHalf)} × ${FLAT_SECOND_HALF_RATIO}))); `
    + `whole +${n(total)} MiB ${totalOk ? '<' : '≥'} ${n(FLAT_TOTAL_MAX)} (${PARALLEL} chunks in flight)`;
  return { flat: secondOk && totalOk, note: `${secondOk && totalOk ? 'flat' : 'NOT flat'}: ${figures}` };
}

/**
 * One request (as in test/e2e/chunked-upload.test.ts): `body` is a stream of `length` bytes;
 * resolves { status, headers, body: string }.
 */
function requester(agent, auth) {
  return (method, url, headers, body, length = 0) =>
    new Promise((resolve, reject) => {
      const req = http.request(url, { method, agent, headers: { Authorization: auth, 'Content-Length': String(length), ...headers } }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`${method} ${url}: no progress for ${REQUEST_TIMEOUT_MS / 1000} s`)));
      req.on('error', reject);
      if (body) {
        body.on('error', (err) => req.destroy(err));
        body.pipe(req);
      } else req.end();
    });
}

function expectStatus(what, res, status) {
  if (res.status !== status) throw new Error(`${what}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
  return res;
}

/** Uneven chunk sizes (85–95 MB) from a seed, covering `size`; each chunk's bytes come from its own PRNG seed. */
function planChunks(size, seed) {
  const random = seededRandom(`${seed}:plan`);
  const chunks = [];
  for (let start = 0; start < size && chunks.length < 10_000;) {
    const n = Math.min(size - start, CHUNK_MAX - Math.floor(random() * CHUNK_SPREAD));
    const name = String(chunks.length + 1).padStart(5, '0');
    chunks.push({ name, start, size: n, seed: `${seed}:${name}` });
    start += n;
  }
  return chunks;
}

/** SHA-1 of the file the chunks make up (their PRNG streams in order), computed without holding it. */
async function sha1Of(chunks) {
  const hash = createHash('sha1');
  for (const c of chunks) for await (const block of prngStream(c.seed, c.size)) hash.update(block);
  return hash.digest('hex');
}

/**
 * MKCOL, chunk PUTs `parallel` at a time in order, MOVE of `.file`. `onProgress(bytesDone)` after
 * each chunk. Resolves { chunks, uploadMs, moveMs, moveServerMs }.
 */
async function chunkedUpload({ server, user, request, size, seed, name, checksum, parallel = PARALLEL, onProgress = () => {} }) {
  const uploadUrl = `${server.url}/remote.php/dav/uploads/${encodeURIComponent(user)}/bench-${seed}-${Date.now()}`;
  const destination = `${server.url}/remote.php/dav/files/${encodeURIComponent(user)}/${encodeURIComponent(name)}`;
  expectStatus('MKCOL', await request('MKCOL', uploadUrl, { Destination: destination, 'OC-Total-Length': String(size) }), 201);

  const chunks = planChunks(size, seed);
  const queue = [...chunks];
  let done = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: parallel }, async () => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      const res = await request('PUT', `${uploadUrl}/${c.name}`, { 'OC-Total-Length': String(size) }, prngStream(c.seed, c.size), c.size);
      expectStatus(`PUT chunk ${c.name}`, res, 201);
      done += c.size;
      onProgress(done);
    }
  }));
  const uploadMs = performance.now() - started;

  const logFrom = statSync(server.logFile).size;
  const headers = { Destination: destination, 'OC-Total-Length': String(size), 'X-OC-Mtime': '1700000000' };
  if (checksum) headers['OC-Checksum'] = `SHA1:${checksum}`;
  const moveStarted = performance.now();
  const move = await request('MOVE', `${uploadUrl}/.file`, headers);
  const moveMs = performance.now() - moveStarted;
  expectStatus('MOVE .file', move, 201);
  // As the server saw it (wrangler's request log), without the client's side of the round trip.
  await new Promise((r) => setTimeout(r, 300));
  const moveServerMs = requestsIn(server.logFile, logFrom).find((r) => r.method === 'MOVE' && r.path.endsWith('/.file'))?.ms ?? null;
  return { chunks, uploadMs, moveMs, moveServerMs };
}

/**
 * One chunked upload of `size` bytes by `user` (85–95 MB chunks, PARALLEL at a time, no
 * OC-Checksum), for bench.mjs's interleaved rounds. Resolves the upload's and MOVE's milliseconds.
 */
export async function chunkedUploadOnce(server, user, password, size, seed) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: PARALLEL });
  try {
    const request = requester(agent, `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`);
    const r = await chunkedUpload({ server, user, request, size, seed, name: `interleaved-${seed}.bin` });
    return { ms: r.uploadMs + r.moveMs, uploadMs: r.uploadMs, moveMs: r.moveMs, chunks: r.chunks.length };
  } finally {
    agent.destroy();
  }
}

const byMethodNote = (requests) =>
  Object.entries(countByMethod(requests))
    .sort((a, b) => b[1] - a[1])
    .map(([m, n]) => `${m} ${n}`)
    .join(', ');

/** Regular files under `dir`, without the sync client's journal and logs. */
async function userFileCount(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && !/^\.sync_|^\._sync_|\.nextcloudsync\.log$/.test(e.name)).length;
}

/**
 * Runs the section against a server of its own. `t` is the bench's table API:
 * { row, step, progress, rssSampler }. Resolves { chunkedMBps, chunkedShape } for bench.mjs's
 * share of the bare R2 put (chunkedMBps null when the big upload failed).
 */
export async function benchClients(t) {
  const section = 'Chunked upload & sync';
  /** What bench.mjs compares with the baseline: the big upload's throughput (null if it failed) and its shape. */
  const result = { chunkedMBps: null, chunkedShape: '' };
  t.progress('starting Cumulus for the chunked-upload and sync section (log level "log")');
  const server = await startServer({ name: 'bench-clients', logLevel: 'log' });
  const rss = t.rssSampler(() => server.workerdPids());
  const agent = new http.Agent({ keepAlive: true, maxSockets: PARALLEL });
  let work;
  try {
    const chunker = await server.createUser('bench-chunker', strongPassword());
    const request = requester(agent, `Basic ${Buffer.from(`${chunker.user}:${chunker.password}`).toString('base64')}`);
    const mem = section;

    // 1a. The big upload, metadata-only MOVE.
    t.progress(`chunked upload v2 of ${sizeLabel(BIG)} (85–95 MB chunks, ${PARALLEL} parallel, MOVE without OC-Checksum)`);
    await new Promise((r) => setTimeout(r, 1000)); // let start-up settle before "before"
    const before = rss.now();
    const beforeNote = rss.breakdown();
    rss.resetPeak();
    let halfPeak = null;
    const big = await t.step(section, `chunked upload ${sizeLabel(BIG)}`, 'MB/s', async () => {
      const r = await chunkedUpload({
        server, user: chunker.user, request, size: BIG, seed: 'bench-chunked-big', name: `chunked ${sizeLabel(BIG)}.bin`,
        onProgress: (bytes) => { if (halfPeak === null && bytes >= BIG / 2) halfPeak = rss.peak(); },
      });
      const sizes = r.chunks.map((c) => c.size);
      t.row(section, `chunked upload ${sizeLabel(BIG)}, throughput`, BIG / MB / (r.uploadMs / 1000), 'MB/s',
        `${r.chunks.length} chunks ${(Math.min(...sizes) / MB).toFixed(1)}–${(Math.max(...sizes) / MB).toFixed(1)} MB, ${PARALLEL} parallel, ${(r.uploadMs / 1000).toFixed(1)} s`);
      t.row(section, `final MOVE, ${sizeLabel(BIG)}, no OC-Checksum`, r.moveMs, 'ms', `metadata-only; server log: ${r.moveServerMs ?? '?'} ms`);
      result.chunkedMBps = BIG / MB / (r.uploadMs / 1000);
      result.chunkedShape = `${r.chunks.length} chunk PUTs, ${PARALLEL} parallel`;
      return r;
    });
    const peak = rss.peak();
    const after = rss.now();
    if (big) {
      t.row(mem, `workerd RSS before the ${sizeLabel(BIG)} upload`, mib(before), 'MiB', `pid: MiB — ${beforeNote}`);
      t.row(mem, `workerd RSS peak at half of the upload`, halfPeak === null ? null : mib(halfPeak), 'MiB', halfPeak === null ? '' : `+${mib(halfPeak - before).toFixed(0)} MiB over "before"`);
      t.row(mem, `workerd RSS peak, upload + MOVE (100 ms samples)`, mib(peak), 'MiB', `+${mib(peak - before).toFixed(0)} MiB over "before"`);
      t.row(mem, `workerd RSS after the MOVE`, mib(after), 'MiB');
      const verdict = flatVerdict({ before, half: halfPeak, peak, chunks: big.chunks.length });
      t.row(mem, `workerd RSS added by the 2nd half of the upload`, halfPeak === null ? null : mib(peak - halfPeak), 'MiB', verdict.note);
    }

    // 1b. Completed with OC-Checksum, as the desktop client does: its chunks go one after the other,
    // so the server has the running SHA-1 when the MOVE comes (nothing read back). 1c: the same
    // with chunks in parallel breaks that chain, and the MOVE reads the content back to verify it.
    for (const [label, size, parallel] of [['one at a time', CHECKSUMMED, 1], [`${PARALLEL} parallel`, CHECKSUMMED_PARALLEL, PARALLEL]]) {
      const what = `final MOVE, ${sizeLabel(size)}, OC-Checksum SHA1, chunks ${label}`;
      t.progress(`chunked upload of ${sizeLabel(size)} (chunks ${label}) completed WITH OC-Checksum: SHA1`);
      await t.step(section, what, 'ms', async () => {
        const seed = `bench-chunked-sha1-${parallel}`;
        const sha1 = await sha1Of(planChunks(size, seed));
        const r = await chunkedUpload({ server, user: chunker.user, request, size, seed, name: `chunked ${sizeLabel(size)} sha1 ${parallel}.bin`, checksum: sha1, parallel });
        t.row(section, what, r.moveMs, 'ms',
          `server log: ${r.moveServerMs ?? '?'} ms; upload ${(size / MB / (r.uploadMs / 1000)).toFixed(1)} MB/s, ${r.chunks.length} chunks`);
      });
    }

    // 2. nextcloudcmd first sync up, then down.
    const syncSection = 'nextcloudcmd first sync';
    if (!existsSync(NEXTCLOUDCMD) && !installed('nextcloudcmd')) {
      t.progress(`nextcloudcmd not installed: skipping the sync measurements`);
      t.row(syncSection, `${SYNC_FILES} × 4 KiB up / down`, null, 's', `SKIPPED: nextcloudcmd not installed (apt-get install -y nextcloud-desktop-cmd)`);
      return result;
    }
    work = await mkdtemp(path.join(os.tmpdir(), 'cumulus-bench-sync-'));
    const up = path.join(work, 'up');
    const down = path.join(work, 'down');
    await mkdir(up);
    await mkdir(down);
    for (let i = 0; i < SYNC_FILES; i++) {
      const file = path.join(up, `f${String(i).padStart(4, '0')}.bin`);
      await writeFile(file, prngBytes(`bench-sync:${i}`, 4096));
      // The client skips files modified within the last seconds ("still changing").
      await utimes(file, 1_700_000_000 + i, 1_700_000_000 + i);
    }
    const syncer = await server.createUser('bench-syncer', strongPassword());
    const sync = nextcloudcmdFor({ url: server.url, user: syncer.user, password: syncer.password, logFile: server.logFile });
    for (const [direction, dir] of [['up', up], ['down', down]]) {
      t.progress(`nextcloudcmd first sync ${direction}: ${SYNC_FILES} files of 4 KiB`);
      const ok = await t.step(syncSection, `first sync ${direction}, ${SYNC_FILES} × 4 KiB`, 's', async () => {
        const s = await sync(dir);
        if (s.code !== 0) throw new Error(`nextcloudcmd exited ${s.code ?? s.signal}: ${s.output.trim().split('\n').slice(-3).join(' | ')}`);
        const files = await userFileCount(dir);
        const errors = s.requests.filter((r) => r.status >= 500).length;
        const bulk = s.requests.filter((r) => r.method === 'POST' && r.path === '/remote.php/dav/bulk').length;
        t.row(syncSection, `first sync ${direction}, ${SYNC_FILES} × 4 KiB`, s.seconds, 's',
          `${files} files in the ${direction === 'up' ? 'source' : 'target'} folder${errors ? `; ${errors} HTTP 5xx` : ''}`);
        t.row(syncSection, `HTTP requests ${direction}`, s.requests.length, 'requests',
          `${byMethodNote(s.requests)}${direction === 'up' ? ` (${bulk} bulk POSTs)` : ''}`);
        if (files !== SYNC_FILES) throw new Error(`${files} files in ${dir} after the sync, expected ${SYNC_FILES}`);
        return true;
      });
      if (!ok) break;
    }
    return result;
  } finally {
    rss.stop();
    agent.destroy();
    await server.stop();
    if (work) await rm(work, { recursive: true, force: true });
  }
}
