import { beforeAll, describe, expect, it } from 'vitest';
import { fileRows, makeUser, propOf, type DavClient } from '../helpers';

let alice: DavClient;
beforeAll(async () => {
  alice = await makeUser('alice');
});

describe('MKCOL', () => {
  it('RFC 4918 §9.3.1: creates a collection → 201 with OC-FileId and OC-ETag', async () => {
    const res = await alice.mkcol('/new');
    expect(res.status).toBe(201);
    const fileid = await propOf(alice, '/new/', '{http://owncloud.org/ns}id');
    expect(res.headers.get('OC-FileId')).toBe(fileid);
    expect(res.headers.get('OC-ETag')).toBe((await propOf(alice, '/new/', '{DAV:}getetag'))!.replaceAll('&quot;', '"'));
    expect(await propOf(alice, '/new', '{DAV:}resourcetype')).toBe('<d:collection/>');
  });

  it('RFC 4918 §9.3.1: MKCOL on an existing collection → 405', async () => {
    expect((await alice.mkcol('/new')).status).toBe(405);
    expect((await alice.mkcol('/new/')).status).toBe(405);
  });

  it('RFC 4918 §9.3.1: MKCOL on an existing file → 405', async () => {
    await alice.put('/file.txt', 'x');
    expect((await alice.mkcol('/file.txt')).status).toBe(405);
  });

  it('RFC 4918 §9.3.1: MKCOL of the root → 405', async () => {
    expect((await alice.mkcol('/')).status).toBe(405);
  });

  it('RFC 4918 §9.3.1: MKCOL with missing intermediate collections → 409 and nothing created', async () => {
    const res = await alice.mkcol('/a/b/c');
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('<d:error');
    const rows = await fileRows('alice');
    expect([...rows.keys()].filter((p) => p.startsWith('a'))).toEqual([]);
  });

  it('RFC 4918 §9.3.1: MKCOL below a file → 409', async () => {
    expect((await alice.mkcol('/file.txt/sub')).status).toBe(409);
  });

  it('RFC 4918 §9.3: MKCOL with a body it does not understand → 415, nothing created', async () => {
    const res = await alice.request('MKCOL', '/withbody', { body: '<x/>', headers: { 'Content-Type': 'application/xml' } });
    expect(res.status).toBe(415);
    expect((await alice.propfind('/withbody', null)).status).toBe(404);
  });

  it('RFC 4918 §9.3: a nested collection can be made once its parent exists', async () => {
    expect((await alice.mkcol('/new/child')).status).toBe(201);
    expect((await alice.mkcol('/new/child/grandchild')).status).toBe(201);
    expect(await propOf(alice, '/new/child/grandchild/', '{DAV:}resourcetype')).toBe('<d:collection/>');
  });
});
