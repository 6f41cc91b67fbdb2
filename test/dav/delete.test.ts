import { beforeAll, describe, expect, it } from 'vitest';
import { blobKeys, etagOf, fileRows, makeUser, type DavClient } from '../helpers';

let alice: DavClient;
beforeAll(async () => {
  alice = await makeUser('alice');
});

describe('DELETE', () => {
  it('RFC 4918 §9.6: deleting a file → 204; afterwards GET and PROPFIND → 404', async () => {
    await alice.put('/f.txt', 'x');
    const res = await alice.del('/f.txt');
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect((await alice.get('/f.txt')).status).toBe(404);
    expect((await alice.propfind('/f.txt', null)).status).toBe(404);
  });

  it('RFC 4918 §9.6: deleting an unmapped URL → 404', async () => {
    expect((await alice.del('/f.txt')).status).toBe(404);
  });

  it('RFC 4918 §9.6.1: deleting a collection removes its whole subtree from the tree; rows and blobs go to the trash', async () => {
    await alice.mkcol('/tree');
    await alice.mkcol('/tree/a');
    await alice.mkcol('/tree/a/b');
    await alice.put('/tree/a/b/deep.txt', 'deep');
    await alice.put('/tree/top.txt', 'top');
    const rowsBefore = await fileRows('alice');
    const blobsBefore = await blobKeys();
    expect((await alice.del('/tree/')).status).toBe(204);
    for (const p of ['/tree/', '/tree/a/', '/tree/a/b/deep.txt', '/tree/top.txt']) {
      expect((await alice.propfind(p, null)).status, p).toBe(404);
    }
    const rows = await fileRows('alice');
    expect([...rows.keys()].filter((p) => p.startsWith('tree'))).toEqual([]);
    // Metadata only: the same fileids now live below the trash root, and no blob went.
    const trashed = [...rows].filter(([p]) => p.startsWith('\u0001trash/tree.d'));
    expect(trashed.map(([, r]) => r.fileid).sort()).toEqual(
      ['tree', 'tree/a', 'tree/a/b', 'tree/a/b/deep.txt', 'tree/top.txt'].map((p) => rowsBefore.get(p)!.fileid).sort());
    expect(await blobKeys()).toEqual(blobsBefore);
  });

  it('RFC 4918 §9.6.1: DELETE of a collection with a Depth other than infinity → 400, nothing deleted', async () => {
    await alice.mkcol('/keep');
    await alice.put('/keep/x.txt', 'x');
    for (const depth of ['0', '1']) {
      const res = await alice.del('/keep/', { Depth: depth });
      expect(res.status, `Depth: ${depth}`).toBe(400);
    }
    expect((await alice.get('/keep/x.txt')).status).toBe(200);
    expect((await alice.del('/keep/', { Depth: 'infinity' })).status).toBe(204);
  });

  it('RFC 4918 §9.6: the root of the tree cannot be deleted → 403', async () => {
    await alice.put('/survivor.txt', 's');
    expect((await alice.del('/')).status).toBe(403);
    expect((await alice.get('/survivor.txt')).status).toBe(200);
  });

  it('RFC 9110 §13.1.1: DELETE with a stale If-Match → 412 and the file stays', async () => {
    expect((await alice.del('/survivor.txt', { 'If-Match': '"stale"' })).status).toBe(412);
    const etag = (await etagOf(alice, '/survivor.txt'))!;
    expect((await alice.del('/survivor.txt', { 'If-Match': etag })).status).toBe(204);
  });

  it('nextcloud-api §3.5: DELETE changes the parent ETag; recreating gives a new file id', async () => {
    await alice.mkcol('/p');
    const first = await alice.put('/p/f.txt', 'x');
    const parent = await etagOf(alice, '/p/');
    await alice.del('/p/f.txt');
    expect(await etagOf(alice, '/p/')).not.toBe(parent);
    const again = await alice.put('/p/f.txt', 'x');
    expect(again.status).toBe(201);
    expect(again.headers.get('OC-FileId')).not.toBe(first.headers.get('OC-FileId'));
  });
});
