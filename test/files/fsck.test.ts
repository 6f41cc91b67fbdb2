import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { runFsck, type FsckReport } from '../../worker/files/fsck';
import { ORPHAN_GRACE_MS } from '../../worker/files/orphans';
import { TRASH_ROOT } from '../../worker/files/tree';
import { ADMIN, ALICE, addUser, callAs, call, installAdmin } from '../accounts/helpers';
import { davClient, fileRows, propOf, type DavClient } from '../helpers';
import { blobExists, d1, HOUR, plantBlob, plantRow, plantTrashRoot, plantVersion } from './blob-fixtures';

const URL_V2 = '/ocs/v2.php/apps/cumulus/fsck?format=json';
type Who = { id: string; password: string } | null;

async function fsckCall(who: Who, method: 'GET' | 'POST', url = URL_V2) {
  const init = { method, headers: { 'OCS-APIRequest': 'true' } };
  const res = who ? await callAs(who.id, who.password, url, init) : await call(url, init);
  return { status: res.status, body: await res.json<{ ocs: { meta: { statuscode: number }; data: FsckReport } }>() };
}

/** The report as the admin endpoint gives it (GET checks, POST repairs). */
async function fsck(repair = false): Promise<FsckReport> {
  const { status, body } = await fsckCall(ADMIN, repair ? 'POST' : 'GET');
  expect(status).toBe(200);
  return body.ocs.data;
}

const fileidOf = async (owner: string, path: string) => (await fileRows(owner)).get(path)!.fileid;

let alice: DavClient;
beforeAll(async () => {
  await installAdmin();
  await addUser(ALICE);
  alice = davClient(ALICE.id, ALICE.password);
  await alice.mkcol('/a');
  await alice.mkcol('/a/b');
  await alice.put('/a/b/c.txt', 'hello fsck');
  await alice.put('/a/d.txt', 'more');
  await alice.put('/top.txt', 'x');
});

describe('fsck: who may run it', () => {
  it('without credentials → 401 (OCS 997)', async () => {
    for (const method of ['GET', 'POST'] as const) {
      const { status, body } = await fsckCall(null, method);
      expect(status).toBe(401);
      expect(body.ocs.meta.statuscode).toBe(997);
    }
  });

  it('a user who is not an admin → 403, and POST repairs nothing', async () => {
    await d1("UPDATE files SET size = size + 1 WHERE owner = 'alice' AND path = 'a'");
    for (const method of ['GET', 'POST'] as const) {
      const { status, body } = await fsckCall(ALICE, method);
      expect(status).toBe(403);
      expect(body.ocs.meta.statuscode).toBe(403);
    }
    expect((await fileRows('alice')).get('a')!.size).toBe(15);
    await fsck(true);
    expect((await fileRows('alice')).get('a')!.size).toBe(14);
  });

  it('answers on OCS v1 and in XML too', async () => {
    const res = await callAs(ADMIN.id, ADMIN.password, '/ocs/v1.php/apps/cumulus/fsck', { headers: { 'OCS-APIRequest': 'true' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/<statuscode>100<\/statuscode>.*<clean>1<\/clean>/s);
  });
});

describe('fsck: D1 against itself', () => {
  it('a consistent tree is clean', async () => {
    const report = await fsck();
    expect(report).toMatchObject({ clean: true, damaged: false, repair: false, blobsSkipped: null });
    expect(Object.values(report.users)).toEqual([]);
    expect(report.totals.listedBlobs).toBe(3);
  });

  it('wrong folder sizes: found, recomputed on repair; the folder and its ancestors get new ETags, other rows keep theirs', async () => {
    await d1("UPDATE files SET size = 999 WHERE owner = 'alice' AND path = 'a/b'");
    await d1("UPDATE files SET size = 0 WHERE owner = 'alice' AND path = ''");
    const before = await fileRows('alice');

    const found = await fsck();
    expect(found).toMatchObject({ clean: false, damaged: false });
    expect(found.totals.folderSizes).toBe(2);
    expect(found.users.alice.findings.folderSizes).toEqual(expect.arrayContaining([
      { path: 'a/b', fileid: before.get('a/b')!.fileid, stored: 999, expected: 10 },
      { path: '', fileid: before.get('')!.fileid, stored: 0, expected: 15 },
    ]));
    expect((await fileRows('alice')).get('a/b')!.size).toBe(999); // a GET repairs nothing

    const repaired = await fsck(true);
    expect(repaired.repaired.folderSizes).toBe(2);
    const after = await fileRows('alice');
    expect(after.get('a/b')!.size).toBe(10);
    expect(after.get('')!.size).toBe(15);
    for (const p of ['a/b', 'a', '']) expect(after.get(p)!.etag, p).not.toBe(before.get(p)!.etag);
    for (const p of ['a/b/c.txt', 'a/d.txt', 'top.txt']) expect(after.get(p)!.etag, p).toBe(before.get(p)!.etag);
    // The quota reads the home's size: it is exact again.
    expect(await propOf(alice, '/', '{DAV:}quota-used-bytes')).toBe('15');
    expect(await fsck()).toMatchObject({ clean: true });
  });

  it('trashed rows: the home does not count them, the trash root and trashed folders are checked like any folder', async () => {
    const root = await plantTrashRoot('alice');
    const blob = await plantBlob(4);
    const folder = await plantRow('alice', `${TRASH_ROOT}/old.d1000`, { parentId: root, size: 4 });
    await plantRow('alice', `${TRASH_ROOT}/old.d1000/f.bin`, { segments: [[blob, 4]], parentId: folder });
    // The trash root should hold 4: planted with 0.
    const found = await fsck();
    expect(found.users.alice.findings.folderSizes).toEqual([{ path: TRASH_ROOT, fileid: root, stored: 0, expected: 4 }]);
    await fsck(true);
    expect((await fileRows('alice')).get(TRASH_ROOT)!.size).toBe(4);
    expect((await fileRows('alice')).get('')!.size).toBe(15);
    expect(await fsck()).toMatchObject({ clean: true });
  });

  it('a file whose size is not the sum of its segments is damage; repair trusts the segments', async () => {
    await d1("UPDATE files SET size = 3 WHERE owner = 'alice' AND path = 'a/d.txt'");
    const found = await fsck();
    expect(found).toMatchObject({ damaged: true });
    expect(found.users.alice.findings.fileSizes).toEqual([{ path: 'a/d.txt', fileid: await fileidOf('alice', 'a/d.txt'), stored: 3, expected: 4 }]);
    const etag = (await fileRows('alice')).get('a/d.txt')!.etag;
    const repaired = await fsck(true);
    expect(repaired.repaired).toMatchObject({ fileSizes: 1 });
    expect((await fileRows('alice')).get('a/d.txt')).toMatchObject({ size: 4 });
    expect((await fileRows('alice')).get('a/d.txt')!.etag).not.toBe(etag);
    expect(await (await alice.get('/a/d.txt')).text()).toBe('more');
    expect(await fsck()).toMatchObject({ clean: true });
  });

  it('a version whose size is not the sum of its segments is found and repaired', async () => {
    const blob = await plantBlob(6);
    const fileid = await fileidOf('alice', 'top.txt');
    await plantVersion('alice', fileid, [[blob, 6]], { size: 60, timestamp: 1234 });
    const found = await fsck();
    expect(found.users.alice.findings.fileSizes).toEqual([{ version: `${fileid}@1234`, fileid, stored: 60, expected: 6 }]);
    await fsck(true);
    expect(await env.DB.prepare('SELECT size FROM file_versions WHERE fileid = ?').bind(fileid).first('size')).toBe(6);
    expect(await fsck()).toMatchObject({ clean: true });
  });

  it('unusable ETags get fresh ones, and so do the ancestors', async () => {
    await d1("UPDATE files SET etag = '' WHERE owner = 'alice' AND path = 'a/b/c.txt'");
    await d1(`UPDATE files SET etag = 'has"quote' WHERE owner = 'alice' AND path = 'top.txt'`);
    const homeEtag = (await fileRows('alice')).get('')!.etag;
    const found = await fsck();
    expect(found).toMatchObject({ damaged: false });
    expect(found.users.alice.findings.etags).toEqual(expect.arrayContaining([
      expect.objectContaining({ path: 'a/b/c.txt', etag: '' }), expect.objectContaining({ path: 'top.txt', etag: 'has"quote' }),
    ]));
    await fsck(true);
    const after = await fileRows('alice');
    expect(after.get('a/b/c.txt')!.etag).toMatch(/^[0-9a-f]{16}$/);
    expect(after.get('')!.etag).not.toBe(homeEtag);
    expect(await fsck()).toMatchObject({ clean: true });
  });

  it('rows whose parent is missing, a file, or at another path are reported and left alone', async () => {
    const lost = await plantRow('alice', 'gone/lost.txt', { segments: [], parentId: 987654 });
    const underFile = await plantRow('alice', 'top.txt/inner.txt', { segments: [] });
    const misplaced = await plantRow('alice', 'a/elsewhere.txt', { segments: [], parentId: await fileidOf('alice', 'a/b') });
    const found = await fsck(true);
    expect(found).toMatchObject({ damaged: true });
    expect(found.users.alice.findings.parents).toEqual(expect.arrayContaining([
      { path: 'gone/lost.txt', fileid: lost, parentId: 987654, problem: 'parent row missing' },
      { path: 'top.txt/inner.txt', fileid: underFile, parentId: await fileidOf('alice', 'top.txt'), problem: 'parent is a file' },
      { path: 'a/elsewhere.txt', fileid: misplaced, parentId: await fileidOf('alice', 'a/b'), problem: 'parent is at "a/b"' },
    ]));
    expect((await fileRows('alice')).has('gone/lost.txt')).toBe(true);
    await d1('DELETE FROM files WHERE fileid IN (?, ?, ?)', lost, underFile, misplaced);
    // The home's size did not count the planted rows (all empty), so everything is consistent again.
    expect(await fsck()).toMatchObject({ clean: true });
  });
});

describe('fsck: D1 against R2', () => {
  it('a missing blob is damage, reported with its file, and never "repaired"', async () => {
    const [key] = JSON.parse((await env.DB.prepare("SELECT segments FROM files WHERE owner = 'alice' AND path = 'a/b/c.txt'").first<{ segments: string }>())!.segments)[0];
    const saved = await (await env.FILES.get(key))!.arrayBuffer();
    await env.FILES.delete(key);
    const found = await fsck(true);
    expect(found).toMatchObject({ damaged: true });
    expect(found.totals.missingBlobs).toBe(1);
    expect(found.users.alice.findings.missingBlobs).toEqual([{ path: 'a/b/c.txt', key }]);
    expect((await fileRows('alice')).has('a/b/c.txt')).toBe(true);
    await env.FILES.put(key, saved);
    expect(await fsck()).toMatchObject({ clean: true });
  });

  it('a blob whose size differs from what its segment claims is damage', async () => {
    const blob = await plantBlob(5);
    const id = await plantRow('alice', 'a/short.bin', { segments: [[blob, 9]] });
    await d1("UPDATE files SET size = size + 9 WHERE owner = 'alice' AND path IN ('', 'a')");
    const found = await fsck();
    expect(found.users.alice.findings.blobSizes).toEqual([{ path: 'a/short.bin', key: blob, claimed: 9, actual: 5 }]);
    expect(found).toMatchObject({ damaged: true });
    await d1('DELETE FROM files WHERE fileid = ?', id);
    await d1("UPDATE files SET size = size - 9 WHERE owner = 'alice' AND path IN ('', 'a')");
    await env.FILES.delete(blob);
  });

  it('orphans: young ones are counted apart and kept; past the grace period they are derived garbage, deleted on repair', async () => {
    const orphan = await plantBlob(11);
    const now = await fsck(true);
    expect(now).toMatchObject({ damaged: false });
    expect(now.totals).toMatchObject({ orphanBlobs: 0, youngOrphanBlobs: 1 });
    expect(await blobExists(orphan)).toBe(true);

    const later = new Date(Date.now() + ORPHAN_GRACE_MS + HOUR);
    const check = await runFsck(env, { repair: false, now: later });
    expect(check).toMatchObject({ clean: false, damaged: false, orphanSample: [orphan] });
    expect(check.totals).toMatchObject({ orphanBlobs: 1, orphanBytes: 11, youngOrphanBlobs: 0 });
    expect(await blobExists(orphan)).toBe(true);

    const repair = await runFsck(env, { repair: true, now: later });
    expect(repair.repaired).toMatchObject({ orphanBlobs: 1, orphanBytes: 11 });
    expect(await blobExists(orphan)).toBe(false);
    expect(await runFsck(env, { repair: false, now: later })).toMatchObject({ clean: true });
  });

  it('malformed segments stop the blob check: nothing is collected on a guess', async () => {
    const orphan = await plantBlob();
    const bad = await plantRow('alice', 'a/bad.bin', { rawSegments: 'not json', size: 0 });
    const found = await runFsck(env, { repair: true, now: new Date(Date.now() + 2 * ORPHAN_GRACE_MS) });
    expect(found).toMatchObject({ damaged: true, blobsSkipped: expect.stringContaining('malformed') });
    expect(found.users.alice.findings.malformedSegments).toEqual([{ path: 'a/bad.bin', fileid: bad }]);
    expect(await blobExists(orphan)).toBe(true);
    await d1('DELETE FROM files WHERE fileid = ?', bad);
    await env.FILES.delete(orphan);
    expect(await fsck()).toMatchObject({ clean: true });
  });

  it('findings are listed per user and summed in the totals', async () => {
    await addUser({ id: 'bruno' });
    const bruno = davClient('bruno', 'bruno-password-1');
    await bruno.mkcol('/x');
    await bruno.put('/x/y.txt', 'bruno');
    await d1("UPDATE files SET size = 1 WHERE owner = 'bruno' AND path = 'x'");
    await d1("UPDATE files SET size = 2 WHERE owner = 'alice' AND path = 'a'");
    const found = await fsck();
    expect(found.totals.folderSizes).toBe(2);
    expect(found.users.alice.counts).toEqual({ folderSizes: 1 });
    expect(found.users.bruno.counts).toEqual({ folderSizes: 1 });
    expect(found.users.bruno.findings.folderSizes).toEqual([expect.objectContaining({ path: 'x', stored: 1, expected: 5 })]);
    await fsck(true);
    expect(await fsck()).toMatchObject({ clean: true });
  });
});
