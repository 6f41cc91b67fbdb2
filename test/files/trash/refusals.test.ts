import { exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { blobKeys, fileRows, lockInfo, makeUser, propBody, type DavClient } from '../../helpers';
import { trashbinOf } from './client';

let alice: DavClient;
let bob: DavClient;
let mine: ReturnType<typeof trashbinOf>;
let item: string;
beforeAll(async () => {
  alice = await makeUser('alice');
  bob = await makeUser('bob');
  mine = trashbinOf(alice);
  await alice.mkcol('/dir');
  await alice.put('/dir/secret.txt', 'secret');
  await alice.del('/dir/secret.txt');
  item = (await mine.entry('secret.txt')).name;
});

/** Runs `op` and checks that neither alice's nor bob's rows nor any blob changed. */
async function nothingChanges(op: () => Promise<Response>): Promise<Response> {
  const before = [await fileRows('alice'), await fileRows('bob'), await blobKeys()];
  const res = await op();
  expect([await fileRows('alice'), await fileRows('bob'), await blobKeys()]).toEqual(before);
  return res;
}

describe('who may reach a trash bin', () => {
  it('no credentials → 401 with a Basic challenge, for listing, download, restore and delete', async () => {
    const url = `${mine.base}/trash/${item}`;
    for (const method of ['PROPFIND', 'GET', 'MOVE', 'DELETE']) {
      const res = await nothingChanges(() => exports.default.fetch(new Request(url, { method, headers: { Destination: `${mine.base}/restore/${item}` } })));
      expect(res.status, method).toBe(401);
      expect(res.headers.get('WWW-Authenticate'), method).toMatch(/^Basic /);
    }
  });

  it('another user → 403 for listing, download, restore and delete of alice\'s trash; nothing changes', async () => {
    const theirs = trashbinOf(bob, 'alice');
    expect((await theirs.request('PROPFIND', '/trash', { Depth: '1' }, propBody('{DAV:}getetag'))).status).toBe(403);
    expect((await theirs.get(item)).status).toBe(403);
    expect((await nothingChanges(() => theirs.restore(item))).status).toBe(403);
    expect((await nothingChanges(() => theirs.del(item))).status).toBe(403);
    expect((await nothingChanges(() => theirs.empty())).status).toBe(403);
  });

  it('bob cannot restore alice\'s item into his own restore/ either: the source is not in his tree', async () => {
    const res = await nothingChanges(() => bob.request('MOVE', `${mine.base}/trash/${item}`, { headers: { Destination: `${trashbinOf(bob).base}/restore/${item}` } }));
    expect(res.status).toBe(403);
  });
});

describe('what the trash refuses (bad requests are 4xx, never 500, and change nothing)', () => {
  it('MOVE with a Destination outside restore/: another user\'s restore/, the files tree, inside trash/ → 403', async () => {
    for (const dest of [`${trashbinOf(bob).base}/restore/${item}`, `${alice.base}/secret.txt`, `${mine.base}/trash/renamed.txt`, `${mine.base}/restore`]) {
      const res = await nothingChanges(() => mine.request('MOVE', `/trash/${item}`, { Destination: dest }));
      expect(res.status, dest).toBe(403);
    }
  });

  it('MOVE into a subfolder of restore/ → 409; without Destination → 400; to another host → 502', async () => {
    expect((await nothingChanges(() => mine.restore(item, `/restore/a/${item}`))).status).toBe(409);
    expect((await nothingChanges(() => mine.request('MOVE', `/trash/${item}`))).status).toBe(400);
    expect((await nothingChanges(() => mine.request('MOVE', `/trash/${item}`, { Destination: `http://elsewhere.example/remote.php/dav/trashbin/alice/restore/${item}` }))).status).toBe(502);
  });

  it('MOVE of the collections themselves, or of nothing → 403/404', async () => {
    expect((await nothingChanges(() => mine.request('MOVE', '/trash', { Destination: mine.url('/restore/trash') }))).status).toBe(403);
    expect((await nothingChanges(() => mine.request('MOVE', '/restore', { Destination: mine.url('/trash/x') }))).status).toBe(403);
    expect((await nothingChanges(() => mine.restore('missing.txt.d1'))).status).toBe(404);
  });

  it('PUT, MKCOL, COPY, PROPPATCH and LOCK in the trash are refused', async () => {
    expect((await nothingChanges(() => mine.request('PUT', '/trash/new.txt', {}, 'x'))).status).toBe(403);
    expect((await nothingChanges(() => mine.request('PUT', `/restore/new.txt`, {}, 'x'))).status).toBe(403);
    expect((await nothingChanges(() => mine.request('MKCOL', '/trash/newdir'))).status).toBe(403);
    expect((await nothingChanges(() => mine.request('COPY', `/trash/${item}`, { Destination: mine.url('/restore/copy.txt') }))).status).toBe(403);
    const patch = await nothingChanges(() => mine.request('PROPPATCH', `/trash/${item}`, { 'Content-Type': 'application/xml' },
      '<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:x="urn:x"><d:set><d:prop><x:a>1</x:a></d:prop></d:set></d:propertyupdate>'));
    expect(patch.status).toBe(403);
    expect((await nothingChanges(() => mine.request('LOCK', `/trash/${item}`, { 'Content-Type': 'application/xml' }, lockInfo()))).status).toBe(405);
  });

  it('DELETE of the trashbin home or of restore/ → 403; of an unknown item → 404', async () => {
    expect((await nothingChanges(() => mine.request('DELETE', '/'))).status).toBe(403);
    expect((await nothingChanges(() => mine.request('DELETE', '/restore'))).status).toBe(403);
    expect((await nothingChanges(() => mine.del('nothing.d1'))).status).toBe(404);
  });

  it('malformed paths → 400; unknown collections → 404', async () => {
    expect((await alice.request('PROPFIND', `${mine.base}/trash/bad%01name`, { headers: { Depth: '0' } })).status).toBe(400);
    expect((await alice.request('DELETE', `${mine.base}/trash/a%2Fb`)).status).toBe(400);
    expect((await mine.request('PROPFIND', '/elsewhere', { Depth: '0' })).status).toBe(404);
    expect((await mine.request('GET', '/restore/x')).status).toBe(404);
  });

  it('after all that, the item is still there and restores normally', async () => {
    expect((await mine.restore(item)).status).toBe(201);
    expect(await (await alice.get('/dir/secret.txt')).text()).toBe('secret');
  });
});
