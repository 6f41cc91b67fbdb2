import { beforeAll, describe, expect, it } from 'vitest';
import { blobKeys, fileRows, makeUser, propOf, type DavClient } from '../../helpers';
import { chunkRows, uploadCount, uploadsOf } from './client';

// 1000 bytes of quota, 400 of them used by one file.
let quentin: DavClient;
let up: ReturnType<typeof uploadsOf>;
beforeAll(async () => {
  quentin = await makeUser('quentin', 'correct horse battery', { quota: 1000 });
  up = uploadsOf(quentin);
  await quentin.put('/used.bin', 'u'.repeat(400));
});

describe('quota of chunked uploads (RFC 4331, nextcloud-api §3.7)', () => {
  it('MKCOL announcing more than the free space (OC-Total-Length) → 507, no upload is created', async () => {
    const res = await up.mkcol('big', { 'OC-Total-Length': '601' });
    expect(res.status).toBe(507);
    expect(await res.text()).toContain('InsufficientStorage');
    expect(await uploadCount('quentin')).toBe(0);
  });

  it('the first chunk PUT announcing too much (desktop sends OC-Total-Length on chunks) → 507 before a byte is stored', async () => {
    expect((await up.mkcol('v1')).status).toBe(201);
    const blobs = await blobKeys();
    const res = await up.put('v1', '00000000', 'x'.repeat(100), { 'OC-Total-Length': '700' });
    expect(res.status).toBe(507);
    expect(await blobKeys()).toEqual(blobs);
    expect(await chunkRows('quentin', 'v1')).toEqual(new Map());
  });

  it('chunks that add up past the free space → 507 for the chunk that would overflow', async () => {
    expect((await up.put('v1', '00000000', 'a'.repeat(350))).status).toBe(201);
    expect((await up.put('v1', '00000001', 'b'.repeat(251))).status).toBe(507);
    expect((await up.put('v1', '00000001', 'b'.repeat(250))).status).toBe(201);
    // Replacing a chunk counts only the difference.
    expect((await up.put('v1', '00000001', 'B'.repeat(250))).status).toBe(204);
  });

  it('an upload that fits is completed and counted', async () => {
    expect((await up.finish('v1', '/v1.bin', { 'OC-Total-Length': '600' })).status).toBe(201);
    expect(Number(await propOf(quentin, '/', '{DAV:}quota-used-bytes'))).toBe(1000);
  });

  it('the batch guard refuses a completion that no longer fits (507), leaving the upload and the files as they were', async () => {
    await quentin.del('/v1.bin');
    await up.mkcol('race', { 'OC-Total-Length': '500' });
    await up.put('race', '1', 'r'.repeat(500));
    // Meanwhile the space went to another write.
    expect((await quentin.put('/other.bin', 'o'.repeat(300))).status).toBe(201);
    const rows = await fileRows('quentin');
    const res = await up.finish('race', '/race.bin', { 'OC-Total-Length': '500' });
    expect(res.status).toBe(507);
    expect(await fileRows('quentin')).toEqual(rows);
    expect((await chunkRows('quentin', 'race')).size).toBe(1);
  });

  it('an overwrite through an upload counts only the difference (Destination known at MKCOL)', async () => {
    await quentin.del('/other.bin');
    // 400 used; replacing used.bin (400) by 900 bytes needs 500 more, and 600 are free.
    expect((await up.mkcol('grow', { Destination: quentin.base + '/used.bin', 'OC-Total-Length': '900' })).status).toBe(201);
    expect((await up.put('grow', '1', 'g'.repeat(900))).status).toBe(201);
    expect((await up.finish('grow', '/used.bin', { 'OC-Total-Length': '900' })).status).toBe(204);
    expect(Number(await propOf(quentin, '/', '{DAV:}quota-used-bytes'))).toBe(900);
  });
});
