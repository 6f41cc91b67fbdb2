import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { SEGMENT_BYTES } from '../../worker/files/blobs';
import { blobKeys, callWorkerDirectly, digestHex, disconnectingStream, etagOf, fileRows, makeUser, patternBytes, propsOf, propValue, streamOf, type DavClient } from '../helpers';

let alice: DavClient;
beforeAll(async () => {
  alice = await makeUser('alice');
  await alice.mkcol('/up');
});

const MiB = 1024 * 1024;
const same = (a: Uint8Array, b: Uint8Array) => a.byteLength === b.byteLength && a.every((x, i) => x === b[i]);
const bytesOf = async (res: Response) => new Uint8Array(await res.arrayBuffer());

describe('PUT of a body without Content-Length (chunked)', () => {
  it('RFC 9112 §7.1: a small chunked body is stored exactly', async () => {
    const data = patternBytes(5000, 3);
    const res = await alice.put('/up/small.bin', streamOf(data, 777));
    expect(res.status).toBe(201);
    expect(same(await bytesOf(await alice.get('/up/small.bin')), data)).toBe(true);
  });

  it('ARCHITECTURE §1: a body larger than a segment spans several segments and reads back whole, with the right size and SHA1', async () => {
    const data = patternBytes(33 * MiB + 12345, 11);
    const res = await alice.put('/up/big.bin', streamOf(data, 1 * MiB + 17));
    expect(res.status).toBe(201);
    const row = await env.DB.prepare("SELECT segments FROM files WHERE owner = 'alice' AND path = 'up/big.bin'").first<{ segments: string }>();
    expect(JSON.parse(row!.segments).length).toBe(Math.ceil(data.byteLength / SEGMENT_BYTES));
    const got = await bytesOf(await alice.get('/up/big.bin'));
    expect(same(got, data)).toBe(true);
    const block = [...(await propsOf(alice, '/up/big.bin', ['{DAV:}getcontentlength', '{http://owncloud.org/ns}checksums'])).values()][0];
    expect(propValue(block, 'd:getcontentlength')).toBe(String(data.byteLength));
    expect(propValue(block, 'oc:checksums')).toContain(`SHA1:${await digestHex('SHA-1', data)}`);
  });

  it('a large body with Content-Length streams into one blob, hashed on the way through two reused buffers: stored exactly, its OC-Checksum verified', async () => {
    const data = patternBytes(4 * SEGMENT_BYTES + 4321, 5);
    const sha1 = await digestHex('SHA-1', data);
    const res = await alice.put('/up/sized.bin', data, { 'OC-Checksum': `SHA1:${sha1}` });
    expect(res.status).toBe(201);
    const row = await env.DB.prepare("SELECT segments FROM files WHERE owner = 'alice' AND path = 'up/sized.bin'").first<{ segments: string }>();
    expect(JSON.parse(row!.segments)).toEqual([[expect.any(String), data.byteLength]]);
    expect(same(await bytesOf(await alice.get('/up/sized.bin')), data)).toBe(true);
    const block = [...(await propsOf(alice, '/up/sized.bin', ['{http://owncloud.org/ns}checksums'])).values()][0];
    expect(propValue(block, 'oc:checksums')).toContain(`SHA1:${sha1}`);
    // A wrong checksum over the same segments is refused and stores nothing.
    const wrong = await alice.put('/up/sized-wrong.bin', data, { 'OC-Checksum': `SHA1:${'0'.repeat(40)}` });
    expect(wrong.status).toBe(400);
    expect((await alice.get('/up/sized-wrong.bin')).status).toBe(404);
  });

  it('a large body with Content-Length whose client goes away after 1.5 pieces → 400, nothing stored, no blob left', async () => {
    const before = await blobKeys();
    const res = await callWorkerDirectly(new Request('http://localhost/remote.php/dav/files/alice/up/cut.bin', {
      method: 'PUT', headers: { Authorization: alice.auth, 'Content-Length': String(3 * SEGMENT_BYTES) }, body: disconnectingStream(patternBytes(SEGMENT_BYTES + SEGMENT_BYTES / 2, 9)),
    }));
    expect(res.status).toBe(400);
    expect((await alice.get('/up/cut.bin')).status).toBe(404);
    expect(await blobKeys()).toEqual(before);
  });

  it('RFC 9110 §14: a range that crosses a segment boundary is served from both segments', async () => {
    const data = patternBytes(33 * MiB + 12345, 11);
    const boundary = SEGMENT_BYTES;
    const res = await alice.get('/up/big.bin', { Range: `bytes=${boundary - 100}-${boundary + 99}` });
    expect(res.status).toBe(206);
    expect(same(await bytesOf(res), data.slice(boundary - 100, boundary + 100))).toBe(true);
    const across = await alice.get('/up/big.bin', { Range: `bytes=${boundary - 5}-${2 * boundary + 5}` });
    expect(same(await bytesOf(across), data.slice(boundary - 5, 2 * boundary + 6))).toBe(true);
    const tail = await alice.get('/up/big.bin', { Range: 'bytes=-20000' });
    expect(same(await bytesOf(tail), data.slice(data.byteLength - 20000))).toBe(true);
  });

  it('RFC 9110 §14.6: several ranges in different segments come back as a multipart body', async () => {
    const res = await alice.get('/up/big.bin', { Range: `bytes=0-9, ${SEGMENT_BYTES + 20000000 % SEGMENT_BYTES}-${SEGMENT_BYTES + 20000000 % SEGMENT_BYTES + 9}` });
    expect(res.status).toBe(206);
    const body = await bytesOf(res);
    expect(body.byteLength).toBe(Number(res.headers.get('Content-Length')));
    expect(String.fromCharCode(...body)).toContain(`Content-Range: bytes ${SEGMENT_BYTES + 20000000 % SEGMENT_BYTES}-`);
  });

  it('replacing a segmented file with a small one keeps its blobs as a version, uncopied; deleting the version frees them', async () => {
    const row = await env.DB.prepare("SELECT fileid, segments FROM files WHERE owner = 'alice' AND path = 'up/big.bin'").first<{ fileid: number; segments: string }>();
    const oldKeys = (JSON.parse(row!.segments) as [string, number][]).map(([k]) => k);
    expect(oldKeys.length).toBe(Math.ceil((33 * MiB + 12345) / SEGMENT_BYTES));
    const before = await blobKeys();
    expect((await alice.put('/up/big.bin', 'tiny')).status).toBe(204);
    expect(await (await alice.get('/up/big.bin')).text()).toBe('tiny');
    // The old segments became the version as they were; the only new blob is 'tiny'.
    const version = await env.DB.prepare('SELECT timestamp, segments FROM file_versions WHERE fileid = ?').bind(row!.fileid).first<{ timestamp: number; segments: string }>();
    expect(version!.segments).toBe(row!.segments);
    expect((await blobKeys()).length).toBe(before.length + 1);
    const del = await alice.request('DELETE', `http://localhost/remote.php/dav/versions/alice/versions/${row!.fileid}/${version!.timestamp}`);
    expect(del.status).toBe(204);
    const after = await blobKeys();
    expect(after.length).toBe(before.length + 1 - oldKeys.length);
    expect(oldKeys.filter((k) => after.includes(k))).toEqual([]);
  });
});

describe('a client that disconnects halfway through a PUT', () => {
  const put = (path: string, body: ReadableStream<Uint8Array>, headers: Record<string, string> = {}) =>
    callWorkerDirectly(new Request(alice.base + path, { method: 'PUT', headers: { Authorization: alice.auth, ...headers }, body }));

  async function snapshot() {
    const listing = await propsOf(alice, '/up', ['{DAV:}getetag', '{DAV:}getcontentlength', '{http://owncloud.org/ns}size'], '1');
    return { listing, rows: await fileRows('alice'), blobs: await blobKeys() };
  }

  it('ARCHITECTURE §1: a chunked body that fails midway leaves the previous content, ETag and listing intact', async () => {
    await alice.put('/up/doc.txt', 'previous content');
    const before = await snapshot();
    const res = await put('/up/doc.txt', disconnectingStream(patternBytes(100_000)));
    expect(res.status).toBe(400);
    expect(await (await alice.get('/up/doc.txt')).text()).toBe('previous content');
    expect(await snapshot()).toEqual(before);
  });

  it('ARCHITECTURE §1: a body shorter than its Content-Length leaves everything as it was', async () => {
    const before = await snapshot();
    const etag = await etagOf(alice, '/up/doc.txt');
    const res = await put('/up/doc.txt', disconnectingStream(patternBytes(1000)), { 'Content-Length': '50000' });
    expect(res.status).toBe(400);
    expect(await etagOf(alice, '/up/doc.txt')).toBe(etag);
    expect(await snapshot()).toEqual(before);
  });

  it('a new file whose upload breaks off does not appear at all: no row, no blob, no ETag change', async () => {
    const before = await snapshot();
    const res = await put('/up/partial.bin', disconnectingStream(patternBytes(17 * MiB)));
    expect(res.status).toBe(400);
    expect((await alice.get('/up/partial.bin')).status).toBe(404);
    expect(await snapshot()).toEqual(before);
  });

  it('the same over the network loopback with Content-Length: the old content survives', async () => {
    const etag = await etagOf(alice, '/up/doc.txt');
    await alice.put('/up/doc.txt', disconnectingStream(patternBytes(1000)), { 'Content-Length': '50000' }).catch(() => null);
    expect(await (await alice.get('/up/doc.txt')).text()).toBe('previous content');
    expect(await etagOf(alice, '/up/doc.txt')).toBe(etag);
  });
});
