/**
 * Which versions to keep, as the Nextcloud manual describes it: for the first 10 seconds one
 * version per 2 seconds, for the first minute one per 10 seconds, for the first hour one per
 * minute, for the first day one per hour, for the first 30 days one per day, after that one per
 * week. Pure functions: the caller reads the rows and deletes what these name.
 */

/** What thinning needs of a version. */
export interface VersionFacts {
  id: number;
  fileid: number;
  /** Seconds since the epoch; the version's name. */
  timestamp: number;
  size: number;
  label: string | null;
}

/** Age bands: a version younger than `until` seconds is kept at most one per `step` seconds. */
const BANDS: readonly { until: number; step: number }[] = [
  { until: 10, step: 2 },
  { until: 60, step: 10 },
  { until: 3600, step: 60 },
  { until: 86400, step: 3600 },
  { until: 30 * 86400, step: 86400 },
  { until: Number.POSITIVE_INFINITY, step: 7 * 86400 },
];

function isLabelled(v: VersionFacts): boolean {
  return v.label !== null && v.label !== '';
}

/**
 * The versions of ONE file that the schedule thins out at `now` (seconds). A version's age puts
 * it in a band, and the band's step cuts time into slots counted from the epoch (2-second,
 * 10-second, minute, hour, day and week slots); a version goes when a newer version lies in
 * its slot. So each slot keeps its newest version, and the newest version always stays.
 * Slots nest (2 s in 10 s in a minute … a day in a week) and a version's band only coarsens
 * with age, so thinning in many small steps (each write, each cron run) keeps exactly what one
 * run at the end would keep. (Nextcloud walks from the newest version in steps instead; under
 * daily edits its weekly band then keeps nothing older than 30 days, which is not the
 * manual's "one per week".) Labelled versions are never thinned out and, as in Nextcloud, are
 * invisible to the schedule: they take no slot.
 */
export function thinnedOut(versions: readonly VersionFacts[], now: number): VersionFacts[] {
  const sorted = versions.filter((v) => !isLabelled(v)).sort((a, b) => b.timestamp - a.timestamp || b.id - a.id);
  const out: VersionFacts[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const v = sorted[i];
    // A timestamp ahead of `now` (a clock that went back) counts as brand new.
    const age = Math.max(0, now - v.timestamp);
    const { step } = BANDS.find((b) => age < b.until)!;
    // The next newer version is in this slot whenever any newer one is (they are sorted).
    if (Math.floor(sorted[i - 1].timestamp / step) === Math.floor(v.timestamp / step)) out.push(v);
  }
  return out;
}

/**
 * The versions (of all the owner's files) that must go so that the rest take at most half of
 * the owner's free space: the oldest first, unlabelled ones before labelled ones. `free` is
 * quota minus used bytes (null: unlimited quota, no cap).
 */
export function overHalfOfFree(versions: readonly VersionFacts[], free: number | null): VersionFacts[] {
  if (free === null) return [];
  const cap = Math.floor(Math.max(0, free) / 2);
  let total = versions.reduce((n, v) => n + v.size, 0);
  if (total <= cap) return [];
  const byAge = [...versions].sort((a, b) => a.timestamp - b.timestamp || a.id - b.id);
  const order = [...byAge.filter((v) => !isLabelled(v)), ...byAge.filter(isLabelled)];
  const out: VersionFacts[] = [];
  for (const v of order) {
    if (total <= cap) break;
    out.push(v);
    total -= v.size;
  }
  return out;
}

/**
 * What the expiry removes from one owner's versions at `now`: the schedule per file (only for
 * `thinFile` when given: after a write, as Nextcloud does), then the 50 % rule over what is left
 * of all of them.
 */
export function expiredVersions(versions: readonly VersionFacts[], now: number, free: number | null, thinFile?: number): { thinned: VersionFacts[]; overCap: VersionFacts[] } {
  const byFile = new Map<number, VersionFacts[]>();
  for (const v of versions) {
    if (thinFile !== undefined && v.fileid !== thinFile) continue;
    let list = byFile.get(v.fileid);
    if (!list) byFile.set(v.fileid, (list = []));
    list.push(v);
  }
  const thinned = [...byFile.values()].flatMap((list) => thinnedOut(list, now));
  const gone = new Set(thinned);
  return { thinned, overCap: overHalfOfFree(versions.filter((v) => !gone.has(v)), free) };
}
