import { beforeAll, describe, expect, it } from 'vitest';
import { blobKeys, digestHex, etagOf, makeUser, patternBytes, propOf, streamOf, type DavClient } from '../../helpers';
import { concat, same } from './client';

let bob: DavClient;
beforeAll(async () => {
  bob = await makeUser('bob');
  await bob.mkcol('/docs');
  await bob.mkcol('/Ünïcødé Földer');
});

const encoder = new TextEncoder();
const BOUNDARY = 'boundary_bf38b9b4b10a303a28ed075624db3978';

/** A multipart/related body as the desktop client's PutMultiFileJob writes it (CRLF everywhere). */
function multipart(parts: { headers: Record<string, string>; body: Uint8Array }[], closing = true): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const p of parts) {
    const head = Object.entries({ 'Content-Length': String(p.body.byteLength), ...p.headers }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    chunks.push(encoder.encode(`--${BOUNDARY}\r\n${head}\r\n`), p.body, encoder.encode('\r\n'));
  }
  if (closing) chunks.push(encoder.encode(`--${BOUNDARY}--\r\n`));
  return concat(...chunks);
}

function post(body: BodyInit) {
  return bob.request('POST', 'http://localhost/remote.php/dav/bulk', {
    body, headers: { 'Content-Type': `multipart/related; boundary=${BOUNDARY}` },
  });
}

describe('bulk upload (POST /remote.php/dav/bulk, nextcloud-api §3.8)', () => {
  const small = encoder.encode('small file');
  const big = patternBytes(1024 * 1024 + 333, 5);
  const unicode = encoder.encode('ünïcødé');
  const wrong = encoder.encode('this content does not match its checksum');

  it('stores several files streamed in odd-sized pieces; each part gets its result, a wrong checksum fails only its part', async () => {
    const blobsBefore = (await blobKeys()).length;
    const body = multipart([
      { headers: { 'X-File-Path': '/docs/small.txt', 'X-File-Mtime': '1700000000', 'OC-Checksum': `md5:${await digestHex('MD5', small)}` }, body: small },
      { headers: { 'X-File-Path': '/docs/big.bin', 'X-File-Mtime': '1700000001', 'X-File-MD5': await digestHex('MD5', big) }, body: big },
      { headers: { 'X-File-Path': '/docs/wrong.txt', 'X-File-Mtime': '1700000002', 'OC-Checksum': `md5:${'0'.repeat(32)}` }, body: wrong },
      { headers: { 'X-File-Path': '/Ünïcødé Földer/a b.txt', 'X-File-Mtime': '1700000003', 'OC-Checksum': `MD5:${await digestHex('MD5', unicode)}` }, body: unicode },
      { headers: { 'X-File-Path': '/no such folder/x.txt', 'X-File-Mtime': '1700000004' }, body: small },
    ]);
    const res = await post(streamOf(body, 4093));
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toContain('application/json');
    const json = await res.json<Record<string, Record<string, unknown>>>();
    expect(Object.keys(json)).toEqual(['/docs/small.txt', '/docs/big.bin', '/docs/wrong.txt', '/Ünïcødé Földer/a b.txt', '/no such folder/x.txt']);
    for (const p of ['/docs/small.txt', '/docs/big.bin', '/Ünïcødé Földer/a b.txt']) {
      expect(json[p]).toEqual({ error: false, etag: expect.stringMatching(/^[0-9a-f]+$/), fileid: expect.stringMatching(/^\d{8,}occumulus$/), permissions: 'RGDNVW' });
      expect(`"${json[p].etag}"`).toBe(await etagOf(bob, p));
    }
    expect(json['/docs/wrong.txt']).toEqual({ error: true, message: expect.stringContaining('checksum does not match') });
    expect(json['/no such folder/x.txt']).toEqual({ error: true, message: expect.stringContaining('parent folder does not exist') });
    expect(await (await bob.get('/docs/small.txt')).text()).toBe('small file');
    expect(same(new Uint8Array(await (await bob.get('/docs/big.bin')).arrayBuffer()), big)).toBe(true);
    expect(await (await bob.get('/Ünïcødé Földer/a b.txt')).text()).toBe('ünïcødé');
    expect((await bob.get('/docs/wrong.txt')).status).toBe(404);
    expect(await propOf(bob, '/docs/big.bin', '{DAV:}getlastmodified')).toBe(new Date(1_700_000_001_000).toUTCString());
    // One blob per stored file, none for the refused ones.
    expect((await blobKeys()).length).toBe(blobsBefore + 3);
  });

  it('regression: 100 parts over nested folders, stored concurrently, all succeed (no "parent folder does not exist")', async () => {
    const folders = ['/deep', '/deep/a', '/deep/a/b', '/with space', '/with space/and more'];
    for (const f of folders) expect((await bob.mkcol(f)).status).toBe(201);
    const parts = Array.from({ length: 100 }, (_, i) => ({
      headers: { 'X-File-Path': `${folders[i % folders.length]}/f${i}.txt`, 'X-File-Mtime': String(1700000000 + i) },
      body: patternBytes(1 + (i * 37) % 4096, i + 1),
    }));
    const json = await (await post(multipart(parts))).json<Record<string, { error: boolean; message?: string }>>();
    expect(Object.values(json).filter((r) => r.error)).toEqual([]);
    expect(Object.keys(json)).toHaveLength(100);
    expect(Number(await propOf(bob, '/deep/a', '{http://owncloud.org/ns}size'))).toBe(
      parts.filter((p) => p.headers['X-File-Path'].startsWith('/deep/a/')).reduce((n, p) => n + p.body.byteLength, 0));
  });

  it('a part for an existing path replaces it (no If-Match, as Nextcloud)', async () => {
    const body = multipart([{ headers: { 'X-File-Path': '/docs/small.txt', 'X-File-Mtime': '1700000100' }, body: encoder.encode('replaced') }]);
    const json = await (await post(body)).json<Record<string, { error: boolean }>>();
    expect(json['/docs/small.txt'].error).toBe(false);
    expect(await (await bob.get('/docs/small.txt')).text()).toBe('replaced');
  });

  it('an empty part makes an empty file; a bad mtime fails only its part', async () => {
    const body = multipart([
      { headers: { 'X-File-Path': '/docs/empty.txt', 'X-File-Mtime': '1700000000' }, body: new Uint8Array(0) },
      { headers: { 'X-File-Path': '/docs/badtime.txt', 'X-File-Mtime': 'yesterday' }, body: small },
    ]);
    const json = await (await post(body)).json<Record<string, { error: boolean; message?: string }>>();
    expect(json['/docs/empty.txt'].error).toBe(false);
    expect(json['/docs/badtime.txt']).toEqual({ error: true, message: 'Invalid X-OC-Mtime header' });
    expect(await propOf(bob, '/docs/empty.txt', '{DAV:}getcontentlength')).toBe('0');
  });

  it('a body that breaks the framing → 400 with the results of the parts before it', async () => {
    const good = multipart([{ headers: { 'X-File-Path': '/docs/before.txt' }, body: small }], false);
    const broken = concat(good, encoder.encode(`--${BOUNDARY}\r\nX-File-Path: /docs/after.txt\r\n\r\nno length`));
    const res = await post(broken);
    expect(res.status).toBe(400);
    expect(Object.keys(await res.json<object>())).toEqual(['/docs/before.txt']);
    expect((await bob.get('/docs/after.txt')).status).toBe(404);
  });

  it('a part shorter than the body left → 400; a body cut inside a part → 400, its file not stored', async () => {
    const cut = multipart([{ headers: { 'X-File-Path': '/docs/cut.txt' }, body: big }]).slice(0, 5000);
    expect((await post(cut)).status).toBe(400);
    expect((await bob.get('/docs/cut.txt')).status).toBe(404);
  });

  it('not multipart/related → 400; GET → 405', async () => {
    const res = await bob.request('POST', 'http://localhost/remote.php/dav/bulk', { body: 'x', headers: { 'Content-Type': 'text/plain' } });
    expect(res.status).toBe(400);
    expect((await bob.request('GET', 'http://localhost/remote.php/dav/bulk')).status).toBe(405);
  });

  it('needs authentication like every DAV route', async () => {
    const res = await bob.request('POST', 'http://localhost/remote.php/dav/bulk', { headers: { Authorization: 'Basic ' + btoa('bob:wrong') } });
    expect(res.status).toBe(401);
  });
});
