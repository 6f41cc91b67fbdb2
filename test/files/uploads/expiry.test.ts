import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import worker from '../../../worker/index';
import { blobKeys, makeUser, type DavClient } from '../../helpers';
import { chunkBlobKeys, chunkRows, uploadCount, uploadsOf } from './client';

const HOUR = 3600 * 1000;

let erin: DavClient;
let up: ReturnType<typeof uploadsOf>;
beforeAll(async () => {
  erin = await makeUser('erin');
  up = uploadsOf(erin);
});

/** Runs the Worker's scheduled() handler as the cron trigger would, at `time`. */
async function cronAt(time: number) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: time, cron: '*/15 * * * *' }), env, ctx);
  await waitOnExecutionContext(ctx);
}

async function touch(id: string, at: number) {
  await env.DB.prepare('UPDATE uploads SET updated_at = ? WHERE owner = ? AND id = ?').bind(at, 'erin', id).run();
}

describe('abandoned uploads expire (nextcloud-api §3.7: 24 h without activity)', () => {
  it('the cron job removes an upload idle for more than 24 h with its chunk rows and blobs, and keeps a recent one', async () => {
    const now = Date.now();
    await up.mkcol('old');
    await Promise.all([up.put('old', '1', 'stale one'), up.put('old', '2', 'stale two')]);
    await up.mkcol('fresh');
    await up.put('fresh', '1', 'still going');
    const oldKeys = await chunkBlobKeys('erin', 'old');
    const freshKeys = await chunkBlobKeys('erin', 'fresh');
    await touch('old', now - 25 * HOUR);
    await touch('fresh', now - 23 * HOUR);

    await cronAt(now);

    expect(await chunkRows('erin', 'old')).toEqual(new Map());
    expect((await up.propfind('old')).status).toBe(404);
    const left = await blobKeys();
    expect(oldKeys.filter((k) => left.includes(k))).toEqual([]);
    expect(freshKeys.every((k) => left.includes(k))).toBe(true);
    expect(await uploadCount('erin')).toBe(1);
  });

  it('a day later the other one goes too', async () => {
    const freshKeys = await chunkBlobKeys('erin', 'fresh');
    await cronAt(Date.now() + 2 * HOUR);
    expect(await uploadCount('erin')).toBe(0);
    const left = await blobKeys();
    expect(freshKeys.filter((k) => left.includes(k))).toEqual([]);
  });

  it('many stale uploads are removed in bounded batches within one run', async () => {
    const past = Date.now() - 48 * HOUR;
    for (let i = 0; i < 45; i++) {
      await up.mkcol(`bulk-${i}`);
      await touch(`bulk-${i}`, past);
    }
    await cronAt(Date.now());
    expect(await uploadCount('erin')).toBe(0);
  });
});
