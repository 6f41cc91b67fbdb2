import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import worker from '../../../worker/index';
import { expireVersions } from '../../../worker/files/versions/jobs';
import { blobKeys, makeUser, propOf, type DavClient } from '../../helpers';
import { DAY, fileRow, HOUR, keysOf, T0, versionRows, versionsOf, versionTimes, writeAt } from './client';

// Weeks played in milliseconds: writes go through FilesService with a fake clock, the cron job is
// called with a future `now`. Offsets are from T0, a week boundary; every edit happens at noon.

const NOON = 12 * HOUR;
const at = (day: number) => T0 + day * DAY + NOON;
const cron = (seconds: number) => expireVersions(env, new Date(seconds * 1000));

describe('the thinning schedule over simulated weeks (a file edited every day for 60 days, then left alone)', () => {
  let dora: DavClient;
  let fileid: number;
  beforeAll(async () => {
    dora = await makeUser('dora');
    await writeAt('dora', 'diary.txt', 'day 0', at(0));
    fileid = (await fileRow('dora', 'diary.txt'))!.fileid;
  });

  it('each daily edit keeps the previous content as a version named by the time of the edit', async () => {
    for (let d = 1; d <= 5; d++) await writeAt('dora', 'diary.txt', `day ${d}`, at(d));
    expect(await versionTimes(fileid)).toEqual([1, 2, 3, 4, 5].map(at));
    const res = await versionsOf(dora).get(fileid, at(3));
    expect(await res.text()).toBe('day 2');
  });

  it('a label set on day 5 protects the version of day 3 from every later thinning', async () => {
    expect((await versionsOf(dora).label(fileid, at(3), 'before the big rewrite')).status).toBe(207);
  });

  it('after 60 days of edits: one version per day for the last 30 days, one per week before (the newest of each week)', async () => {
    for (let d = 6; d <= 60; d++) await writeAt('dora', 'diary.txt', `day ${d}`, at(d));
    // Days 31–60 are younger than 30 days: one each. Versions 30 days and older are in the
    // weekly band; weeks start on days 0, 7, 14, 21, 28 (T0 is a week boundary), and a week
    // keeps its newest version: 6, 13, 20, 27 (day 28–30 share week 4 with 31–34, newer).
    // Day 3 keeps its label and takes no slot, so week 0 still keeps day 6.
    const expected = [3, 6, 13, 20, 27, ...Array.from({ length: 30 }, (_, i) => 31 + i)].map(at);
    expect(await versionTimes(fileid)).toEqual(expected);
    // The cron at the same moment finds nothing more to do: the writes' own thinning was complete.
    await cron(at(60) + 60);
    expect(await versionTimes(fileid)).toEqual(expected);
  });

  it('40 days later the cron leaves one version per week, the labelled one and the newest', async () => {
    const before = await versionRows(fileid);
    await cron(at(100));
    const expected = [3, 6, 13, 20, 27, 34, 41, 48, 55, 60].map(at);
    expect(await versionTimes(fileid)).toEqual(expected);
    // The versions that went took their blobs with them; the survivors' blobs are all there.
    const left = new Set(await blobKeys());
    for (const r of before) {
      const keep = expected.includes(r.timestamp);
      for (const k of keysOf(r.segments)) expect(left.has(k), `${r.timestamp - T0}: ${k}`).toBe(keep);
    }
    // Contents are intact: the version of day 60 holds what was written on day 59.
    expect(await (await versionsOf(dora).get(fileid, at(60))).text()).toBe('day 59');
    expect(await (await versionsOf(dora).get(fileid, at(3))).text()).toBe('day 2');
    expect(await (await dora.get('/diary.txt')).text()).toBe('day 60');
  });

  it('a year later still one per week: thinning is stable however often it runs', async () => {
    for (let day = 101; day <= 365; day += 7) await cron(at(day));
    expect(await versionTimes(fileid)).toEqual([3, 6, 13, 20, 27, 34, 41, 48, 55, 60].map(at));
  });
});

describe('a burst of edits thins down as it ages', () => {
  it('edits every 3 minutes for an hour: kept per minute while fresh, one per hour the next day, one per day a week later', async () => {
    const burst = await makeUser('burst');
    const start = T0 + 10 * DAY + 9 * HOUR; // 09:00 of day 10
    await writeAt('burst', 'notes.md', 'edit 0', start);
    const fileid = (await fileRow('burst', 'notes.md'))!.fileid;
    for (let i = 1; i <= 20; i++) await writeAt('burst', 'notes.md', `edit ${i}`, start + i * 180);
    // 09:03 … 10:00, each in its own minute, all younger than an hour when made: all 20 stay.
    const all = Array.from({ length: 20 }, (_, i) => start + (i + 1) * 180);
    expect(await versionTimes(fileid)).toEqual(all);
    // Next morning: 09:03–09:57 share the 09:00 hour (its newest is 09:57), 10:00 has its own.
    await cron(start + DAY);
    expect(await versionTimes(fileid)).toEqual([start + 19 * 180, start + 20 * 180]);
    // A week later both lie on day 10: its newest stays.
    await cron(start + 7 * DAY);
    expect(await versionTimes(fileid)).toEqual([start + 20 * 180]);
    expect(await (await versionsOf(burst).get(fileid, start + 20 * 180)).text()).toBe('edit 19');
  });
});

describe('the 50 % rule', () => {
  it('a version that would take more than half of the free space pushes out the oldest, when it is made', async () => {
    const quota = 1000;
    const olga = await makeUser('olga', 'correct horse battery', { quota });
    const t = T0 + 20 * DAY;
    await writeAt('olga', 'a.bin', 'a'.repeat(300), t, quota);
    const fileid = (await fileRow('olga', 'a.bin'))!.fileid;
    await writeAt('olga', 'a.bin', 'b'.repeat(300), t + HOUR, quota);
    // used 300, free 700, cap 350: the 300-byte version fits.
    expect(await versionTimes(fileid)).toEqual([t + HOUR]);
    const firstKeys = keysOf((await versionRows(fileid))[0].segments);
    await writeAt('olga', 'a.bin', 'c'.repeat(300), t + 2 * HOUR, quota);
    // Two versions would take 600 > 350: the older goes, with its blob.
    expect(await versionTimes(fileid)).toEqual([t + 2 * HOUR]);
    const left = await blobKeys();
    expect(firstKeys.some((k) => left.includes(k))).toBe(false);
    // Versions do not count against the quota.
    expect(await propOf(olga, '/', '{DAV:}quota-used-bytes')).toBe('300');
    expect(await propOf(olga, '/', '{DAV:}quota-available-bytes')).toBe('700');
  });

  it('when the free space shrinks, the cron removes what no longer fits', async () => {
    const quota = 1000;
    const t = T0 + 20 * DAY + 3 * HOUR;
    const fileid = (await fileRow('olga', 'a.bin'))!.fileid;
    // A new file makes no version, so nothing is checked at write time: used 800, free 200, cap 100.
    await writeAt('olga', 'other.bin', 'o'.repeat(500), t, quota);
    expect(await versionTimes(fileid)).toHaveLength(1);
    await cron(t + 60);
    expect(await versionTimes(fileid)).toEqual([]);
  });

  it('labelled versions go last, but the cap holds for them too', async () => {
    const quota = 2000;
    await makeUser('lara', 'correct horse battery', { quota });
    const t = T0 + 30 * DAY;
    await writeAt('lara', 'f.txt', '1'.repeat(400), t, quota);
    const fileid = (await fileRow('lara', 'f.txt'))!.fileid;
    await writeAt('lara', 'f.txt', '2'.repeat(400), t + HOUR, quota);
    await env.DB.prepare('UPDATE file_versions SET label = ? WHERE fileid = ? AND timestamp = ?').bind('v1', fileid, t + HOUR).run();
    await writeAt('lara', 'f.txt', '3'.repeat(400), t + 2 * HOUR, quota);
    expect(await versionTimes(fileid)).toEqual([t + HOUR, t + 2 * HOUR]); // 800 ≤ cap 800
    await writeAt('lara', 'f.txt', '4'.repeat(400), t + 3 * HOUR, quota);
    // 1200 > 800: the oldest unlabelled one goes, the labelled older one stays.
    expect(await versionTimes(fileid)).toEqual([t + HOUR, t + 3 * HOUR]);
    // used 1400 → free 600, cap 300: both must go, the labelled one last.
    await writeAt('lara', 'g.txt', 'g'.repeat(1000), t + 4 * HOUR, quota);
    await cron(t + 5 * HOUR);
    expect(await versionTimes(fileid)).toEqual([]);
  });
});

describe('the cron trigger', () => {
  it('scheduled() runs the version expiry with the controller\'s time', async () => {
    await makeUser('cora');
    const t = T0 + 50 * DAY;
    await writeAt('cora', 'c.txt', 'first', t);
    const fileid = (await fileRow('cora', 'c.txt'))!.fileid;
    await writeAt('cora', 'c.txt', 'second', t + 10 * HOUR);
    await writeAt('cora', 'c.txt', 'third', t + 11 * HOUR);
    expect(await versionTimes(fileid)).toEqual([t + 10 * HOUR, t + 11 * HOUR]);
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: (t + 3 * DAY) * 1000, cron: '*/15 * * * *' }), env, ctx);
    await waitOnExecutionContext(ctx);
    // Three days later both lie on the same day: its newest stays.
    expect(await versionTimes(fileid)).toEqual([t + 11 * HOUR]);
  });
});
