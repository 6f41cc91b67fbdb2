import { beforeAll, describe, expect, it } from 'vitest';
import { digestHex, etagOf, fileRows, makeUser, propOf, type DavClient } from '../helpers';

let alice: DavClient;
beforeAll(async () => {
  alice = await makeUser('alice');
  await alice.mkcol('/dir');
});

const OC_ID = '{http://owncloud.org/ns}id';

describe('PUT', () => {
  it('RFC 9110 §9.3.4: a new file → 201 with ETag, OC-ETag and OC-FileId matching PROPFIND', async () => {
    const res = await alice.put('/dir/new.txt', 'first');
    expect(res.status).toBe(201);
    expect(res.headers.get('ETag')).toBe(await etagOf(alice, '/dir/new.txt'));
    expect(res.headers.get('OC-ETag')).toBe(res.headers.get('ETag'));
    expect(res.headers.get('OC-FileId')).toBe(await propOf(alice, '/dir/new.txt', OC_ID));
    expect(await (await alice.get('/dir/new.txt')).text()).toBe('first');
  });

  it('RFC 9110 §9.3.4: replacing a file → 204, a new ETag, the same file id', async () => {
    const before = await alice.put('/dir/over.txt', 'one');
    const res = await alice.put('/dir/over.txt', 'two!');
    expect(res.status).toBe(204);
    expect(res.headers.get('ETag')).not.toBe(before.headers.get('ETag'));
    expect(res.headers.get('OC-FileId')).toBe(before.headers.get('OC-FileId'));
    expect(await (await alice.get('/dir/over.txt')).text()).toBe('two!');
    expect(await propOf(alice, '/dir/over.txt', '{DAV:}getcontentlength')).toBe('4');
  });

  it('an empty body makes an empty file', async () => {
    expect((await alice.put('/dir/empty', '')).status).toBe(201);
    expect(await propOf(alice, '/dir/empty', '{DAV:}getcontentlength')).toBe('0');
    expect(await (await alice.get('/dir/empty')).text()).toBe('');
  });

  it('nextcloud-api §8d.12: X-OC-Mtime is honoured and echoed as X-OC-MTime: accepted', async () => {
    const res = await alice.put('/dir/mtime.txt', 'x', { 'X-OC-Mtime': '1600000000' });
    expect(res.headers.get('X-OC-MTime')).toBe('accepted');
    expect(await propOf(alice, '/dir/mtime.txt', '{DAV:}getlastmodified')).toBe(new Date(1_600_000_000_000).toUTCString());
    const plain = await alice.put('/dir/plain.txt', 'x');
    expect(plain.headers.get('X-OC-MTime')).toBeNull();
  });

  it('nextcloud-api §8d.12: a fractional X-OC-Mtime (iOS) is truncated, not refused', async () => {
    expect((await alice.put('/dir/ios.txt', 'x', { 'X-OC-Mtime': '1700000000.789' })).status).toBe(201);
    expect(await propOf(alice, '/dir/ios.txt', '{DAV:}getlastmodified')).toBe(new Date(1_700_000_000_000).toUTCString());
  });

  it('nextcloud-api §8d.12: X-OC-Mtime ≤ 0 or not a number → 400 and nothing written', async () => {
    for (const mtime of ['0', '-5', 'yesterday', '', 'NaN', 'Infinity', '0x10', '1e400', '12abc']) {
      const res = await alice.put('/dir/badmtime.txt', 'x', { 'X-OC-Mtime': mtime });
      expect(res.status, `X-OC-Mtime: ${mtime}`).toBe(400);
    }
    expect((await fileRows('alice')).has('dir/badmtime.txt')).toBe(false);
  });

  it('X-OC-Mtime past year 9999 → 400: it has no HTTP date, so getlastmodified would read "Invalid Date"', async () => {
    for (const mtime of ['253402300800', '9e15', '99999999999999999999']) {
      expect((await alice.put('/dir/future.txt', 'x', { 'X-OC-Mtime': mtime })).status, mtime).toBe(400);
    }
    expect((await alice.put('/dir/future.txt', 'x', { 'X-OC-Mtime': '253402300799' })).status).toBe(201);
    expect(await propOf(alice, '/dir/future.txt', '{DAV:}getlastmodified')).toBe('Fri, 31 Dec 9999 23:59:59 GMT');
  });

  it('nextcloud-api §3.6: OC-Checksum SHA1 that matches is accepted and stored', async () => {
    const sha1 = await digestHex('SHA-1', 'checked');
    expect((await alice.put('/dir/sum.txt', 'checked', { 'OC-Checksum': `SHA1:${sha1.toUpperCase()}` })).status).toBe(201);
    expect(await propOf(alice, '/dir/sum.txt', '{http://owncloud.org/ns}checksums')).toContain(`SHA1:${sha1}`);
  });

  it('nextcloud-api §3.6: OC-Checksum MD5 that matches is accepted and offered next to SHA1', async () => {
    const md5 = await digestHex('MD5', 'checked');
    expect((await alice.put('/dir/md5.txt', 'checked', { 'OC-Checksum': `MD5:${md5}` })).status).toBe(201);
    const sums = await propOf(alice, '/dir/md5.txt', '{http://owncloud.org/ns}checksums');
    expect(sums).toContain(`MD5:${md5}`);
    expect(sums).toContain(`SHA1:${await digestHex('SHA-1', 'checked')}`);
  });

  it('a checksum mismatch → 400; the previous content, ETag and size stay', async () => {
    await alice.put('/dir/keep.txt', 'original');
    const etag = await etagOf(alice, '/dir/keep.txt');
    for (const sum of [`SHA1:${'0'.repeat(40)}`, `MD5:${'0'.repeat(32)}`]) {
      const res = await alice.put('/dir/keep.txt', 'tampered!', { 'OC-Checksum': sum });
      expect(res.status, sum).toBe(400);
      expect(await res.text()).toContain('checksum');
    }
    expect(await (await alice.get('/dir/keep.txt')).text()).toBe('original');
    expect(await etagOf(alice, '/dir/keep.txt')).toBe(etag);
  });

  it('a checksum mismatch on a new file → 400 and no file appears', async () => {
    const res = await alice.put('/dir/never.txt', 'data', { 'OC-Checksum': `SHA1:${'1'.repeat(40)}` });
    expect(res.status).toBe(400);
    expect((await alice.get('/dir/never.txt')).status).toBe(404);
    expect((await fileRows('alice')).has('dir/never.txt')).toBe(false);
  });

  it('a malformed OC-Checksum header → 400', async () => {
    expect((await alice.put('/dir/malformed.txt', 'x', { 'OC-Checksum': 'not a checksum' })).status).toBe(400);
    expect((await fileRows('alice')).has('dir/malformed.txt')).toBe(false);
  });

  it('RFC 9110 §14.5: a partial PUT (Content-Range) → 400, not silently truncated', async () => {
    expect((await alice.put('/dir/over.txt', 'xx', { 'Content-Range': 'bytes 0-1/4' })).status).toBe(400);
    expect(await (await alice.get('/dir/over.txt')).text()).toBe('two!');
  });
});

describe('PUT preconditions', () => {
  it('RFC 9110 §13.1.1: If-Match with the current ETag → 204', async () => {
    await alice.put('/dir/match.txt', 'v1');
    const etag = (await etagOf(alice, '/dir/match.txt'))!;
    expect((await alice.put('/dir/match.txt', 'v2', { 'If-Match': etag })).status).toBe(204);
  });

  it('RFC 9110 §13.1.1: If-Match with a stale ETag → 412 and the content stays (the desktop conflict case)', async () => {
    const res = await alice.put('/dir/match.txt', 'v3', { 'If-Match': '"stale"' });
    expect(res.status).toBe(412);
    expect(await res.text()).toContain('PreconditionFailed');
    expect(await (await alice.get('/dir/match.txt')).text()).toBe('v2');
  });

  it('RFC 9110 §13.1.1: If-Match on a file that does not exist → 412', async () => {
    expect((await alice.put('/dir/ghost.txt', 'x', { 'If-Match': '"any"' })).status).toBe(412);
    expect((await alice.get('/dir/ghost.txt')).status).toBe(404);
  });

  it('RFC 9110 §13.1.2: If-None-Match: * on an existing file → 412; on a new one → 201', async () => {
    expect((await alice.put('/dir/match.txt', 'v4', { 'If-None-Match': '*' })).status).toBe(412);
    expect(await (await alice.get('/dir/match.txt')).text()).toBe('v2');
    expect((await alice.put('/dir/fresh.txt', 'x', { 'If-None-Match': '*' })).status).toBe(201);
  });

  it('RFC 4918 §10.4: an If header with a stale ETag → 412', async () => {
    expect((await alice.put('/dir/match.txt', 'v5', { If: '(["stale"])' })).status).toBe(412);
    const etag = (await etagOf(alice, '/dir/match.txt'))!;
    expect((await alice.put('/dir/match.txt', 'v5', { If: `([${etag}])` })).status).toBe(204);
  });

  it('RFC 4918 §10.4.3: an If list tagged with a resource on another server is false (412), not a 502', async () => {
    expect((await alice.put('/dir/match.txt', 'v6', { If: '<http://elsewhere.example/x> (["x"])' })).status).toBe(412);
    const etag = (await etagOf(alice, '/dir/match.txt'))!;
    expect((await alice.put('/dir/match.txt', 'v6', { If: `<http://elsewhere.example/x> (["x"]) <${alice.href('/dir/match.txt')}> ([${etag}])` })).status).toBe(204);
  });

  it('RFC 4918 §9.7.2: PUT to a collection → 405', async () => {
    expect((await alice.put('/dir', 'x')).status).toBe(405);
    expect((await alice.put('/dir/', 'x')).status).toBe(405);
    expect((await alice.put('/', 'x')).status).toBe(405);
    expect(await propOf(alice, '/dir/', '{DAV:}resourcetype')).toBe('<d:collection/>');
  });

  it('RFC 4918 §9.7.1: PUT with a missing parent → 409 and nothing created', async () => {
    const res = await alice.put('/nowhere/deeper/f.txt', 'x');
    expect(res.status).toBe(409);
    expect([...(await fileRows('alice')).keys()].some((p) => p.startsWith('nowhere'))).toBe(false);
  });

  it('RFC 4918 §9.7.1: PUT below a file → 409', async () => {
    expect((await alice.put('/dir/over.txt/child', 'x')).status).toBe(409);
  });
});
