import { beforeAll, describe, expect, it } from 'vitest';
import { etagOf, makeUser, propOf, type DavClient } from '../helpers';

let alice: DavClient;
const FILEID = '{http://owncloud.org/ns}fileid';
const setTag = (path: string, v: string) => alice.proppatch(path,
  `<d:propertyupdate xmlns:d="DAV:" xmlns:z="urn:z"><d:set><d:prop><z:tag>${v}</z:tag></d:prop></d:set></d:propertyupdate>`);
const text = async (path: string) => (await alice.get(path)).text();

beforeAll(async () => {
  alice = await makeUser('alice');
  await makeUser('bob');
  await alice.mkcol('/src');
  await alice.mkcol('/dst');
});

describe('MOVE', () => {
  it('RFC 4918 §9.9.4: MOVE to a new name → 201; the source is gone', async () => {
    const put = await alice.put('/src/a.txt', 'A');
    const res = await alice.move('/src/a.txt', '/dst/a.txt');
    expect(res.status).toBe(201);
    expect(res.headers.get('OC-FileId')).toBe(put.headers.get('OC-FileId'));
    expect(res.headers.get('OC-ETag')).toBe(await etagOf(alice, '/dst/a.txt'));
    expect((await alice.get('/src/a.txt')).status).toBe(404);
    expect(await text('/dst/a.txt')).toBe('A');
  });

  it('nextcloud-api §8d.13: MOVE keeps oc:fileid (stable ids) and the dead properties', async () => {
    await alice.put('/src/keep.txt', 'K');
    await setTag('/src/keep.txt', 'kept');
    const id = await propOf(alice, '/src/keep.txt', FILEID);
    expect((await alice.move('/src/keep.txt', '/dst/renamed.txt')).status).toBe(201);
    expect(await propOf(alice, '/dst/renamed.txt', FILEID)).toBe(id);
    expect(await (await alice.propfind('/dst/renamed.txt', null)).text()).toMatch(/<x:tag xmlns:x="urn:z">kept<\/x:tag>/);
  });

  it('RFC 4918 §9.9.4: MOVE onto an existing file with Overwrite T → 204 and the content replaced', async () => {
    await alice.put('/src/new.txt', 'new');
    await alice.put('/dst/old.txt', 'old');
    expect((await alice.move('/src/new.txt', '/dst/old.txt')).status).toBe(204);
    expect(await text('/dst/old.txt')).toBe('new');
  });

  it('RFC 4918 §9.9.3: MOVE onto an existing resource with Overwrite F → 412, both untouched', async () => {
    await alice.put('/src/x.txt', 'x');
    await alice.put('/dst/x.txt', 'y');
    expect((await alice.move('/src/x.txt', '/dst/x.txt', { Overwrite: 'F' })).status).toBe(412);
    expect(await text('/src/x.txt')).toBe('x');
    expect(await text('/dst/x.txt')).toBe('y');
  });

  it('RFC 4918 §9.9.4: MOVE into a missing collection → 409', async () => {
    expect((await alice.move('/src/x.txt', '/nowhere/x.txt')).status).toBe(409);
    expect(await text('/src/x.txt')).toBe('x');
  });

  it('RFC 4918 §9.9.4: MOVE onto itself → 403', async () => {
    expect((await alice.move('/src/x.txt', '/src/x.txt')).status).toBe(403);
  });

  it('RFC 4918 §9.8.5: MOVE of a collection into itself → 409', async () => {
    expect((await alice.move('/src', '/src/inner')).status).toBe(409);
    expect((await alice.move('/src/', '/src/a/b/')).status).toBe(409);
  });

  it('RFC 4918 §9.9.4: MOVE onto a collection that contains the source (Overwrite T) → 409, nothing lost', async () => {
    await alice.mkcol('/anc');
    await alice.mkcol('/anc/b');
    await alice.put('/anc/b/f.txt', 'inside');
    await alice.put('/anc/sibling.txt', 'sibling');
    expect((await alice.move('/anc/b/f.txt', '/anc')).status).toBe(409);
    expect((await alice.move('/anc/b/f.txt', '/anc/b', { Overwrite: 'T' })).status).toBe(409);
    expect((await alice.move('/anc/b/f.txt', '/anc', { Overwrite: 'F' })).status).toBe(412);
    expect(await text('/anc/b/f.txt')).toBe('inside');
    expect(await text('/anc/sibling.txt')).toBe('sibling');
  });

  it('RFC 4918 §9.9: the root cannot be moved (403); a missing source → 404; no Destination → 400', async () => {
    expect((await alice.move('/', '/elsewhere')).status).toBe(403);
    expect((await alice.move('/src/none.txt', '/dst/none.txt')).status).toBe(404);
    expect((await alice.request('MOVE', '/src/x.txt')).status).toBe(400);
    expect((await alice.move('/src/x.txt', '/dst/z.txt', { Overwrite: 'maybe' })).status).toBe(400);
  });

  it('RFC 4918 §9.9.2: MOVE of a collection needs Depth infinity (400 otherwise)', async () => {
    await alice.mkcol('/src/dir');
    expect((await alice.move('/src/dir', '/dst/dir', { Depth: '0' })).status).toBe(400);
    expect((await alice.move('/src/dir', '/dst/dir', { Depth: '1' })).status).toBe(400);
  });

  it('ARCHITECTURE §2: moving a folder of nested files keeps every file readable under its new path', async () => {
    await alice.mkcol('/tree');
    await alice.mkcol('/tree/a');
    await alice.mkcol('/tree/a/b');
    const files = { '/tree/1.txt': 'one', '/tree/a/2.txt': 'two', '/tree/a/b/3.txt': 'three' };
    const ids: Record<string, string | undefined> = {};
    for (const [p, c] of Object.entries(files)) { await alice.put(p, c); ids[p] = await propOf(alice, p, FILEID); }
    expect((await alice.move('/tree', '/dst/moved-tree')).status).toBe(201);
    for (const [p, c] of Object.entries(files)) {
      const moved = p.replace('/tree/', '/dst/moved-tree/');
      expect(await text(moved), moved).toBe(c);
      expect(await propOf(alice, moved, FILEID)).toBe(ids[p]);
      expect((await alice.get(p)).status).toBe(404);
    }
    expect(await propOf(alice, '/dst/moved-tree/', '{http://owncloud.org/ns}size')).toBe(String(3 + 3 + 5));
  });

  it('RFC 4918 §9.9.4: MOVE of a folder onto an existing folder (Overwrite T) replaces it entirely', async () => {
    await alice.mkcol('/m1');
    await alice.put('/m1/only-in-m1.txt', '1');
    await alice.mkcol('/m2');
    await alice.put('/m2/only-in-m2.txt', '2');
    expect((await alice.move('/m1', '/m2')).status).toBe(204);
    expect(await text('/m2/only-in-m1.txt')).toBe('1');
    expect((await alice.get('/m2/only-in-m2.txt')).status).toBe(404);
  });
});

describe('Destination header (nextcloud-api §3.6, §8d.2)', () => {
  it('accepts a full URL, an absolute path, and a percent-encoded path', async () => {
    await alice.put('/src/d1.txt', 'd');
    expect((await alice.request('MOVE', '/src/d1.txt', { headers: { Destination: 'http://localhost/remote.php/dav/files/alice/dst/d2.txt' } })).status).toBe(201);
    expect((await alice.request('MOVE', '/dst/d2.txt', { headers: { Destination: '/remote.php/dav/files/alice/dst/d%203.txt' } })).status).toBe(201);
    expect(await text('/dst/d%203.txt')).toBe('d');
  });

  it('accepts the legacy /remote.php/webdav prefix (and /index.php in front)', async () => {
    expect((await alice.request('MOVE', '/dst/d%203.txt', { headers: { Destination: '/remote.php/webdav/dst/d4.txt' } })).status).toBe(201);
    expect((await alice.request('MOVE', '/dst/d4.txt', { headers: { Destination: 'http://localhost/index.php/remote.php/dav/files/alice/dst/d5.txt' } })).status).toBe(201);
    expect(await text('/dst/d5.txt')).toBe('d');
  });

  it('RFC 4918 §9.9.4: a Destination on another host → 502', async () => {
    expect((await alice.request('MOVE', '/dst/d5.txt', { headers: { Destination: 'http://elsewhere.example/remote.php/dav/files/alice/x' } })).status).toBe(502);
  });

  it('a Destination in another user\'s tree → 403 and nothing moves', async () => {
    const res = await alice.request('MOVE', '/dst/d5.txt', { headers: { Destination: '/remote.php/dav/files/bob/stolen.txt' } });
    expect(res.status).toBe(403);
    expect(await text('/dst/d5.txt')).toBe('d');
    const escape = await alice.request('COPY', '/dst/d5.txt', { headers: { Destination: '/remote.php/dav/files/alice/%2e%2e/bob/x.txt' } });
    expect(escape.status).toBe(403);
  });

  it('a malformed or encoded-slash Destination → 400', async () => {
    expect((await alice.request('MOVE', '/dst/d5.txt', { headers: { Destination: 'http://[bad' } })).status).toBe(400);
    expect((await alice.request('MOVE', '/dst/d5.txt', { headers: { Destination: '/remote.php/dav/files/alice/a%2Fb' } })).status).toBe(400);
  });
});

describe('COPY', () => {
  it('RFC 4918 §9.8.5: COPY to a new name → 201 with a new file id; both readable', async () => {
    await alice.put('/src/c.txt', 'copy me');
    await setTag('/src/c.txt', 'copied-tag');
    const res = await alice.copy('/src/c.txt', '/dst/c.txt');
    expect(res.status).toBe(201);
    expect(await text('/src/c.txt')).toBe('copy me');
    expect(await text('/dst/c.txt')).toBe('copy me');
    expect(await propOf(alice, '/dst/c.txt', FILEID)).not.toBe(await propOf(alice, '/src/c.txt', FILEID));
    expect(res.headers.get('OC-FileId')).toMatch(new RegExp(`^0*${await propOf(alice, '/dst/c.txt', FILEID)}occumulus$`));
  });

  it('RFC 4918 §9.8.2: COPY copies dead properties', async () => {
    expect(await (await alice.propfind('/dst/c.txt', null)).text()).toMatch(/<x:tag xmlns:x="urn:z">copied-tag<\/x:tag>/);
  });

  it('a copy owns its content: changing or deleting the source leaves the copy intact', async () => {
    await alice.put('/src/c.txt', 'changed');
    await alice.del('/src/c.txt');
    expect(await text('/dst/c.txt')).toBe('copy me');
  });

  it('RFC 4918 §9.8.5: COPY onto an existing file → 204; with Overwrite F → 412', async () => {
    await alice.put('/src/c2.txt', 'second');
    expect((await alice.copy('/src/c2.txt', '/dst/c.txt', { Overwrite: 'F' })).status).toBe(412);
    expect(await text('/dst/c.txt')).toBe('copy me');
    expect((await alice.copy('/src/c2.txt', '/dst/c.txt')).status).toBe(204);
    expect(await text('/dst/c.txt')).toBe('second');
  });

  it('RFC 4918 §9.8.3: COPY of a collection (Depth infinity) copies the subtree with sizes', async () => {
    await alice.mkcol('/ctree');
    await alice.mkcol('/ctree/sub');
    await alice.put('/ctree/sub/f.txt', '12345');
    expect((await alice.copy('/ctree', '/ctree-copy')).status).toBe(201);
    expect(await text('/ctree-copy/sub/f.txt')).toBe('12345');
    expect(await propOf(alice, '/ctree-copy/', '{http://owncloud.org/ns}size')).toBe('5');
    expect(await propOf(alice, '/ctree-copy/sub/', '{http://owncloud.org/ns}size')).toBe('5');
  });

  it('RFC 4918 §9.8.3: COPY of a collection with Depth 0 copies only the collection', async () => {
    expect((await alice.copy('/ctree', '/ctree-shallow', { Depth: '0' })).status).toBe(201);
    expect(await propOf(alice, '/ctree-shallow/', '{DAV:}resourcetype')).toBe('<d:collection/>');
    expect((await alice.propfind('/ctree-shallow/sub/', null)).status).toBe(404);
    expect(await propOf(alice, '/ctree-shallow/', '{http://owncloud.org/ns}size')).toBe('0');
  });

  it('RFC 4918 §9.8.5: COPY into itself → 409; onto itself → 403; into a missing parent → 409', async () => {
    expect((await alice.copy('/ctree', '/ctree/sub/again')).status).toBe(409);
    expect((await alice.copy('/ctree', '/ctree')).status).toBe(403);
    expect((await alice.copy('/ctree', '/missing/ctree')).status).toBe(409);
  });

  it('RFC 4918 §9.8.5: COPY onto a collection that contains the source (Overwrite T) → 409, nothing lost', async () => {
    expect((await alice.copy('/anc/b/f.txt', '/anc')).status).toBe(409);
    expect(await text('/anc/b/f.txt')).toBe('inside');
    expect(await text('/anc/sibling.txt')).toBe('sibling');
  });

  it('COPY leaves the source\'s ETag alone and gives the copy its own', async () => {
    const before = await etagOf(alice, '/ctree/sub/f.txt');
    await alice.copy('/ctree/sub/f.txt', '/ctree/sub/g.txt');
    expect(await etagOf(alice, '/ctree/sub/f.txt')).toBe(before);
    expect(await etagOf(alice, '/ctree/sub/g.txt')).not.toBe(before);
  });
});
