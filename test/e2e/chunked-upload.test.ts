/**
 * A 2 GiB chunked upload (nextcloud-api §3.7) driven by our own client: uneven chunk sizes
 * (20–95 MB), sent four at a time in shuffled order, completed by MOVE of `.file`, then read
 * back and compared byte for byte. Both sides stream from disk and the network; nothing holds
 * the file in memory. Figures go to test-artifacts/chunked-upload-metrics.json.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { prngStream, seededRandom } from '../support/prng.mjs';
import { artifactsDir, startServer, strongPassword } from '../support/server.mjs';
import { requestsIn } from './clients/nextcloudcmd.mjs';

const SIZE = 2 * 1024 ** 3;
const MB = 1_000_000;
const PARALLEL = 4;

let server: Awaited<ReturnType<typeof startServer>>;
let work: string;
let file: string;
let auth: string;
let agent: http.Agent;
const user = 'chunker';
const metrics: Record<string, number> = {};

type Reply = { status: number; headers: http.IncomingHttpHeaders; body: string };

/** One request; `body` is a stream of `length` bytes; `sink` receives a 2xx response body instead of buffering it. */
function request(method: string, url: string, headers: Record<string, string>, body?: NodeJS.ReadableStream, length = 0,
  sink?: (chunk: Buffer) => Promise<void>): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers: { Authorization: auth, 'Content-Length': String(length), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      let chain = Promise.resolve();
      res.on('data', (c: Buffer) => {
        if (sink && res.statusCode! < 300) {
          res.pause();
          chain = chain.then(() => sink(c)).then(() => { res.resume(); }, (e) => res.destroy(e));
        } else chunks.push(c);
      });
      res.on('end', () => chain.then(() => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }), reject));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body) body.pipe(req);
    else req.end();
  });
}

/** Uneven chunk sizes from a seed, covering `size`; the last one is whatever is left. */
function planChunks(size: number) {
  const random = seededRandom('chunk-plan');
  const chunks: { name: string; start: number; size: number }[] = [];
  for (let start = 0; start < size;) {
    const n = Math.min(size - start, 20 * MB + Math.floor(random() * 75 * MB));
    chunks.push({ name: String(chunks.length + 1).padStart(5, '0'), start, size: n });
    start += n;
  }
  return chunks;
}

function shuffled<T>(items: T[]): T[] {
  const random = seededRandom('chunk-order');
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'cumulus-chunked-'));
  file = path.join(work, 'big.bin');
  await pipeline(prngStream('cumulus-2gib', SIZE), createWriteStream(file));
  server = await startServer({ name: 'chunked-upload' });
  const account = await server.createUser(user, strongPassword());
  auth = `Basic ${Buffer.from(`${user}:${account.password}`).toString('base64')}`;
  agent = new http.Agent({ keepAlive: true, maxSockets: PARALLEL });
});

afterAll(async () => {
  await writeFile(path.join(artifactsDir, 'chunked-upload-metrics.json'), JSON.stringify(metrics, null, 2));
  console.log('[chunked-upload] metrics', JSON.stringify(metrics));
  agent?.destroy();
  await server?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

it('uploads 2 GiB in uneven chunks, in parallel and out of order, completes it with a metadata-only MOVE, and reads it back byte for byte', async () => {
  const uploadUrl = `${server.url}/remote.php/dav/uploads/${user}/transfer-2gib`;
  const destPath = `/remote.php/dav/files/${user}/big%202%20GiB.bin`;
  const mkcol = await request('MKCOL', uploadUrl, { Destination: server.url + destPath, 'OC-Total-Length': String(SIZE) });
  expect(mkcol.status).toBe(201);

  const chunks = planChunks(SIZE);
  expect(new Set(chunks.map((c) => c.size)).size).toBeGreaterThan(chunks.length / 2);
  const queue = shuffled(chunks);
  expect(queue.map((c) => c.name)).not.toEqual(chunks.map((c) => c.name));
  const started = Date.now();
  await Promise.all(Array.from({ length: PARALLEL }, async () => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      const body = createReadStream(file, { start: c.start, end: c.start + c.size - 1, highWaterMark: 1 << 20 });
      const res = await request('PUT', `${uploadUrl}/${c.name}`, { 'OC-Total-Length': String(SIZE) }, body, c.size);
      expect(res.status, res.body).toBe(201);
    }
  }));
  const uploadSeconds = (Date.now() - started) / 1000;
  metrics.chunks = chunks.length;
  metrics.uploadSeconds = uploadSeconds;
  metrics.uploadMBps = Math.round(SIZE / MB / uploadSeconds);

  const moveStarted = performance.now();
  const move = await request('MOVE', `${uploadUrl}/.file`, { Destination: destPath, 'OC-Total-Length': String(SIZE), 'X-OC-Mtime': '1700000000' });
  metrics.finalMoveMs = Math.round(performance.now() - moveStarted);
  expect(move.status, move.body).toBe(201);
  await new Promise((r) => setTimeout(r, 300));
  // As the server saw it (wrangler's request log), without the client's side of the round trip.
  metrics.finalMoveServerMs = requestsIn(server.logFile, 0).find((r: { method: string; path: string }) => r.method === 'MOVE' && r.path.endsWith('/.file'))?.ms ?? -1;
  expect(move.headers['oc-fileid']).toMatch(/^\d{8,}occumulus$/);
  expect(move.headers.etag).toMatch(/^"[0-9a-f]+"$/);
  expect(move.headers['x-oc-mtime']).toBe('accepted');
  expect((await request('PROPFIND', uploadUrl, { Depth: '0' })).status).toBe(404);

  const local = await open(file);
  let offset = 0;
  let mismatchAt = -1;
  const readStarted = Date.now();
  try {
    const res = await request('GET', `${server.url}${destPath}`, {}, undefined, 0, async (chunk) => {
      const expected = Buffer.alloc(chunk.length);
      await local.read(expected, 0, chunk.length, offset);
      if (mismatchAt < 0 && !expected.equals(chunk)) mismatchAt = offset;
      offset += chunk.length;
    });
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe(move.headers.etag);
  } finally {
    await local.close();
  }
  metrics.downloadMBps = Math.round(SIZE / MB / ((Date.now() - readStarted) / 1000));
  expect(mismatchAt).toBe(-1);
  expect(offset).toBe(SIZE);
}, 10 * 60_000);
