import { describe, expect, it } from 'vitest';
import { expiredVersions, overHalfOfFree, thinnedOut, type VersionFacts } from '../../../worker/files/versions/thinning';
import { DAY, HOUR, MINUTE, T0 } from './client';

// The manual's schedule ("Controlling file versions and aging", Nextcloud admin manual): first
// 10 s one version per 2 s, first minute one per 10 s, first hour one per minute, first day one
// per hour, first 30 days one per day, after that one per week. T0 starts a week, so every slot
// (2 s … a week) starts at T0 too and the expectations below can be read off the offsets.

let nextId = 1;
const v = (offset: number, label: string | null = null, size = 1, fileid = 1): VersionFacts =>
  ({ id: nextId++, fileid, timestamp: T0 + offset, size, label });
const offsetsOf = (vs: VersionFacts[]) => vs.map((x) => x.timestamp - T0).sort((a, b) => b - a);
const survivors = (vs: VersionFacts[], now: number) => {
  const gone = new Set(thinnedOut(vs, T0 + now));
  return offsetsOf(vs.filter((x) => !gone.has(x)));
};

describe('the thinning schedule, band by band', () => {
  it('nothing to thin with no version or only one', () => {
    expect(thinnedOut([], T0)).toEqual([]);
    expect(thinnedOut([v(0)], T0 + 100 * DAY)).toEqual([]);
  });

  it('first 10 seconds: one version per 2 seconds (the newest of each)', () => {
    expect(survivors([v(9), v(8), v(7), v(6), v(3), v(2)], 9)).toEqual([9, 7, 3]);
  });

  it('first minute: one version per 10 seconds', () => {
    const vs = [50, 45, 40, 35, 30, 25, 20, 15, 10, 5].map((s) => v(s));
    expect(survivors(vs, 60)).toEqual([50, 45, 35, 25, 15, 5]);
  });

  it('first hour: one version per minute', () => {
    expect(survivors([v(2 * MINUTE + 10), v(2 * MINUTE + 5), v(MINUTE + 40), v(MINUTE + 1)], HOUR)).toEqual([2 * MINUTE + 10, MINUTE + 40]);
  });

  it('first day: one version per hour', () => {
    const vs = [v(5 * HOUR + 50 * MINUTE), v(5 * HOUR + 10 * MINUTE), v(4 * HOUR + 59 * MINUTE), v(2 * HOUR)];
    expect(survivors(vs, DAY)).toEqual([5 * HOUR + 50 * MINUTE, 4 * HOUR + 59 * MINUTE, 2 * HOUR]);
  });

  it('first 30 days: one version per day', () => {
    const vs = [v(20 * DAY + 23 * HOUR), v(20 * DAY + HOUR), v(19 * DAY + 12 * HOUR)];
    expect(survivors(vs, 40 * DAY)).toEqual([20 * DAY + 23 * HOUR, 19 * DAY + 12 * HOUR]);
  });

  it('after 30 days: one version per week', () => {
    const vs = [13, 8, 7, 6, 1].map((d) => v(d * DAY));
    expect(survivors(vs, 100 * DAY)).toEqual([13 * DAY, 6 * DAY]);
  });

  it('a newer version in a finer band still claims the older one\'s slot: each day keeps its newest', () => {
    // 23 h old (hour band) and 25 h old (day band), both on day 5: the day keeps the newer.
    expect(survivors([v(5 * DAY + 20 * HOUR), v(5 * DAY + 18 * HOUR)], 6 * DAY + 19 * HOUR)).toEqual([5 * DAY + 20 * HOUR]);
  });

  it('labelled versions are never thinned out, and take no slot', () => {
    const labelledMiddle = [v(13 * DAY), v(8 * DAY, 'keep me'), v(7 * DAY), v(6 * DAY), v(DAY)];
    expect(survivors(labelledMiddle, 100 * DAY)).toEqual([13 * DAY, 8 * DAY, 6 * DAY]);
    // A labelled newest version does not make the week's other versions go: the newest unlabelled one stays.
    const labelledNewest = [v(13 * DAY, 'final'), v(8 * DAY), v(7 * DAY), v(6 * DAY), v(DAY)];
    expect(survivors(labelledNewest, 100 * DAY)).toEqual([13 * DAY, 8 * DAY, 6 * DAY]);
    // An empty label is no label.
    expect(survivors([v(13 * DAY), v(8 * DAY, '')], 100 * DAY)).toEqual([13 * DAY]);
  });

  it('a timestamp ahead of now (a clock that went back) counts as brand new, and stays', () => {
    expect(survivors([v(100), v(40)], 50)).toEqual([100, 40]);
  });

  it('thinning at every step of the way keeps exactly what one run at the end keeps', () => {
    // 400 versions at pseudo-random times over 90 days, made in time order; after each one the
    // schedule runs (as after a write), and the cron runs every 15 minutes in between.
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const times = [...new Set(Array.from({ length: 400 }, () => Math.floor(rand() * 90 * DAY)))].sort((a, b) => a - b);
    const all = times.map((t) => v(t));
    let alive: VersionFacts[] = [];
    let cron = 0;
    for (const x of all) {
      while (cron < x.timestamp - T0) {
        const gone = new Set(thinnedOut(alive, T0 + cron));
        alive = alive.filter((y) => !gone.has(y));
        cron += 15 * MINUTE;
      }
      alive.push(x);
      const gone = new Set(thinnedOut(alive, x.timestamp));
      alive = alive.filter((y) => !gone.has(y));
    }
    const end = 120 * DAY;
    const stepwise = new Set(thinnedOut(alive, T0 + end));
    const once = new Set(thinnedOut(all, T0 + end));
    expect(offsetsOf(alive.filter((y) => !stepwise.has(y)))).toEqual(offsetsOf(all.filter((y) => !once.has(y))));
    // And at 120 days every survivor is in the weekly band: at most one per week.
    const weeks = offsetsOf(all.filter((y) => !once.has(y))).map((o) => Math.floor(o / (7 * DAY)));
    expect(new Set(weeks).size).toBe(weeks.length);
  });
});

describe('the 50 % rule: versions take at most half of the free space', () => {
  it('unlimited quota: no cap', () => {
    expect(overHalfOfFree([v(0, null, 10 ** 12)], null)).toEqual([]);
  });

  it('over half of the free space: the oldest go first until the rest fits', () => {
    const vs = [v(3 * HOUR, null, 200), v(HOUR, null, 200), v(2 * HOUR, null, 200)];
    expect(offsetsOf(overHalfOfFree(vs, 1000))).toEqual([HOUR]);
    expect(offsetsOf(overHalfOfFree(vs, 1200))).toEqual([]);
    expect(offsetsOf(overHalfOfFree(vs, 799))).toEqual([2 * HOUR, HOUR]);
  });

  it('labelled versions go last, and only when the unlabelled ones are not enough', () => {
    const vs = [v(HOUR, 'first draft', 300), v(2 * HOUR, null, 300), v(3 * HOUR, null, 300)];
    expect(offsetsOf(overHalfOfFree(vs, 1200))).toEqual([2 * HOUR]);
    expect(offsetsOf(overHalfOfFree(vs, 500))).toEqual([3 * HOUR, 2 * HOUR, HOUR]);
  });

  it('no free space (or less than none) leaves no room for any version', () => {
    expect(overHalfOfFree([v(0, 'x', 1), v(1, null, 1)], 0).length).toBe(2);
    expect(overHalfOfFree([v(0, null, 1)], -500).length).toBe(1);
  });

  it('expiry thins first and applies the cap to what is left, across files', () => {
    const a = [v(10 * DAY, null, 100, 1), v(10 * DAY + HOUR, null, 100, 1)]; // same day: the older one is thinned
    const b = [v(11 * DAY, null, 100, 2), v(12 * DAY, null, 100, 2)];
    const { thinned, overCap } = expiredVersions([...a, ...b], T0 + 20 * DAY, 500); // cap 250: after thinning 300 are left
    const named = (vs: VersionFacts[]) => vs.map((x) => [x.fileid, x.timestamp - T0]);
    expect(named(thinned)).toEqual([[1, 10 * DAY]]);
    expect(named(overCap)).toEqual([[1, 10 * DAY + HOUR]]);
    // Thinning only one file (after a write to it): the other file's versions are not thinned.
    expect(expiredVersions([...a, ...b], T0 + 20 * DAY, null, 2)).toEqual({ thinned: [], overCap: [] });
  });
});
