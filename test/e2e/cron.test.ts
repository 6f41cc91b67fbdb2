/**
 * The Cron Trigger end to end: wrangler.toml's `[triggers] crons` reaches worker/index.ts
 * `scheduled`, and the jobs take the event's scheduled time as their clock. Triggered through
 * wrangler dev's local endpoint (`/cdn-cgi/handler/scheduled?cron=…&time=…`; in wrangler 4.164
 * it is always on and `--test-scheduled` would add only `/__scheduled`, which takes no time and
 * cannot wrap the prebuilt bundle the test server runs). Proved on two jobs: an abandoned chunked
 * upload expires only once `time` is 24 h past its last chunk, and an orphan blob — left by
 * killing the server in the middle of a PUT — is collected only past the grace period.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { davClient } from '../support/dav.mjs';
import { prngBytes } from '../support/prng.mjs';
import { repoRoot, startServer, strongPassword } from '../support/server.mjs';

const HOUR = 3600 * 1000;
const MiB = 1024 * 1024;

let server: Awaited<ReturnType<typeof startServer>>;
let user: { user: string; password: string };
let dav: ReturnType<typeof davClient>;
let auth: string;

beforeAll(async () => {
  server = await startServer({ name: 'cron' });
  user = await server.createUser('cronie', strongPassword());
  dav = davClient(server.url, user.user, user.password);
  auth = `Basic ${Buffer.from(`${user.user}:${user.password}`).toString('base64')}`;
});

afterAll(async () => {
  dav?.close();
  await server?.stop();
});

type Report = { clean: boolean; damaged: boolean; totals: Record<string, number> };

/** The admin fsck report (GET: check only, with the server's own clock). */
async function fsck(): Promise<Report> {
  const res = await fetch(`${server.url}/ocs/v2.php/apps/cumulus/fsck?format=json`, {
    headers: { Authorization: `Basic ${Buffer.from(`${server.admin.user}:${server.admin.password}`).toString('base64')}`, 'OCS-APIRequest': 'true' },
  });
  expect(res.status).toBe(200);
  return (await res.json()).ocs.data;
}

const uploadPath = (id: string, chunk?: string) => `remote.php/dav/uploads/${user.user}/${id}${chunk ? `/${chunk}` : ''}`;

/**
 * Sends the headers and the first `sent` bytes of a PUT without Content-Length (chunked transfer
 * coding, as macOS Finder uploads) over a raw socket and leaves it hanging: the server has stored
 * the first full segments as blobs, not yet the file row. (A body with a Content-Length streams
 * into one R2 object instead, which exists only once whole.)
 */
async function hangingPut(name: string, sent: number): Promise<net.Socket> {
  const socket = net.connect({ host: '127.0.0.1', port: server.port });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.on('error', () => {}); // the server is about to die under it
  socket.write(`PUT /remote.php/dav/files/${user.user}/${name} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n`
    + `Authorization: ${auth}\r\nTransfer-Encoding: chunked\r\n\r\n${sent.toString(16)}\r\n`);
  await new Promise<void>((r) => socket.write(prngBytes(`hanging:${name}`, sent), () => r()));
  await new Promise<void>((r) => socket.write('\r\n', () => r()));
  return socket;
}

describe('Cron Trigger through wrangler dev', () => {
  it('wrangler.toml declares the trigger and worker/index.ts exports scheduled', () => {
    expect(readFileSync(path.join(repoRoot, 'wrangler.toml'), 'utf8')).toMatch(/^\[triggers\]\n(#.*\n)*crons = \["[^"]+"\]/m);
    expect(readFileSync(path.join(repoRoot, 'worker', 'index.ts'), 'utf8')).toMatch(/scheduled\(controller, env, ctx\)/);
  });

  it('jobs run with the event\'s time as their clock: an abandoned upload and an orphan blob go only once that time is past their 24 h', async () => {
    const kept = prngBytes('cron:kept', 3 * MiB);
    await dav.put(`remote.php/dav/files/${user.user}/kept.bin`, kept);
    expect((await dav.request('MKCOL', uploadPath('abandoned'), {
      headers: { Destination: `${server.url}/remote.php/dav/files/${user.user}/never.bin` },
    })).status).toBe(201);
    expect((await dav.request('PUT', uploadPath('abandoned', '00001'), { body: prngBytes('cron:chunk', 1000) })).status).toBe(201);
    const t0 = Date.now();

    // An orphan as a crash leaves it: the first 8 MiB segment of a PUT is in R2, the row never came.
    const socket = await hangingPut('crashed.bin', 9 * MiB);
    await new Promise((r) => setTimeout(r, 3000));
    await server.kill();
    socket.destroy();
    await server.restart();

    const before = await fsck();
    expect(before.damaged).toBe(false);
    expect(before.totals.youngOrphanBlobs, 'the crash left an orphan blob').toBeGreaterThanOrEqual(1);
    expect(before.totals.orphanBlobs).toBe(0);

    await server.scheduled(t0 + 23 * HOUR);
    expect((await dav.request('PROPFIND', uploadPath('abandoned'), { headers: { Depth: '1' } })).status).toBe(207);
    expect((await fsck()).totals).toMatchObject({ listedBlobs: before.totals.listedBlobs, youngOrphanBlobs: before.totals.youngOrphanBlobs });

    await server.scheduled(t0 + 25 * HOUR);
    expect((await dav.request('PROPFIND', uploadPath('abandoned'), { headers: { Depth: '1' } })).status).toBe(404);
    const after = await fsck();
    expect(after).toMatchObject({ clean: true, damaged: false });
    expect(after.totals).toMatchObject({ youngOrphanBlobs: 0, orphanBlobs: 0 });
    // What is left is exactly the kept file's blob: the chunk's and the crash's are gone.
    expect(after.totals.listedBlobs).toBe(1);
    expect((await dav.get(`remote.php/dav/files/${user.user}/kept.bin`)).equals(kept)).toBe(true);
    expect((await dav.request('GET', `remote.php/dav/files/${user.user}/crashed.bin`)).status).toBe(404);
  });
});

describe("wrangler dev's development aids are not served on npm start's port (scripts/start.mjs)", () => {
  it('the Local Explorer (raw D1 and R2, no login) and its trace store answer 404', async () => {
    for (const p of [
      '/cdn-cgi/explorer', '/cdn-cgi/local/explorer', '/cdn-cgi/local/explorer/api',
      '/cdn-cgi/local/explorer/api/d1/database', '/cdn-cgi/local/explorer/api/r2/buckets',
      '/cdn-cgi/local/explorer/api/local/observability/query',
    ]) {
      const res = await fetch(server.url + p);
      const body = await res.text();
      expect(res.status, p).toBe(404);
      expect(body, p).not.toContain('cumulus-files');
    }
  });
});
