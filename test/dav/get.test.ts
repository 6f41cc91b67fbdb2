import { beforeAll, describe, expect, it } from 'vitest';
import { etagOf, makeUser, patternBytes, type DavClient } from '../helpers';

let alice: DavClient;
const DATA = patternBytes(1000, 7);
const text = (b: Uint8Array) => [...b].join(',');
const bytesOf = async (res: Response) => new Uint8Array(await res.arrayBuffer());

beforeAll(async () => {
  alice = await makeUser('alice');
  await alice.put('/data.bin', DATA, { 'X-OC-Mtime': '1700000000' });
  await alice.mkcol('/dir');
});

describe('GET', () => {
  it('RFC 9110 §9.3.1: returns the content with ETag, Last-Modified, Content-Length and Content-Type', async () => {
    const res = await alice.get('/data.bin');
    expect(res.status).toBe(200);
    expect(text(await bytesOf(res))).toBe(text(DATA));
    expect(res.headers.get('Content-Length')).toBe('1000');
    expect(res.headers.get('Content-Type')).toBe('application/octet-stream');
    expect(res.headers.get('Last-Modified')).toBe('Tue, 14 Nov 2023 22:13:20 GMT');
    expect(res.headers.get('Accept-Ranges')).toBe('bytes');
  });

  it('nextcloud-api §3.5: the ETag of GET equals the getetag of PROPFIND (and OC-ETag)', async () => {
    const res = await alice.get('/data.bin');
    expect(res.headers.get('ETag')).toBe(await etagOf(alice, '/data.bin'));
    expect(res.headers.get('OC-ETag')).toBe(res.headers.get('ETag'));
    expect(res.headers.get('ETag')).toMatch(/^".+"$/);
  });

  it('user content is served as an attachment in a sandbox, never as a page of this origin', async () => {
    const res = await alice.get('/data.bin');
    expect(res.headers.get('Content-Disposition')).toMatch(/^attachment;/);
    expect(res.headers.get('Content-Security-Policy')).toContain('sandbox');
  });

  it('RFC 9110 §9.3.1: GET of an unmapped URL → 404 with a DAV error body', async () => {
    const res = await alice.get('/nope.bin');
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('Sabre\\DAV\\Exception\\NotFound');
  });

  it('RFC 4918 §9.4: GET of a collection answers 200 with a page, not a listing', async () => {
    const res = await alice.get('/dir/');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^text\/html/);
  });
});

describe('GET byte ranges (RFC 9110 §14)', () => {
  it('§14.2: a single range → 206 with Content-Range and just those bytes', async () => {
    const res = await alice.get('/data.bin', { Range: 'bytes=10-19' });
    expect(res.status).toBe(206);
    expect(res.headers.get('Content-Range')).toBe('bytes 10-19/1000');
    expect(res.headers.get('Content-Length')).toBe('10');
    expect(text(await bytesOf(res))).toBe(text(DATA.slice(10, 20)));
  });

  it('§14.1.2: a suffix range returns the last N bytes', async () => {
    const res = await alice.get('/data.bin', { Range: 'bytes=-100' });
    expect(res.status).toBe(206);
    expect(res.headers.get('Content-Range')).toBe('bytes 900-999/1000');
    expect(text(await bytesOf(res))).toBe(text(DATA.slice(900)));
  });

  it('§14.1.2: an open range (resuming a download) returns from N to the end', async () => {
    const res = await alice.get('/data.bin', { Range: 'bytes=995-' });
    expect(res.status).toBe(206);
    expect(res.headers.get('Content-Range')).toBe('bytes 995-999/1000');
    expect(text(await bytesOf(res))).toBe(text(DATA.slice(995)));
  });

  it('§14.1.2: a last-byte-pos past the end is clamped to the content', async () => {
    const res = await alice.get('/data.bin', { Range: 'bytes=990-5000' });
    expect(res.headers.get('Content-Range')).toBe('bytes 990-999/1000');
    expect((await bytesOf(res)).byteLength).toBe(10);
  });

  it('§14.6: several ranges → multipart/byteranges, one part per range with its Content-Range', async () => {
    const res = await alice.get('/data.bin', { Range: 'bytes=0-4, 100-109, -3' });
    expect(res.status).toBe(206);
    const type = res.headers.get('Content-Type')!;
    const boundary = /^multipart\/byteranges; boundary=(.+)$/.exec(type)![1];
    const body = await bytesOf(res);
    expect(res.headers.get('Content-Length')).toBe(String(body.byteLength));
    // One char per byte (TextDecoder's 'latin1' is windows-1252 and would remap 0x80–0x9f).
    const latin = String.fromCharCode(...body);
    const parts = latin.split(`--${boundary}`);
    expect(parts[parts.length - 1]).toBe('--\r\n');
    const expected = [[0, 5], [100, 110], [997, 1000]];
    const got = parts.slice(1, -1).map((p) => {
      const [head, content] = p.split('\r\n\r\n');
      return { range: /Content-Range: bytes (\d+)-(\d+)\/1000/.exec(head)!, type: /Content-Type: (.*)/.exec(head)![1], content: content.replace(/\r\n$/, '') };
    });
    expect(got).toHaveLength(3);
    got.forEach((part, i) => {
      expect([Number(part.range[1]), Number(part.range[2]) + 1]).toEqual(expected[i]);
      expect(part.type).toBe('application/octet-stream');
      expect([...part.content].map((c) => c.charCodeAt(0)).join(',')).toBe(text(DATA.slice(expected[i][0], expected[i][1])));
    });
  });

  it('§15.5.17: a range wholly past the end → 416 with Content-Range bytes */size', async () => {
    const res = await alice.get('/data.bin', { Range: 'bytes=1000-1010' });
    expect(res.status).toBe(416);
    expect(res.headers.get('Content-Range')).toBe('bytes */1000');
  });

  it('§14.2: a Range header that is not a valid bytes range is ignored (200, full body)', async () => {
    for (const range of ['items=0-5', 'bytes=5-1', 'bytes=abc', 'bytes=']) {
      const res = await alice.get('/data.bin', { Range: range });
      expect(res.status, range).toBe(200);
      expect((await bytesOf(res)).byteLength).toBe(1000);
    }
  });

  it('§13.1.5: If-Range with the current ETag → 206; with another ETag → 200 and the full body', async () => {
    const etag = (await etagOf(alice, '/data.bin'))!;
    expect((await alice.get('/data.bin', { Range: 'bytes=0-9', 'If-Range': etag })).status).toBe(206);
    const res = await alice.get('/data.bin', { Range: 'bytes=0-9', 'If-Range': '"stale"' });
    expect(res.status).toBe(200);
    expect(text(await bytesOf(res))).toBe(text(DATA));
  });

  it('§13.1.5: If-Range with the Last-Modified date → 206; with an older date → 200', async () => {
    expect((await alice.get('/data.bin', { Range: 'bytes=0-9', 'If-Range': 'Tue, 14 Nov 2023 22:13:20 GMT' })).status).toBe(206);
    expect((await alice.get('/data.bin', { Range: 'bytes=0-9', 'If-Range': 'Mon, 13 Nov 2023 22:13:20 GMT' })).status).toBe(200);
  });
});

describe('GET conditionals (RFC 9110 §13)', () => {
  it('§13.1.2: If-None-Match with the current ETag → 304 without a body', async () => {
    const etag = (await etagOf(alice, '/data.bin'))!;
    const res = await alice.get('/data.bin', { 'If-None-Match': etag });
    expect(res.status).toBe(304);
    expect(res.headers.get('ETag')).toBe(etag);
    expect(await res.text()).toBe('');
    expect((await alice.get('/data.bin', { 'If-None-Match': '"other"' })).status).toBe(200);
  });

  it('§13.1.3: If-Modified-Since at or after Last-Modified → 304; before → 200', async () => {
    expect((await alice.get('/data.bin', { 'If-Modified-Since': 'Tue, 14 Nov 2023 22:13:20 GMT' })).status).toBe(304);
    expect((await alice.get('/data.bin', { 'If-Modified-Since': 'Tue, 14 Nov 2023 22:13:19 GMT' })).status).toBe(200);
  });

  it('§13.1.1: If-Match with another ETag → 412', async () => {
    expect((await alice.get('/data.bin', { 'If-Match': '"other"' })).status).toBe(412);
    expect((await alice.get('/data.bin', { 'If-Match': (await etagOf(alice, '/data.bin'))! })).status).toBe(200);
  });

  it('§13.1.4: If-Unmodified-Since before Last-Modified → 412', async () => {
    expect((await alice.get('/data.bin', { 'If-Unmodified-Since': 'Mon, 13 Nov 2023 00:00:00 GMT' })).status).toBe(412);
  });
});

describe('HEAD', () => {
  it('RFC 9110 §9.3.2: HEAD has the headers of GET and no body', async () => {
    const [get, head] = [await alice.get('/data.bin'), await alice.head('/data.bin')];
    expect(head.status).toBe(200);
    for (const h of ['ETag', 'Content-Length', 'Content-Type', 'Last-Modified', 'OC-FileId']) {
      expect(head.headers.get(h), h).toBe(get.headers.get(h));
    }
    expect(await head.text()).toBe('');
  });

  it('RFC 9110 §9.3.2: HEAD with a Range answers 206 with its Content-Range and no body', async () => {
    const res = await alice.head('/data.bin', { Range: 'bytes=0-9' });
    expect(res.status).toBe(206);
    expect(res.headers.get('Content-Range')).toBe('bytes 0-9/1000');
    expect(await res.text()).toBe('');
  });

  it('RFC 9110 §9.3.2: HEAD of an unmapped URL → 404', async () => {
    expect((await alice.head('/nope')).status).toBe(404);
  });
});
