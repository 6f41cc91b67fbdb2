import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { newBlobKey } from '../../worker/files/blobs';
import { BLOB_PREFIX, collectOrphanBlobs, ORPHAN_GRACE_MS, sweepOrphanBlobs } from '../../worker/files/orphans';
import { TRASH_ROOT } from '../../worker/files/tree';
import worker from '../../worker/index';
import { blobKeys, makeUser, type DavClient } from '../helpers';
import { blobExists, HOUR, plantBlob, plantChunk, plantRow, plantTrashRoot, plantVersion } from './blob-fixtures';

let olga: DavClient;
beforeAll(async () => {
  olga = await makeUser('olga');
  await olga.mkcol('/docs');
});

/** Runs the Worker's scheduled() handler as the Cron Trigger would, at `time`. */
async function cronAt(time: number) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: time, cron: '*/15 * * * *' }), env, ctx);
  await waitOnExecutionContext(ctx);
}

/** The blob keys of a file row, straight from D1. */
async function keysOf(owner: string, path: string): Promise<string[]> {
  const row = await env.DB.prepare('SELECT segments FROM files WHERE owner = ? AND path = ?').bind(owner, path).first<{ segments: string }>();
  return (JSON.parse(row!.segments) as [string, number][]).map(([k]) => k);
}

describe('orphan blobs (ARCHITECTURE.md §1: a crash leaves only orphan blobs, which a cron job collects)', () => {
  it('every content blob is written under the prefix the collector lists', () => {
    expect(newBlobKey().startsWith(BLOB_PREFIX)).toBe(true);
  });

  it('an unreferenced blob survives while younger than the grace period and goes once past it', async () => {
    const orphan = await plantBlob();
    await collectOrphanBlobs(env, new Date(Date.now() + ORPHAN_GRACE_MS - HOUR));
    expect(await blobExists(orphan)).toBe(true);
    await collectOrphanBlobs(env, new Date(Date.now() + ORPHAN_GRACE_MS + HOUR));
    expect(await blobExists(orphan)).toBe(false);
  });

  it('blobs of live files, trashed rows, versions and upload chunks are never collected', async () => {
    expect((await olga.put('/docs/live.txt', 'live content')).status).toBe(201);
    const live = await keysOf('olga', 'docs/live.txt');
    // The trash and versions keep rows of their own: planted here as those tables define them.
    const trashRoot = await plantTrashRoot('olga');
    const trashed = await plantBlob(5);
    await plantRow('olga', `${TRASH_ROOT}/old.txt.d1000`, { segments: [[trashed, 5]], parentId: trashRoot });
    const fileid = (await env.DB.prepare('SELECT fileid FROM files WHERE owner = ? AND path = ?').bind('olga', 'docs/live.txt').first<{ fileid: number }>())!.fileid;
    const versioned = await plantBlob(6);
    await plantVersion('olga', fileid, [[versioned, 6]]);
    const chunk = await plantBlob(7);
    await plantChunk('olga', 'upload-1', [[chunk, 7]]);
    const orphan = await plantBlob();

    const swept = await sweepOrphanBlobs(env, new Date(Date.now() + 30 * 24 * HOUR));

    for (const key of [...live, trashed, versioned, chunk]) expect(await blobExists(key), key).toBe(true);
    expect(await blobExists(orphan)).toBe(false);
    expect(swept).toMatchObject({ deleted: 1, deletedBytes: 8, sample: [orphan], young: 0 });
  });

  it('a dry run finds the same orphans and deletes nothing', async () => {
    const orphan = await plantBlob(3);
    const swept = await sweepOrphanBlobs(env, new Date(Date.now() + 2 * ORPHAN_GRACE_MS), { dryRun: true });
    expect(swept).toMatchObject({ deleted: 1, deletedBytes: 3, sample: [orphan] });
    expect(await blobExists(orphan)).toBe(true);
    await sweepOrphanBlobs(env, new Date(Date.now() + 2 * ORPHAN_GRACE_MS));
    expect(await blobExists(orphan)).toBe(false);
  });

  it('pages through more than one R2 listing and many key ranges: exactly the unreferenced keys go', async () => {
    // 1100 blobs: more than one R2 page of 1000 (default ranges), and, with ranges of 37 keys,
    // 30 ranges with references on their edges.
    const referenced: string[] = [];
    const orphans: string[] = [];
    for (let i = 0; i < 1100; i += 50) {
      const keys = await Promise.all(Array.from({ length: 50 }, () => plantBlob(1)));
      for (const [j, k] of keys.entries()) (((i + j) % 3 === 0) ? referenced : orphans).push(k);
    }
    for (let i = 0; i < referenced.length; i += 200) {
      const part = referenced.slice(i, i + 200);
      await plantRow('olga', `docs/many-${i}.bin`, { segments: part.map((k) => [k, 1]) });
    }
    const before = new Set(await blobKeys());
    const dry = await sweepOrphanBlobs(env, new Date(Date.now() + 25 * HOUR), { dryRun: true });
    expect(dry).toMatchObject({ listed: before.size, deleted: orphans.length });
    const swept = await sweepOrphanBlobs(env, new Date(Date.now() + 25 * HOUR), { rangeKeys: 37 });
    const after = new Set(await blobKeys());
    expect(swept.deleted).toBe(orphans.length);
    expect(swept.listed).toBe(before.size);
    expect(orphans.filter((k) => after.has(k))).toEqual([]);
    expect(referenced.filter((k) => !after.has(k))).toEqual([]);
    expect(after.size).toBe(before.size - orphans.length);
  });

  it('blobs outside the blob prefix (avatars, previews later) are not the collector\'s', async () => {
    await env.FILES.put('avatars/olga.png', 'png');
    await collectOrphanBlobs(env, new Date(Date.now() + 10 * ORPHAN_GRACE_MS));
    expect(await env.FILES.head('avatars/olga.png')).not.toBeNull();
  });

  it('the Cron Trigger runs the collector with the scheduled time as its clock', async () => {
    const orphan = await plantBlob();
    await cronAt(Date.now());
    expect(await blobExists(orphan)).toBe(true);
    await cronAt(Date.now() + ORPHAN_GRACE_MS + HOUR);
    expect(await blobExists(orphan)).toBe(false);
  });
});
