/**
 * Crash safety (ARCHITECTURE.md §1): the whole server (node, wrangler, workerd) is SIGKILLed
 * while 50 writes run — new uploads of varied sizes (some larger than an 8 MiB segment: sent
 * without Content-Length they are stored segment by segment, with one they stream into a single
 * R2 object), overwrites and deletes — and restarted on the same DATA_DIR. Then: fsck finds nothing beyond derived data;
 * every file holds exactly its old or its new content (SHA-1 of what the client sent); a write the
 * server acknowledged survived; after the orphan collector runs with a clock past the grace period
 * no unreferenced blob is left, and every file still reads the same.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { davClient, parseMultistatus } from '../support/dav.mjs';
import { prngBytes, seededRandom } from '../support/prng.mjs';
import { repoRoot, startServer, strongPassword } from '../support/server.mjs';

const MiB = 1024 * 1024;
const HOUR = 3600 * 1000;
/** Large bodies go out at about this rate, so some are still streaming when the server dies. */
const PACE_BYTES = 256 * 1024;
const PACE_MS = 100;
/**
 * The kill comes once fsck has seen a whole 8 MiB segment that no row points at yet (a
 * multi-segment upload is half stored: the server's view, not the client's, whose bytes may
 * still sit in buffers on the way) and this many operations have answered.
 */
const KILL_AFTER = 15;
const SEGMENT = 8 * MiB;

type Kind = 'create' | 'overwrite' | 'delete' | 'untouched';
interface Planned { kind: Kind; path: string; old: Buffer | null; next: Buffer | null }
type Outcome = { state: 'acked'; status: number } | { state: 'refused'; status: number } | { state: 'unknown'; error: string };

let server: Awaited<ReturnType<typeof startServer>>;
let user: { user: string; password: string };
let auth: string;
let agent: http.Agent;
const plan: Planned[] = [];
const outcomes = new Map<string, Outcome>();

const sha1 = (b: Buffer | null) => (b ? createHash('sha1').update(b).digest('hex') : null);
const fileUrl = (p: string) => `/remote.php/dav/files/${user.user}/${p.split('/').map(encodeURIComponent).join('/')}`;

/** One request over a fresh connection; resolves status and body. `unsized`: no Content-Length (chunked). */
function send(method: string, urlPath: string, body?: Buffer, paced = false, unsized = false): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Authorization: auth };
    if (body && !unsized) headers['Content-Length'] = String(body.length);
    const req = http.request(`${server.url}${urlPath}`, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (!body) req.end();
    else if (!paced) req.end(body);
    else {
      const stream = Readable.from((async function* () {
        for (let o = 0; o < body.length; o += PACE_BYTES) {
          yield body.subarray(o, o + PACE_BYTES);
          await new Promise((r) => setTimeout(r, PACE_MS));
        }
      })());
      stream.on('error', (e) => req.destroy(e));
      stream.pipe(req);
    }
  });
}

async function fsckReport(): Promise<{ clean: boolean; damaged: boolean; totals: Record<string, number>; users: Record<string, unknown> }> {
  const res = await fetch(`${server.url}/ocs/v2.php/apps/cumulus/fsck?format=json`, {
    headers: { Authorization: `Basic ${Buffer.from(`${server.admin.user}:${server.admin.password}`).toString('base64')}`, 'OCS-APIRequest': 'true' },
  });
  expect(res.status).toBe(200);
  return (await res.json()).ocs.data;
}

/** `npm run fsck` (scripts/fsck.mjs) against a server: its exit code and output. */
function fsckScript(args: string[] = [], { url = server.url, login = server.admin } = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(repoRoot, 'scripts', 'fsck.mjs'), ...args, url], {
      env: { ...process.env, ADMIN_USER: login.user, ADMIN_PASSWORD: login.password },
    }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }));
  });
}

/** Deterministic content for a name and generation; some are several segments long. */
function content(name: string, gen: string, random: () => number, large: boolean): Buffer {
  const size = large ? 9 * MiB + Math.floor(random() * 7 * MiB) : random() < 0.1 ? 0 : Math.floor(random() * 1.5 * MiB) + 1;
  return prngBytes(`fault:${name}:${gen}`, size);
}

beforeAll(async () => {
  server = await startServer({ name: 'fault' });
  user = await server.createUser('faulty', strongPassword());
  auth = `Basic ${Buffer.from(`${user.user}:${user.password}`).toString('base64')}`;
  agent = new http.Agent({ keepAlive: false, maxSockets: 64 });

  const random = seededRandom('fault-plan');
  const dirOf = (i: number) => (i % 2 ? 'data/sub' : 'data');
  // 20 creates (3 large), 20 overwrites (3 large new, 3 large old), 10 deletes, 5 left alone.
  for (let i = 0; i < 20; i++) plan.push({ kind: 'create', path: `${dirOf(i)}/new-${i}.bin`, old: null, next: content(`new-${i}`, 'new', random, i < 3) });
  for (let i = 0; i < 20; i++) {
    const name = `ex-${i}`;
    plan.push({ kind: 'overwrite', path: `${dirOf(i)}/${name}.bin`, old: content(name, 'old', random, i >= 17), next: content(name, 'new', random, i < 3) });
  }
  for (let i = 20; i < 30; i++) plan.push({ kind: 'delete', path: `${dirOf(i)}/ex-${i}.bin`, old: content(`ex-${i}`, 'old', random, false), next: null });
  for (let i = 30; i < 35; i++) plan.push({ kind: 'untouched', path: `${dirOf(i)}/ex-${i}.bin`, old: content(`ex-${i}`, 'old', random, i === 30), next: null });

  const dav = davClient(server.davUrl(user.user), user.user, user.password);
  await dav.mkcol('data');
  await dav.mkcol('data/sub');
  const existing = plan.filter((p) => p.old);
  for (let i = 0; i < existing.length; i += 6) await Promise.all(existing.slice(i, i + 6).map((p) => dav.put(p.path, p.old!)));
  dav.close();
});

afterAll(async () => {
  agent?.destroy();
  await server?.stop();
});

/** What each path holds now: SHA-1 of its content, or null when it is gone. */
async function contents(): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  for (const p of plan) {
    const res = await send('GET', fileUrl(p.path));
    expect([200, 404], `GET ${p.path}`).toContain(res.status);
    out.set(p.path, res.status === 200 ? sha1(res.body) : null);
  }
  return out;
}

describe('SIGKILL during 50 concurrent writes', () => {
  it('kills the server mid-flight and restarts it on the same data', async () => {
    const ops = plan.filter((p) => p.kind !== 'untouched');
    expect(ops).toHaveLength(50);
    expect(ops.filter((p) => (p.next?.length ?? 0) > SEGMENT)).toHaveLength(6);
    let settled = 0;
    // The six large uploads start first and stream slowly: the three new files without
    // Content-Length (stored as segments, as from macOS Finder), the three overwrites with one
    // (one streamed R2 put, invisible until whole). Once the server holds a whole segment of one
    // (fsck sees it unreferenced), the other 44 start at once, and the kill comes as soon as
    // KILL_AFTER of them have answered: small writes are then caught in every phase (body, R2
    // put, D1 batch) while the large ones are half stored or half streamed.
    const large = (p: Planned) => (p.next?.length ?? 0) > SEGMENT;
    const run = async (p: Planned) => {
      try {
        const res = p.kind === 'delete' ? await send('DELETE', fileUrl(p.path))
          : await send('PUT', fileUrl(p.path), p.next!, large(p), large(p) && p.kind === 'create');
        outcomes.set(p.path, res.status >= 200 && res.status < 300 ? { state: 'acked', status: res.status } : { state: 'refused', status: res.status });
      } catch (e) {
        outcomes.set(p.path, { state: 'unknown', error: (e as Error).message });
      } finally {
        settled++;
      }
    };
    const running = ops.filter(large).map(run);
    while ((await fsckReport()).totals.youngOrphanBytes < SEGMENT) {
      if (settled > 0) throw new Error('a large upload finished before a segment was seen: slow the pace down');
      await new Promise((r) => setTimeout(r, 20));
    }
    running.push(...ops.filter((p) => !large(p)).map(run));
    while (settled < KILL_AFTER) await new Promise((r) => setTimeout(r, 2));
    const inFlight = ops.length - settled;
    await server.kill();
    await Promise.all(running);
    console.log(`[fault] killed with ${inFlight} of 50 operations in flight:`,
      [...outcomes].filter(([, o]) => o.state !== 'acked').map(([p, o]) => `${p}: ${JSON.stringify(o)}`).join('; '));
    expect(inFlight, 'the kill came while writes were running').toBeGreaterThanOrEqual(3);
    expect([...outcomes.values()].filter((o) => o.state === 'refused'), 'no write was refused before the kill').toEqual([]);
    await server.restart();
  });

  it('npm run fsck: nothing to repair beyond derived data (exit code 0)', async () => {
    const { code, out } = await fsckScript();
    expect(out).toMatch(/^\s+0  missing blobs/m);
    console.log(`[fault] fsck after the crash:\n${out}`);
    expect(code).toBe(0);
    const report = await fsckReport();
    expect(report.damaged).toBe(false);
    expect(report.totals).toMatchObject({ missingBlobs: 0, blobSizes: 0, fileSizes: 0, malformedSegments: 0, parents: 0, folderSizes: 0, etags: 0 });
  });

  it('npm run fsck: exit code 1 when the report says damaged, 2 when the server refuses the caller', async () => {
    const refused = await fsckScript([], { login: user });
    expect(refused.code).toBe(2);
    expect(refused.out).toContain('HTTP 403');
    // A stand-in server answering a damaged report: the exit code follows `damaged`, not `clean`.
    const report = { ...(await fsckReport()), clean: false, damaged: true };
    const fake = http.createServer((_req, res) => res.end(JSON.stringify({ ocs: { meta: { statuscode: 200 }, data: report } })));
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', () => r()));
    try {
      const damaged = await fsckScript([], { url: `http://127.0.0.1:${(fake.address() as { port: number }).port}` });
      expect(damaged.code).toBe(1);
      expect(damaged.out).toContain('DAMAGE found');
    } finally {
      fake.close();
    }
  });

  it('every file holds exactly its old or its new full content; acknowledged writes survived', async () => {
    const now = await contents();
    for (const p of plan) {
      const o = outcomes.get(p.path);
      const got = now.get(p.path);
      const allowed = p.kind === 'untouched' ? [sha1(p.old)]
        : o?.state === 'acked' ? [sha1(p.next)]
          : [sha1(p.old), sha1(p.next)];
      expect(allowed, `${p.kind} ${p.path} (${JSON.stringify(o)})`).toContain(got);
    }
    const unknown = plan.filter((p) => outcomes.get(p.path)?.state === 'unknown');
    const tally = (which: (p: Planned) => boolean) => unknown.filter(which).length;
    console.log(`[fault] ${unknown.length} writes with no answer: ${tally((p) => now.get(p.path) === sha1(p.next))} landed, `
      + `${tally((p) => p.old !== null && now.get(p.path) === sha1(p.old))} kept the old content, ${tally((p) => p.old === null && now.get(p.path) === null)} never appeared`);
    // Nothing else appeared: no partial or temporary entries.
    const dav = davClient(server.davUrl(user.user), user.user, user.password);
    try {
      // Children only: the first response of a Depth 1 listing is the folder itself.
      const listed = [...(await dav.propfind('data', 1)).slice(1), ...(await dav.propfind('data/sub', 1)).slice(1)]
        .map((e: { href: string }) => decodeURIComponent(e.href).replace(/^.*\/faulty\//, '').replace(/\/$/, ''));
      const expected = plan.filter((p) => now.get(p.path) !== null).map((p) => p.path);
      expect(listed.sort()).toEqual(['data/sub', ...expected].sort());
    } finally {
      dav.close();
    }
  });

  it('a file the crash deleted is whole in the trash', async () => {
    const now = await contents();
    const res = await send('PROPFIND', `/remote.php/dav/trashbin/${user.user}/trash`);
    expect(res.status).toBe(207);
    const entries = parseMultistatus(res.body.toString('utf8')).filter((e: { href: string }) => !/\/trash\/?$/.test(e.href));
    const deleted = plan.filter((x) => x.kind === 'delete' && now.get(x.path) === null);
    expect(deleted.length, 'some deletes went through before the kill').toBeGreaterThan(0);
    for (const p of deleted) {
      const entry = entries.find((e: { props: Record<string, string> }) => e.props['{http://nextcloud.org/ns}trashbin-original-location'] === p.path);
      expect(entry, `trash entry of ${p.path}`).toBeDefined();
      const got = await send('GET', new URL(entry.href, server.url).pathname.split('/').map((s) => encodeURIComponent(decodeURIComponent(s))).join('/'));
      expect(got.status).toBe(200);
      expect(sha1(got.body)).toBe(sha1(p.old));
    }
  });

  it('after the orphan job runs past the grace period, fsck finds no unreferenced blob and every file reads the same', async () => {
    const before = await contents();
    const crashed = await fsckReport();
    console.log(`[fault] unreferenced blobs left by the crash: ${crashed.totals.youngOrphanBlobs}`);
    expect(crashed.totals.youngOrphanBytes, 'the crash left a segment of an unfinished upload').toBeGreaterThanOrEqual(SEGMENT);
    await server.scheduled(Date.now() + 25 * HOUR);
    const report = await fsckReport();
    expect(report.totals).toMatchObject({ orphanBlobs: 0, youngOrphanBlobs: 0 });
    expect(report).toMatchObject({ clean: true, damaged: false });
    expect(await contents()).toEqual(before);
    const { code, out } = await fsckScript(['--repair']);
    expect(code).toBe(0);
    expect(out).toContain('clean.');
  });
});
