import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { expireTrash } from '../../../worker/files/trash/jobs';
import { AUTO_POLICY, parseRetention } from '../../../worker/files/trash/retention';
import worker from '../../../worker/index';
import { blobKeys, fileRows, makeUser, type DavClient } from '../../helpers';
import { blobsOf, deleteAt, trashbinOf } from './client';

const DAY = 86_400_000;
/** A fixed start for the simulated calendar (deletions and cron runs are placed relative to it). */
const T0 = Date.UTC(2031, 0, 1);

/** The environment with another retention setting, as wrangler.toml [vars] would give it. */
const withPolicy = (policy: string) => ({ ...env, TRASHBIN_RETENTION_OBLIGATION: policy }) as unknown as Env;

/** What is left in a user's trash, by original name. */
async function left(client: DavClient): Promise<string[]> {
  return (await trashbinOf(client).list()).map((i) => i.filename).sort();
}

/** Puts `name` with `content` and deletes it `day` days after T0 (the service's injectable clock). */
async function trashOn(client: DavClient, quota: number | null, name: string, day: number, content = name): Promise<void> {
  await client.put(`/${name}`, content);
  await deleteAt(client.user, quota, name, T0 + day * DAY);
}

describe('parsing trashbin_retention_obligation', () => {
  it('auto: 30 days, and the 50 % rule may take anything', () => {
    expect(parseRetention('auto')).toEqual({ enabled: true, maxDays: 30, minDaysBeforePurge: 0 });
    expect(parseRetention(undefined)).toEqual(AUTO_POLICY);
    expect(parseRetention(' Auto , auto ')).toEqual(AUTO_POLICY);
  });

  it('"D, auto" and "auto, D": D days, and the 50 % rule may take anything', () => {
    expect(parseRetention('7, auto')).toEqual({ enabled: true, maxDays: 7, minDaysBeforePurge: 0 });
    expect(parseRetention('auto, 10')).toEqual({ enabled: true, maxDays: 10, minDaysBeforePurge: 0 });
  });

  it('"D1, D2": deleted after D2, never taken for space before D1; a D2 below D1 is raised to D1', () => {
    expect(parseRetention('3, 10')).toEqual({ enabled: true, maxDays: 10, minDaysBeforePurge: 3 });
    expect(parseRetention('10, 3')).toEqual({ enabled: true, maxDays: 10, minDaysBeforePurge: 10 });
    // A lone number reads as "D, 30", as in Nextcloud.
    expect(parseRetention('5')).toEqual({ enabled: true, maxDays: 30, minDaysBeforePurge: 5 });
  });

  it('disabled: nothing expires; nonsense falls back to auto', () => {
    expect(parseRetention('disabled').enabled).toBe(false);
    for (const bad of ['forever', '1, 2, 3', '-4, auto', 'auto, x']) expect(parseRetention(bad), bad).toEqual(AUTO_POLICY);
  });
});

describe('expireTrash over simulated days (clock injected, no waiting)', () => {
  let a: DavClient;
  let b: DavClient;
  let c: DavClient;
  let d: DavClient;
  let e: DavClient;
  beforeAll(async () => {
    [a, b, c, d, e] = await Promise.all(['ret-auto', 'ret-dauto', 'ret-autod', 'ret-d1d2', 'ret-off'].map((u) => makeUser(u)));
  });

  it('auto: an item goes after 30 days, with its blobs; younger ones stay', async () => {
    await trashOn(a, null, 'day0.txt', 0);
    await trashOn(a, null, 'day10.txt', 10);
    await trashOn(a, null, 'day25.txt', 25);
    const day0Keys = await blobsOf('ret-auto', [(await trashbinOf(a).entry('day0.txt')).fileid]);
    await expireTrash(env, new Date(T0 + 29 * DAY));
    expect(await left(a)).toEqual(['day0.txt', 'day10.txt', 'day25.txt']);
    await expireTrash(env, new Date(T0 + 30 * DAY));
    expect(await left(a)).toEqual(['day0.txt', 'day10.txt', 'day25.txt']);
    await expireTrash(env, new Date(T0 + 30 * DAY + 1000));
    expect(await left(a)).toEqual(['day10.txt', 'day25.txt']);
    const keys = await blobKeys();
    expect(day0Keys.length).toBe(1);
    expect(day0Keys.filter((k) => keys.includes(k))).toEqual([]);
    await expireTrash(env, new Date(T0 + 41 * DAY));
    expect(await left(a)).toEqual(['day25.txt']);
    await expireTrash(env, new Date(T0 + 56 * DAY));
    expect(await left(a)).toEqual([]);
    expect((await fileRows('ret-auto')).get('\u0001trash')!.size).toBe(0);
  });

  it('"7, auto": items go after 7 days', async () => {
    await trashOn(b, null, 'first.txt', 0);
    await trashOn(b, null, 'second.txt', 5);
    await expireTrash(withPolicy('7, auto'), new Date(T0 + 6 * DAY));
    expect(await left(b)).toEqual(['first.txt', 'second.txt']);
    await expireTrash(withPolicy('7, auto'), new Date(T0 + 8 * DAY));
    expect(await left(b)).toEqual(['second.txt']);
    await expireTrash(withPolicy('7, auto'), new Date(T0 + 13 * DAY));
    expect(await left(b)).toEqual([]);
  });

  it('"auto, 10": items go after 10 days', async () => {
    await trashOn(c, null, 'first.txt', 0);
    await trashOn(c, null, 'second.txt', 5);
    await expireTrash(withPolicy('auto, 10'), new Date(T0 + 9 * DAY));
    expect(await left(c)).toEqual(['first.txt', 'second.txt']);
    await expireTrash(withPolicy('auto, 10'), new Date(T0 + 11 * DAY));
    expect(await left(c)).toEqual(['second.txt']);
  });

  it('"3, 10": items go after 10 days, not after 3', async () => {
    await trashOn(d, null, 'first.txt', 0);
    await expireTrash(withPolicy('3, 10'), new Date(T0 + 4 * DAY));
    expect(await left(d)).toEqual(['first.txt']);
    await expireTrash(withPolicy('3, 10'), new Date(T0 + 9 * DAY));
    expect(await left(d)).toEqual(['first.txt']);
    await expireTrash(withPolicy('3, 10'), new Date(T0 + 11 * DAY));
    expect(await left(d)).toEqual([]);
  });

  it('disabled: nothing goes, even after a year', async () => {
    await trashOn(e, null, 'kept.txt', 0);
    await expireTrash(withPolicy('disabled'), new Date(T0 + 400 * DAY));
    expect(await left(e)).toEqual(['kept.txt']);
  });

  it('a deletion time in the future (a clock set back) never expires', async () => {
    await trashOn(e, null, 'future.txt', 100);
    await expireTrash(env, new Date(T0 + 50 * DAY));
    expect(await left(e)).toContain('future.txt');
  });
});

describe('the 50 % rule by the cron', () => {
  // 1000 bytes of quota: the trash may hold half of what the home leaves free.
  let f: DavClient;
  let g: DavClient;
  let h: DavClient;
  beforeAll(async () => {
    f = await makeUser('cap-auto', 'correct horse battery', { quota: 1000 });
    g = await makeUser('cap-d1d2', 'correct horse battery', { quota: 1000 });
    h = await makeUser('cap-off', 'correct horse battery', { quota: 1000 });
  });

  it('when the home grows, the next run takes the oldest entries until the trash fits half the free space', async () => {
    await trashOn(f, 1000, 'old.bin', 0, 'o'.repeat(200));
    await trashOn(f, 1000, 'mid.bin', 1, 'm'.repeat(150));
    await trashOn(f, 1000, 'new.bin', 2, 'n'.repeat(100));
    expect(await left(f)).toEqual(['mid.bin', 'new.bin', 'old.bin']);
    // The home grows by a PUT (no entry into the trash): used 600, free 400, cap 200; the trash holds 450.
    await f.put('/big.bin', 'b'.repeat(600));
    await expireTrash(env, new Date(T0 + 3 * DAY));
    expect(await left(f)).toEqual(['new.bin']);
    expect((await fileRows('cap-auto')).get('\u0001trash')!.size).toBe(100);
  });

  it('"3, 10": the rule takes nothing younger than 3 days, then the oldest that are older', async () => {
    await trashOn(g, 1000, 'old.bin', 0, 'o'.repeat(200));
    await trashOn(g, 1000, 'new.bin', 2, 'n'.repeat(200));
    await g.put('/big.bin', 'b'.repeat(700));
    // used 700, cap 150, trash 400, but both are younger than 3 days.
    await expireTrash(withPolicy('3, 10'), new Date(T0 + 2.5 * DAY));
    expect(await left(g)).toEqual(['new.bin', 'old.bin']);
    // Day 4: old.bin is past 3 days and goes; new.bin (2 days old) must stay although the trash is still over.
    await expireTrash(withPolicy('3, 10'), new Date(T0 + 4 * DAY));
    expect(await left(g)).toEqual(['new.bin']);
    await expireTrash(withPolicy('3, 10'), new Date(T0 + 5.5 * DAY));
    expect(await left(g)).toEqual([]);
  });

  it('disabled: the rule takes nothing either', async () => {
    await trashOn(h, 1000, 'kept.bin', 0, 'k'.repeat(300));
    await h.put('/big.bin', 'b'.repeat(700));
    await expireTrash(withPolicy('disabled'), new Date(T0 + DAY));
    expect(await left(h)).toEqual(['kept.bin']);
  });

  it('the Worker\'s scheduled() handler runs the job (Cron Trigger)', async () => {
    await trashOn(f, 1000, 'cron.txt', 10, 'c');
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: T0 + 45 * DAY, cron: '*/15 * * * *' }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await left(f)).toEqual([]);
  });
});
