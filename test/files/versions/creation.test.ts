import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { blobKeys, etagOf, fileRows, makeUser, type DavClient } from '../../helpers';
import { uploadsOf } from '../uploads/client';
import { VersionsService } from '../../../worker/files/versions/service';
import { filesAt, fileRow, keysOf, T0, versionRows, versionTimes, writeAt } from './client';

// Issue #4: every content change keeps the previous content as a version; the old blobs simply
// become the version's (no copy); a change less than 2 minutes after the last version makes none.

let vera: DavClient;
beforeAll(async () => {
  vera = await makeUser('vera');
  await vera.mkcol('/docs');
});

describe('a PUT that overwrites a file keeps the previous content as a version', () => {
  it('a new file makes no version', async () => {
    expect((await vera.put('/docs/a.txt', 'first content')).status).toBe(201);
    const row = (await fileRow('vera', 'docs/a.txt'))!;
    expect(await versionRows(row.fileid)).toEqual([]);
  });

  it('the overwrite turns the old content into a version in the same change: same blob, its ETag, mtime, size and author', async () => {
    const old = (await fileRow('vera', 'docs/a.txt'))!;
    const blobsBefore = await blobKeys();
    const before = Math.floor(Date.now() / 1000);
    expect((await vera.put('/docs/a.txt', 'second content!')).status).toBe(204);
    const [version] = await versionRows(old.fileid);
    expect(version).toMatchObject({ etag: old.etag, mtime: old.mtime, size: 13, author: 'vera', label: null });
    expect(version.timestamp).toBeGreaterThanOrEqual(before);
    expect(version.timestamp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    // No copy: the version points at the very blob the file had, and the only new blob is the new content's.
    expect(keysOf(version.segments)).toEqual(keysOf(old.segments));
    const blobsAfter = await blobKeys();
    expect(blobsAfter).toEqual(expect.arrayContaining(blobsBefore));
    expect(blobsAfter.length).toBe(blobsBefore.length + 1);
    expect(await (await vera.get('/docs/a.txt')).text()).toBe('second content!');
  });

  it('an overwrite within two minutes of that version makes none, and the content it replaces is gone with its blob', async () => {
    const row = (await fileRow('vera', 'docs/a.txt'))!;
    expect((await vera.put('/docs/a.txt', 'third')).status).toBe(204);
    expect(await versionRows(row.fileid)).toHaveLength(1);
    expect(await blobKeys()).not.toContain(keysOf(row.segments)[0]);
  });

  it('a refused overwrite (If-Match on a stale ETag) makes no version', async () => {
    const row = (await fileRow('vera', 'docs/a.txt'))!;
    const rows = await fileRows('vera');
    expect((await vera.put('/docs/a.txt', 'never', { 'If-Match': '"stale"' })).status).toBe(412);
    expect(await versionRows(row.fileid)).toHaveLength(1);
    expect(await fileRows('vera')).toEqual(rows);
  });
});

describe('the two-minute rule, on a fake clock', () => {
  it('versions at the first change, none within 2 minutes of the last version, one again at exactly 2 minutes', async () => {
    await makeUser('tim');
    const t = T0 + 5 * 86400;
    await writeAt('tim', 'f.txt', 'one', t);
    const fileid = (await fileRow('tim', 'f.txt'))!.fileid;
    await writeAt('tim', 'f.txt', 'two', t + 60); // the first version, whatever the time since creation
    const twoKeys = keysOf((await fileRow('tim', 'f.txt'))!.segments);
    await writeAt('tim', 'f.txt', 'three', t + 179); // 119 s after the version: none, 'two' is gone
    await writeAt('tim', 'f.txt', 'four', t + 180); // 120 s after it: a version of 'three'
    expect(await versionTimes(fileid)).toEqual([t + 60, t + 180]);
    const versions = await versionRows(fileid);
    const text = async (segments: string) => (await (await env.FILES.get(keysOf(segments)[0]))!.text());
    expect(await text(versions[0].segments)).toBe('one');
    expect(await text(versions[1].segments)).toBe('three');
    expect(await blobKeys()).not.toContain(twoKeys[0]);
    // Measured from the last version, not from the last change: many quick edits make no version.
    for (let s = 200; s < 300; s += 30) await writeAt('tim', 'f.txt', `quick ${s}`, t + s);
    expect(await versionTimes(fileid)).toEqual([t + 60, t + 180]);
    await writeAt('tim', 'f.txt', 'five', t + 301);
    expect(await versionTimes(fileid)).toEqual([t + 60, t + 180, t + 301]);
  });

  it('a clock that went back makes no version until it is 2 minutes past the last one', async () => {
    await makeUser('tess');
    const t = T0 + 6 * 86400;
    await writeAt('tess', 'g.txt', 'a', t);
    const fileid = (await fileRow('tess', 'g.txt'))!.fileid;
    await writeAt('tess', 'g.txt', 'b', t + 600);
    await writeAt('tess', 'g.txt', 'c', t + 100);
    expect(await versionTimes(fileid)).toEqual([t + 600]);
    await writeAt('tess', 'g.txt', 'd', t + 721);
    expect(await versionTimes(fileid)).toEqual([t + 600, t + 721]);
  });

  it('names are unique per file: a restore in the second of the newest version names the kept content one second later', async () => {
    await makeUser('uma');
    // t + 599 and t + 600 fall in different 2-second slots (T0 is even), so the schedule keeps both.
    const t = T0 + 8 * 86400;
    await writeAt('uma', 'u.txt', 'one', t);
    const fileid = (await fileRow('uma', 'u.txt'))!.fileid;
    await writeAt('uma', 'u.txt', 'two', t + 300);
    await writeAt('uma', 'u.txt', 'three', t + 599);
    const files = filesAt('uma', () => t + 599);
    const versions = new VersionsService(env, 'uma', null, () => (t + 599) * 1000);
    const file = (await versions.file(fileid))!;
    await versions.restore(files, file, (await versions.get(fileid, t + 300))!);
    // 'three' becomes a version although one was made this very second (t + 599): it is named t + 600.
    expect(await versionTimes(fileid)).toEqual([t + 599, t + 600]);
    const text = async (segments: string) => (await (await env.FILES.get(keysOf(segments)[0]))!.text());
    const rows = await versionRows(fileid);
    expect([await text(rows[0].segments), await text(rows[1].segments)]).toEqual(['two', 'three']);
    expect(await text((await fileRow('uma', 'u.txt'))!.segments)).toBe('one');
  });

  it('empty content makes no version (as in Nextcloud)', async () => {
    await makeUser('emma');
    const t = T0 + 7 * 86400;
    await writeAt('emma', 'e.txt', '', t);
    const fileid = (await fileRow('emma', 'e.txt'))!.fileid;
    await writeAt('emma', 'e.txt', 'now with text', t + 600);
    expect(await versionTimes(fileid)).toEqual([]);
    await writeAt('emma', 'e.txt', 'changed', t + 1200);
    expect(await versionTimes(fileid)).toEqual([t + 1200]);
  });
});

describe('other ways of writing a file keep the version too', () => {
  it('a chunked upload completed onto an existing file (MOVE of .file) keeps the old content, blobs untouched', async () => {
    expect((await vera.put('/docs/big.txt', 'content before the upload')).status).toBe(201);
    const old = (await fileRow('vera', 'docs/big.txt'))!;
    const up = uploadsOf(vera);
    await up.mkcol('over');
    await up.put('over', '1', 'new ');
    await up.put('over', '2', 'content');
    expect((await up.finish('over', '/docs/big.txt', { 'If-Match': (await etagOf(vera, '/docs/big.txt'))! })).status).toBe(204);
    expect(await (await vera.get('/docs/big.txt')).text()).toBe('new content');
    const [version] = await versionRows(old.fileid);
    expect(keysOf(version.segments)).toEqual(keysOf(old.segments));
    expect(await (await env.FILES.get(keysOf(version.segments)[0]))!.text()).toBe('content before the upload');
  });

  it('a bulk upload part that replaces a file keeps the old content as a version', async () => {
    expect((await vera.put('/docs/bulk.txt', 'before bulk')).status).toBe(201);
    const old = (await fileRow('vera', 'docs/bulk.txt'))!;
    const boundary = 'b0undary';
    const part = 'after bulk';
    const body = `--${boundary}\r\nX-File-Path: /docs/bulk.txt\r\nX-File-Mtime: 1700000000\r\nContent-Length: ${part.length}\r\n\r\n${part}\r\n--${boundary}--\r\n`;
    const res = await vera.request('POST', 'http://localhost/remote.php/dav/bulk', { body, headers: { 'Content-Type': `multipart/related; boundary=${boundary}` } });
    expect(res.status).toBe(200);
    expect(await (await vera.get('/docs/bulk.txt')).text()).toBe('after bulk');
    const [version] = await versionRows(old.fileid);
    expect(version).toMatchObject({ etag: old.etag, size: 'before bulk'.length });
    expect(keysOf(version.segments)).toEqual(keysOf(old.segments));
  });
});
