import { beforeAll, describe, expect, it } from 'vitest';
import { blobKeys, etagOf, fileRows, makeUser, propOf, streamOf, patternBytes, type DavClient } from '../helpers';

// 1000 bytes of quota: small enough that every refusal is cheap to provoke.
let quinn: DavClient;
beforeAll(async () => {
  quinn = await makeUser('quinn', 'correct horse battery', { quota: 1000 });
  await quinn.mkcol('/dir');
});

const used = async () => Number(await propOf(quinn, '/', '{DAV:}quota-used-bytes'));
const available = async () => Number(await propOf(quinn, '/', '{DAV:}quota-available-bytes'));

async function unchanged<T>(op: () => Promise<T>): Promise<T> {
  const [rows, blobs, rootEtag] = [await fileRows('quinn'), await blobKeys(), await etagOf(quinn, '/')];
  const out = await op();
  expect(await fileRows('quinn')).toEqual(rows);
  expect(await blobKeys()).toEqual(blobs);
  expect(await etagOf(quinn, '/')).toBe(rootEtag);
  return out;
}

describe('quota (RFC 4331, nextcloud-api §3.6)', () => {
  it('a PUT that fits → 201 and the used bytes grow by its size', async () => {
    expect((await quinn.put('/dir/a.bin', 'a'.repeat(600))).status).toBe(201);
    expect(await used()).toBe(600);
    expect(await available()).toBe(400);
  });

  it('RFC 4918 §9.7.1: a PUT larger than the free space → 507 with a DAV error, and nothing is stored', async () => {
    const res = await unchanged(() => quinn.put('/dir/b.bin', 'b'.repeat(401)));
    expect(res.status).toBe(507);
    expect(await res.text()).toContain('InsufficientStorage');
    expect((await quinn.get('/dir/b.bin')).status).toBe(404);
  });

  it('a chunked PUT (no Content-Length) that outgrows the free space → 507, no row and no blob left', async () => {
    const res = await unchanged(() => quinn.put('/dir/c.bin', streamOf(patternBytes(5000), 300)));
    expect(res.status).toBe(507);
  });

  it('a PUT that exactly fills the quota is accepted', async () => {
    expect((await quinn.put('/dir/exact.bin', 'e'.repeat(400))).status).toBe(201);
    expect(await available()).toBe(0);
    expect((await quinn.put('/dir/one-more.bin', 'x')).status).toBe(507);
  });

  it('an overwrite counts only the difference: a full account can replace a file with one of the same size', async () => {
    expect((await quinn.put('/dir/a.bin', 'A'.repeat(600))).status).toBe(204);
    expect(await used()).toBe(1000);
    expect((await quinn.put('/dir/a.bin', 'A'.repeat(601))).status).toBe(507);
    expect(await (await quinn.get('/dir/a.bin')).text()).toBe('A'.repeat(600));
  });

  it('an overwrite with smaller content frees the difference', async () => {
    expect((await quinn.put('/dir/a.bin', 'small')).status).toBe(204);
    expect(await used()).toBe(405);
    expect(await propOf(quinn, '/dir/', '{http://owncloud.org/ns}size')).toBe('405');
  });

  it('RFC 4918 §9.8.5: a COPY that does not fit → 507 and no copy appears', async () => {
    expect((await quinn.put('/dir/big.bin', 'g'.repeat(500))).status).toBe(201);
    const res = await unchanged(() => quinn.copy('/dir/big.bin', '/dir/big-copy.bin'));
    expect(res.status).toBe(507);
    const folder = await unchanged(() => quinn.copy('/dir', '/dir2'));
    expect(folder.status).toBe(507);
    expect((await quinn.propfind('/dir2', null)).status).toBe(404);
  });

  it('a COPY that overwrites counts only the difference', async () => {
    // 905 used; replacing big.bin (500) by a copy of exact.bin (400) frees 100.
    expect((await quinn.copy('/dir/exact.bin', '/dir/big.bin')).status).toBe(204);
    expect(await used()).toBe(805);
  });

  it('a MOVE costs no quota: it is metadata only', async () => {
    expect((await quinn.put('/dir/fill.bin', 'f'.repeat(195))).status).toBe(201);
    expect(await available()).toBe(0);
    expect((await quinn.mkcol('/moved')).status).toBe(201);
    expect((await quinn.move('/dir', '/moved/dir')).status).toBe(201);
    expect(await used()).toBe(1000);
  });

  it('a DELETE gives the space back', async () => {
    expect((await quinn.del('/moved/dir/fill.bin')).status).toBe(204);
    expect(await used()).toBe(805);
    expect(await available()).toBe(195);
  });
});
