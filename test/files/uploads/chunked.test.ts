import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { blobKeys, callWorkerDirectly, digestHex, disconnectingStream, etagOf, fileRows, makeUser, patternBytes, propOf, responses, type DavClient } from '../../helpers';
import { SEGMENT_BYTES } from '../../../worker/files/blobs';
import { chunkBlobKeys, chunkRows, concat, same, uploadCount, uploadsOf } from './client';

let carol: DavClient;
let up: ReturnType<typeof uploadsOf>;
beforeAll(async () => {
  carol = await makeUser('carol');
  up = uploadsOf(carol);
  await carol.mkcol('/docs');
});

const KiB = 1024;
const bytesOf = async (res: Response) => new Uint8Array(await res.arrayBuffer());

/** Everything a failed completion must leave as it was: file rows, blobs, the root ETag, the upload. */
async function unchanged<T>(id: string, op: () => Promise<T>): Promise<T> {
  const before = [await fileRows('carol'), await blobKeys(), await etagOf(carol, '/'), await chunkRows('carol', id)];
  const out = await op();
  expect([await fileRows('carol'), await blobKeys(), await etagOf(carol, '/'), await chunkRows('carol', id)]).toEqual(before);
  return out;
}

describe('chunked upload v2 (nextcloud-api §3.7)', () => {
  const a = patternBytes(300 * KiB + 7, 1);
  const b = patternBytes(1 * KiB + 3, 2);
  const c = patternBytes(123 * KiB, 3);
  const whole = concat(a, b, c);

  it('MKCOL with Destination and OC-Total-Length → exactly 201', async () => {
    const res = await up.mkcol('happy', { Destination: carol.base + '/docs/big.bin', 'OC-Total-Length': String(whole.byteLength) });
    expect(res.status).toBe(201);
    expect((await up.mkcol('happy')).status).toBe(405);
  });

  it('three uneven chunks sent in parallel and out of order → 201 each; PROPFIND lists them with their sizes', async () => {
    const sent = await Promise.all([up.put('happy', '00003', c), up.put('happy', '00001', a), up.put('happy', '00002', b)]);
    expect(sent.map((r) => r.status)).toEqual([201, 201, 201]);
    const res = await up.propfind('happy');
    expect(res.status).toBe(207);
    const listing = responses(await res.text());
    const href = new URL(up.url('happy')).pathname;
    expect([...listing.keys()]).toEqual([`${href}/`, `${href}/00001`, `${href}/00002`, `${href}/00003`]);
    expect(listing.get(`${href}/00001`)).toContain(`<d:getcontentlength>${a.byteLength}</d:getcontentlength>`);
    expect(listing.get(`${href}/00003`)).toContain(`<d:getcontentlength>${c.byteLength}</d:getcontentlength>`);
  });

  it('MOVE of .file → 201 with OC-FileId, OC-ETag, ETag, X-OC-MTime; the content is the chunks in order; no R2 object is written', async () => {
    const objectsBefore = await blobKeys();
    const res = await up.finish('happy', '/docs/big.bin', { 'OC-Total-Length': String(whole.byteLength), 'X-OC-Mtime': '1700000000' });
    expect(res.status).toBe(201);
    expect(res.headers.get('OC-FileId')).toMatch(/^\d{8,}occumulus$/);
    expect(res.headers.get('ETag')).toMatch(/^"[0-9a-f]+"$/);
    expect(res.headers.get('OC-ETag')).toBe(res.headers.get('ETag'));
    expect(res.headers.get('X-OC-MTime')).toBe('accepted');
    // Metadata only: the chunks' blobs became the file's segments, nothing was copied.
    expect(await blobKeys()).toEqual(objectsBefore);
    expect(same(await bytesOf(await carol.get('/docs/big.bin')), whole)).toBe(true);
    expect(await etagOf(carol, '/docs/big.bin')).toBe(res.headers.get('ETag'));
    expect(await propOf(carol, '/docs/big.bin', '{DAV:}getlastmodified')).toBe(new Date(1_700_000_000_000).toUTCString());
    expect(Number(await propOf(carol, '/', '{http://owncloud.org/ns}size'))).toBe(whole.byteLength);
  });

  it('after the MOVE the upload folder is gone, and its chunk rows with it', async () => {
    expect((await up.propfind('happy')).status).toBe(404);
    expect(await chunkRows('carol', 'happy')).toEqual(new Map());
    expect(await uploadCount('carol')).toBe(0);
  });

  it('a range read across chunk boundaries is served from both segments', async () => {
    const res = await carol.get('/docs/big.bin', { Range: `bytes=${a.byteLength - 10}-${a.byteLength + b.byteLength + 9}` });
    expect(res.status).toBe(206);
    expect(same(await bytesOf(res), whole.slice(a.byteLength - 10, a.byteLength + b.byteLength + 10))).toBe(true);
  });

  it('v1 form: MKCOL without Destination, 0-based 8-digit names as desktop 3.7 sends them, a tiny last chunk', async () => {
    expect((await up.mkcol('4242', { 'OC-Total-Length': '5' })).status).toBe(201);
    expect((await up.put('4242', '00000001', 'lo', { 'OC-Chunk-Offset': '3' })).status).toBe(201);
    expect((await up.put('4242', '00000000', 'hel', { 'OC-Chunk-Offset': '0' })).status).toBe(201);
    const res = await up.finish('4242', '/docs/hello.txt', { 'OC-Total-Length': '5' });
    expect(res.status).toBe(201);
    expect(await (await carol.get('/docs/hello.txt')).text()).toBe('hello');
  });

  it('natural order: chunk 10 comes after chunk 9 even without zero padding', async () => {
    await up.mkcol('natural');
    const parts = Array.from({ length: 11 }, (_, i) => `<${i}>`);
    for (let i = 10; i >= 0; i--) expect((await up.put('natural', String(i), parts[i])).status).toBe(201);
    expect((await up.finish('natural', '/docs/natural.txt')).status).toBe(201);
    expect(await (await carol.get('/docs/natural.txt')).text()).toBe(parts.join(''));
  });

  it('a chunk streams into R2 as one blob, however large; the chunks\' blobs become the file\'s segments, in order', async () => {
    const big = patternBytes(SEGMENT_BYTES + 12_345, 9);
    const tail = patternBytes(777, 10);
    await up.mkcol('multi');
    expect((await up.put('multi', '00002', tail)).status).toBe(201);
    expect((await up.put('multi', '00001', big)).status).toBe(201);
    const keys = await chunkBlobKeys('carol', 'multi');
    expect(keys).toHaveLength(2); // nothing hashes a plain chunk: no JavaScript between the body and R2
    const objects = await blobKeys();
    expect((await up.finish('multi', '/docs/multi.bin', { 'OC-Total-Length': String(big.byteLength + tail.byteLength) })).status).toBe(201);
    expect(await blobKeys()).toEqual(objects);
    const row = await env.DB.prepare("SELECT segments FROM files WHERE owner = 'carol' AND path = 'docs/multi.bin'").first<{ segments: string }>();
    expect((JSON.parse(row!.segments) as [string, number][]).map(([k]) => k).sort()).toEqual([...keys].sort());
    expect(same(await bytesOf(await carol.get('/docs/multi.bin')), concat(big, tail))).toBe(true);
  });

  it('a chunk with its own OC-Checksum is hashed on the way, streamed into one blob; a wrong one leaves no blob', async () => {
    const big = patternBytes(SEGMENT_BYTES + 999, 11);
    await up.mkcol('summed');
    const objects = await blobKeys();
    expect((await up.put('summed', '1', big, { 'OC-Checksum': `SHA1:${'0'.repeat(40)}` })).status).toBe(400);
    expect(await blobKeys()).toEqual(objects);
    expect((await up.put('summed', '1', big, { 'OC-Checksum': `SHA1:${await digestHex('SHA-1', big)}` })).status).toBe(201);
    expect(await chunkBlobKeys('carol', 'summed')).toHaveLength(1);
  });

  it('a chunk whose client goes away mid-body → 400, no chunk and no blob left', async () => {
    await up.mkcol('gone');
    const objects = await blobKeys();
    const res = await callWorkerDirectly(new Request(`http://localhost/remote.php/dav/uploads/carol/gone/1`, {
      method: 'PUT', headers: { Authorization: carol.auth, 'Content-Length': '200000' }, body: disconnectingStream(patternBytes(50_000)),
    }));
    expect(res.status).toBe(400);
    expect(await chunkRows('carol', 'gone')).toEqual(new Map());
    expect(await blobKeys()).toEqual(objects);
  });

  it('a re-sent chunk replaces the earlier one, whose blob is deleted', async () => {
    await up.mkcol('resend');
    expect((await up.put('resend', '1', 'AAAA')).status).toBe(201);
    expect((await up.put('resend', '2', 'bb')).status).toBe(201);
    const firstKey = (await chunkRows('carol', 'resend')).get('1')!;
    expect(await blobKeys()).toContain(firstKey);
    expect((await up.put('resend', '1', 'aa')).status).toBe(204);
    const secondKey = (await chunkRows('carol', 'resend')).get('1')!;
    expect(secondKey).not.toBe(firstKey);
    expect(await blobKeys()).not.toContain(firstKey);
    expect((await up.finish('resend', '/docs/resend.txt', { 'OC-Total-Length': '4' })).status).toBe(201);
    expect(await (await carol.get('/docs/resend.txt')).text()).toBe('aabb');
  });
});

describe('completion refused, with nothing visible', () => {
  beforeAll(async () => {
    await up.mkcol('bad', { 'OC-Total-Length': '9' });
    await Promise.all([up.put('bad', '1', 'abc'), up.put('bad', '2', 'def'), up.put('bad', '3', 'ghi')]);
  });

  it('a wrong OC-Total-Length → 400', async () => {
    const res = await unchanged('bad', () => up.finish('bad', '/docs/bad.txt', { 'OC-Total-Length': '10' }));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('do not sum up to 10 but to 9 bytes');
    expect((await carol.get('/docs/bad.txt')).status).toBe(404);
  });

  it('a wrong OC-Checksum → 400', async () => {
    const res = await unchanged('bad', () => up.finish('bad', '/docs/bad.txt', { 'OC-Checksum': `SHA1:${'0'.repeat(40)}` }));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('checksum does not match');
  });

  it('a missing chunk (a gap in the numbering) → 400, even with a matching total', async () => {
    await up.mkcol('gap');
    await Promise.all([up.put('gap', '1', 'abc'), up.put('gap', '3', 'ghi')]);
    const res = await unchanged('gap', () => up.finish('gap', '/docs/gap.txt', { 'OC-Total-Length': '6' }));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Chunks are missing');
  });

  it('a missing first chunk → 400', async () => {
    await up.mkcol('nofirst');
    await up.put('nofirst', '2', 'def');
    expect((await unchanged('nofirst', () => up.finish('nofirst', '/docs/nofirst.txt'))).status).toBe(400);
  });

  it('the right checksum (md5, any case) completes it and is stored with a SHA1', async () => {
    const md5 = await digestHex('MD5', 'abcdefghi');
    const res = await up.finish('bad', '/docs/good.txt', { 'OC-Checksum': `md5:${md5.toUpperCase()}`, 'OC-Total-Length': '9' });
    expect(res.status).toBe(201);
    expect(await propOf(carol, '/docs/good.txt', '{http://owncloud.org/ns}checksums'))
      .toBe(`<oc:checksum>SHA1:${await digestHex('SHA-1', 'abcdefghi')} MD5:${md5}</oc:checksum>`);
  });
});

describe('preconditions on the destination', () => {
  it('MOVE onto an existing file with the right If-Match → 204; the file keeps its fileid and the old blob becomes a version', async () => {
    expect((await carol.put('/docs/target.txt', 'old content')).status).toBe(201);
    const etag = (await etagOf(carol, '/docs/target.txt'))!;
    const fileid = await propOf(carol, '/docs/target.txt', '{http://owncloud.org/ns}fileid');
    const oldKey = JSON.parse((await env.DB.prepare("SELECT segments FROM files WHERE owner='carol' AND path='docs/target.txt'").first<{ segments: string }>())!.segments)[0][0];
    await up.mkcol('over');
    await up.put('over', '1', 'new ');
    await up.put('over', '2', 'content');
    expect((await up.finish('over', '/docs/target.txt', { 'If-Match': '"nope"' })).status).toBe(412);
    const res = await up.finish('over', '/docs/target.txt', { 'If-Match': etag });
    expect(res.status).toBe(204);
    expect(await (await carol.get('/docs/target.txt')).text()).toBe('new content');
    expect(await propOf(carol, '/docs/target.txt', '{http://owncloud.org/ns}fileid')).toBe(fileid);
    // The replaced content is kept as a version that points at the same blob (files_versions).
    const version = await env.DB.prepare('SELECT etag, segments FROM file_versions WHERE fileid = ?').bind(Number(fileid)).first<{ etag: string; segments: string }>();
    expect(JSON.parse(version!.segments)[0][0]).toBe(oldKey);
    expect(`"${version!.etag}"`).toBe(etag);
    expect(await (await env.FILES.get(oldKey))!.text()).toBe('old content');
  });

  it('the desktop form: If: </remote.php/dav/files/…> (["etag"]) with a path Destination; a stale ETag → 412', async () => {
    const etag = (await etagOf(carol, '/docs/target.txt'))!;
    const destPath = '/remote.php/dav/files/carol/docs/target.txt';
    await up.mkcol('desk');
    await up.put('desk', '00000000', 'desktop');
    const stale = await up.finish('desk', '', { Destination: destPath, If: `<${destPath}> (["stale"])` });
    expect(stale.status).toBe(412);
    const res = await up.finish('desk', '', { Destination: destPath, If: `<${destPath}> ([${etag}])`, 'OC-Total-Length': '7' });
    expect(res.status).toBe(204);
    expect(await (await carol.get('/docs/target.txt')).text()).toBe('desktop');
  });

  it('If-None-Match: * onto an existing file → 412; Overwrite: F → 412', async () => {
    await up.mkcol('nm');
    await up.put('nm', '1', 'x');
    expect((await up.finish('nm', '/docs/target.txt', { 'If-None-Match': '*' })).status).toBe(412);
    expect((await up.finish('nm', '/docs/target.txt', { Overwrite: 'F' })).status).toBe(412);
    expect((await up.finish('nm', '/missing/x.txt')).status).toBe(409);
    expect((await up.finish('nm', '/docs')).status).toBe(409);
  });
});

describe('DELETE and ownership', () => {
  it('DELETE of the upload folder removes its chunks and their blobs', async () => {
    await up.mkcol('abort');
    await Promise.all([up.put('abort', '1', 'one'), up.put('abort', '2', 'two')]);
    const keys = await chunkBlobKeys('carol', 'abort');
    expect((await up.del('abort')).status).toBe(204);
    expect(await chunkRows('carol', 'abort')).toEqual(new Map());
    const left = await blobKeys();
    expect(keys.filter((k) => left.includes(k))).toEqual([]);
    expect((await up.propfind('abort')).status).toBe(404);
  });

  it('DELETE of one chunk removes it and its blob', async () => {
    await up.mkcol('one');
    await up.put('one', '1', 'one');
    const key = (await chunkRows('carol', 'one')).get('1')!;
    expect((await up.del('one', '1')).status).toBe(204);
    expect(await blobKeys()).not.toContain(key);
  });

  it("another user's upload folder → 403 for every method, and nothing is stored", async () => {
    const mallory = await makeUser('mallory');
    const intruder = uploadsOf(mallory, 'carol');
    const before = [await blobKeys(), await chunkRows('carol', 'one'), await uploadCount('mallory')];
    expect((await intruder.put('one', '2', 'evil')).status).toBe(403);
    expect((await intruder.mkcol('mine')).status).toBe(403);
    expect((await intruder.propfind('one')).status).toBe(403);
    expect((await intruder.del('one')).status).toBe(403);
    expect((await intruder.finish('one', '/stolen.txt')).status).toBe(403);
    expect([await blobKeys(), await chunkRows('carol', 'one'), await uploadCount('mallory')]).toEqual(before);
  });

  it('a chunk with a wrong OC-Checksum → 400 and no blob; with the right one → 201', async () => {
    await up.mkcol('sum');
    const blobs = await blobKeys();
    expect((await up.put('sum', '1', 'payload', { 'OC-Checksum': `SHA1:${'f'.repeat(40)}` })).status).toBe(400);
    expect(await blobKeys()).toEqual(blobs);
    expect((await up.put('sum', '1', 'payload', { 'OC-Checksum': `SHA1:${await digestHex('SHA-1', 'payload')}` })).status).toBe(201);
    expect((await up.put('sum', '2', 'x', { 'OC-Checksum': 'garbage' })).status).toBe(400);
  });

  it('PROPFIND of the uploads home lists the upload folders in progress', async () => {
    const res = await carol.request('PROPFIND', `${up.base}/`, { headers: { Depth: '1' } });
    expect(res.status).toBe(207);
    const hrefs = [...responses(await res.text()).keys()];
    expect(hrefs).toContain(`${new URL(up.url('sum')).pathname}/`);
  });

  it('a chunk without Content-Length → 411 (never a 413: the desktop client blacklists a file on 413)', async () => {
    const body = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('abc')); c.close(); } });
    expect((await up.put('sum', '3', body)).status).toBe(411);
  });

  it('a chunk outside an upload folder, a chunk named .file, or a folder inside an upload → 4xx', async () => {
    expect((await carol.request('PUT', `${up.base}/stray`, { body: 'x' })).status).toBe(403);
    expect((await up.put('one', '.file', 'x')).status).toBe(403);
    expect((await carol.request('MKCOL', `${up.url('one')}/sub`)).status).toBe(403);
    expect((await up.put('nowhere', '1', 'x')).status).toBe(409);
  });
});
