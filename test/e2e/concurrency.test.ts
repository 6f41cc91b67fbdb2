/**
 * Concurrency over real HTTP: 20 clients overwrite one file with If-Match on the same ETag —
 * exactly one wins, the rest get 412, and the content it replaced is kept as a version; and the
 * quota ("used X of Y (Z %)") stays exact under parallel uploads, overwrites and deletes.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMultistatus } from '../support/dav.mjs';
import { prngBytes, seededRandom } from '../support/prng.mjs';
import { startServer, strongPassword } from '../support/server.mjs';

const CLIENTS = 20;
const ROUNDS = 3;
const KiB = 1024;

let server: Awaited<ReturnType<typeof startServer>>;
let agent: http.Agent;

beforeAll(async () => {
  server = await startServer({ name: 'concurrency' });
  // A connection per request, as 20 separate clients would open: the requests really are in
  // flight together, and no reused keep-alive socket can be closed under a request by the server.
  agent = new http.Agent({ keepAlive: false, maxSockets: 64 });
});

afterAll(async () => {
  agent?.destroy();
  await server?.stop();
});

type Reply = { status: number; headers: http.IncomingHttpHeaders; body: Buffer };

function request(who: { user: string; password: string }, method: string, urlPath: string, headers: Record<string, string> = {}, body?: Buffer | string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const h: Record<string, string> = { Authorization: `Basic ${Buffer.from(`${who.user}:${who.password}`).toString('base64')}`, ...headers };
    if (body !== undefined) h['Content-Length'] = String(Buffer.byteLength(body));
    const req = http.request(`${server.url}${urlPath}`, { method, agent, headers: h }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const files = (who: { user: string }, p = '') => `/remote.php/dav/files/${who.user}/${p}`;
const PROPS = (...props: string[]) => `<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns"><d:prop>${props.join('')}</d:prop></d:propfind>`;

describe('20 clients overwrite one file with If-Match on the same ETag', () => {
  let alice: { user: string; password: string };
  beforeAll(async () => {
    alice = await server.createUser('alice', strongPassword());
  });

  // Each round races on a fresh file. Versions follow the manual's 2-minute rule: a change less
  // than 2 minutes after the last version makes none, so when one file is raced again and again
  // within seconds, only the first replaced content becomes a version and later winners' contents
  // are simply overwritten. A fresh file's first overwrite always keeps what it replaced.
  for (let round = 0; round < ROUNDS; round++) {
    it(`round ${round + 1}: exactly one 2xx and ${CLIENTS - 1} × 412; the winner is current, the replaced content is a version`, async () => {
      const name = `race-${round}.txt`;
      const original = `original content of round ${round}\n`;
      const created = await request(alice, 'PUT', files(alice, name), {}, original);
      expect(created.status).toBe(201);
      const etag = created.headers.etag as string;
      expect(etag).toMatch(/^"[0-9a-f]+"$/);
      const fileid = Number.parseInt(String(created.headers['oc-fileid']), 10);
      expect(fileid).toBeGreaterThan(0);

      const raceStart = Math.floor(Date.now() / 1000);
      const bodies = Array.from({ length: CLIENTS }, (_, i) => `client ${i} wins round ${round}\n`);
      const replies = await Promise.all(bodies.map((b) => request(alice, 'PUT', files(alice, name), { 'If-Match': etag }, b)));
      const statuses = replies.map((r) => r.status);
      const winners = statuses.flatMap((s, i) => (s >= 200 && s < 300 ? [i] : []));
      expect(winners, `statuses: ${statuses.join(' ')}`).toHaveLength(1);
      expect(statuses.filter((s) => s === 412)).toHaveLength(CLIENTS - 1);
      expect(replies[winners[0]].status).toBe(204);

      const current = await request(alice, 'GET', files(alice, name));
      expect(current.body.toString()).toBe(bodies[winners[0]]);
      expect(current.headers.etag).toBe(replies[winners[0]].headers.etag);

      // The replaced content as a version: its name is the time it was replaced.
      const listing = await request(alice, 'PROPFIND', `/remote.php/dav/versions/${alice.user}/versions/${fileid}`, { Depth: '1' },
        PROPS('<d:getcontentlength/>', '<d:getlastmodified/>'));
      expect(listing.status).toBe(207);
      const versions = parseMultistatus(listing.body.toString()).slice(1);
      expect(versions).toHaveLength(1);
      const versionName = Number(/\/(\d+)$/.exec(versions[0].href)![1]);
      expect(versions[0].href).toBe(`/remote.php/dav/versions/${alice.user}/versions/${fileid}/${versionName}`);
      // The name is the time the content was replaced: during the race.
      expect(versionName).toBeGreaterThanOrEqual(raceStart);
      expect(versionName).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
      expect(versions[0].props['{DAV:}getcontentlength']).toBe(String(Buffer.byteLength(original)));
      const kept = await request(alice, 'GET', new URL(versions[0].href, server.url).pathname);
      expect(kept.status).toBe(200);
      expect(kept.body.toString()).toBe(original);
      // Every successful write is the current content or a version: the one winner is current,
      // and no loser's content appears anywhere.
      for (const [i, b] of bodies.entries()) if (i !== winners[0]) expect(kept.body.toString()).not.toBe(b);
    });
  }
});

describe('quota stays exact under parallel writes', () => {
  // Small files, on purpose. A PUT refused before its body is read (its Content-Length does not
  // fit) is answered while the body is still coming; wrangler dev's proxy then loses the answer
  // ("Network connection lost", or a hung-up socket) unless the whole body was already in flight.
  // wrangler's own bundling adds a middleware that drains unread bodies; the prebuilt bundle the
  // test server runs has none. Bodies of a few KiB arrive whole before any answer.
  const QUOTA = 160 * KiB;
  let quinn: { user: string; password: string };
  beforeAll(async () => {
    quinn = await server.createUser('quinn', strongPassword(), { quota: String(QUOTA) });
    expect((await request(quinn, 'MKCOL', files(quinn, 'q'))).status).toBe(201);
  });

  /** Live files (href → size and fileid) as Depth 1 listings of the home and of q/ show them. */
  async function liveFiles(): Promise<Map<string, { size: number; fileid: number }>> {
    const out = new Map<string, { size: number; fileid: number }>();
    for (const dir of ['', 'q/']) {
      const res = await request(quinn, 'PROPFIND', files(quinn, dir), { Depth: '1' }, PROPS('<d:getcontentlength/>', '<d:resourcetype/>', '<oc:fileid/>'));
      expect(res.status).toBe(207);
      for (const e of parseMultistatus(res.body.toString()).slice(1)) {
        if ((e.props['{DAV:}resourcetype'] as string[]).length > 0) continue;
        out.set(e.href, { size: Number(e.props['{DAV:}getcontentlength']), fileid: Number(e.props['{http://owncloud.org/ns}fileid']) });
      }
    }
    return out;
  }
  const sum = (live: Map<string, { size: number }>) => [...live.values()].reduce((n, f) => n + f.size, 0);

  /** OCS user info and the DAV quota properties of the home must both say exactly `used`. */
  async function expectExactQuota(used: number) {
    // Nextcloud's fields, computed as its storage info does ("used X of Y (Z %)").
    const ocs = await request(quinn, 'GET', '/ocs/v2.php/cloud/user?format=json', { 'OCS-APIRequest': 'true' });
    expect(ocs.status).toBe(200);
    const quota = JSON.parse(ocs.body.toString()).ocs.data.quota;
    expect(quota).toEqual({ free: QUOTA - used, used, total: QUOTA, relative: Math.round((used / QUOTA) * 10000) / 100, quota: QUOTA });
    // RFC 4331 quota properties and oc:size of the home.
    const dav = await request(quinn, 'PROPFIND', files(quinn), { Depth: '0' },
      PROPS('<d:quota-used-bytes/>', '<d:quota-available-bytes/>', '<oc:size/>'));
    const [home] = parseMultistatus(dav.body.toString());
    expect(home.props).toMatchObject({
      '{DAV:}quota-used-bytes': String(used), '{DAV:}quota-available-bytes': String(QUOTA - used), '{http://owncloud.org/ns}size': String(used),
    });
  }

  it('after parallel PUTs, overwrites and deletes (some refused for quota), OCS and DAV report exactly the sum of the live files', async () => {
    const random = seededRandom('quota-race');
    const size = () => Math.floor(random() * 10 * KiB);
    const names = Array.from({ length: 40 }, (_, i) => (i % 3 ? `q/f-${i}.bin` : `f-${i}.bin`));
    // 40 creates averaging 5 KiB: about 200 KiB against 160 KiB, so the quota guard is contended.
    const first = await Promise.all(names.map((n, i) => request(quinn, 'PUT', files(quinn, n), {}, prngBytes(`q:${n}:0:${i}`, size()))));
    const firstStatuses = first.map((r) => r.status);
    expect(firstStatuses.every((s) => s === 201 || s === 507), firstStatuses.join(' ')).toBe(true);
    expect(firstStatuses).toContain(507);
    await expectExactQuota(sum(await liveFiles()));

    // Then all at once: deletes of three quarters (room enough that the trash's and the versions'
    // 50 %-of-free-space rules keep some of what they get), overwrites of the rest, new files, and
    // a second overwrite racing the first on some.
    const overwritten = names.filter((_, i) => i % 4 === 0);
    const second = await Promise.all([
      ...names.filter((_, i) => i % 4 !== 0).map((n) => request(quinn, 'DELETE', files(quinn, n))),
      ...overwritten.map((n) => request(quinn, 'PUT', files(quinn, n), {}, prngBytes(`q:${n}:1`, size()))),
      ...overwritten.slice(0, 4).map((n) => request(quinn, 'PUT', files(quinn, n), {}, prngBytes(`q:${n}:2`, size()))),
      ...Array.from({ length: 5 }, (_, i) => request(quinn, 'PUT', files(quinn, `q/new-${i}.bin`), {}, prngBytes(`q:new-${i}`, size()))),
    ]);
    for (const r of second) expect([201, 204, 404, 507], r.body.toString().slice(0, 300)).toContain(r.status);

    const live = await liveFiles();
    const used = sum(live);
    expect(used).toBeGreaterThan(0);
    await expectExactQuota(used);

    // The trash and the versions hold bytes too, and none of them count. How much of the race's
    // deletes and replaced content they may keep depends on the free space at each moment (their
    // 50 %-of-free-space rules), so here only the rules are checked… A write racing the deletes
    // may shrink the free space after an item entered the trash; like Nextcloud's, the rule is
    // applied again on the next delete and by the background job, which runs here first.
    await server.scheduled(Date.now());
    const bytesIn = async (url: string) => {
      const res = await request(quinn, 'PROPFIND', url, { Depth: '1' }, PROPS('<d:getcontentlength/>'));
      expect(res.status).toBe(207);
      return parseMultistatus(res.body.toString()).slice(1).reduce((n, e) => n + Number(e.props['{DAV:}getcontentlength'] ?? 0), 0);
    };
    const trashUrl = `/remote.php/dav/trashbin/${quinn.user}/trash`;
    expect(await bytesIn(trashUrl)).toBeLessThanOrEqual((QUOTA - used) / 2);
    let versionBytes = 0;
    for (const n of overwritten) {
      const f = live.get(`/remote.php/dav/files/${quinn.user}/${n}`);
      if (f) versionBytes += await bytesIn(`/remote.php/dav/versions/${quinn.user}/versions/${f.fileid}`);
    }
    expect(versionBytes).toBeLessThanOrEqual((QUOTA - used) / 2);

    // …and then, once every live file is deleted one by one, the last one is certainly in the
    // trash (half the whole quota is free for it) while the quota counts nothing.
    for (const href of live.keys()) expect((await request(quinn, 'DELETE', href)).status).toBe(204);
    await expectExactQuota(0);
    const last = [...live.keys()].pop()!.split('/').pop()!;
    const trash = await request(quinn, 'PROPFIND', trashUrl, { Depth: '1' }, PROPS('<nc:trashbin-filename/>'));
    const trashed = parseMultistatus(trash.body.toString()).map((e) => e.props['{http://nextcloud.org/ns}trashbin-filename']);
    expect(trashed).toContain(last);
  });

  it('a full account: parallel writes that cannot all fit are refused whole, and used bytes stay exact', async () => {
    // Fill up to 12 KiB of free space, then 10 writes of 4097 bytes race for it: at most two fit.
    const filler = QUOTA - sum(await liveFiles()) - 12 * KiB;
    expect((await request(quinn, 'PUT', files(quinn, 'filler.bin'), {}, prngBytes('filler', filler))).status).toBe(201);
    const before = sum(await liveFiles());
    expect(before).toBe(QUOTA - 12 * KiB);
    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) =>
      request(quinn, 'PUT', files(quinn, `full-${i}.bin`), {}, prngBytes(`full-${i}`, 4097))));
    const ok = replies.filter((r) => r.status === 201).length;
    expect(ok).toBeLessThanOrEqual(2);
    expect(replies.filter((r) => r.status === 507)).toHaveLength(10 - ok);
    const live = sum(await liveFiles());
    expect(live).toBe(before + ok * 4097);
    await expectExactQuota(live);
  });
});
