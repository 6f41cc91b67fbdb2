/**
 * Orphan blobs: R2 objects under the blob prefix that no metadata references — leftovers of a
 * crash between the R2 put and the D1 batch (ARCHITECTURE.md §1), or of a clean-up that never
 * ran. `scanBlobs` walks R2 and D1 side by side in key ranges; the cron job and fsck share it.
 */
import { deleteBlobs } from './blobs';

/** Every content blob's key starts with this (blobs.ts newBlobKey); other prefixes are not ours to collect. */
export const BLOB_PREFIX = 'blobs/';

/**
 * A blob younger than this is never collected: its write may still be in flight, its D1 batch
 * not yet committed. No request lives anywhere near this long.
 */
export const ORPHAN_GRACE_MS = 24 * 3600 * 1000;

/** R2 returns at most 1000 keys per list call. */
const LIST_LIMIT = 1000;

/**
 * Listed keys per range: one D1 statement per range scans every segment list once, so fewer,
 * larger ranges cost less D1 work; this many keys (and their references) is what a range holds
 * in memory.
 */
const RANGE_KEYS = 20_000;

/** An object in R2 under the blob prefix. */
export interface ListedBlob {
  key: string;
  size: number;
  /** Milliseconds since the epoch. */
  uploaded: number;
}

/** Which table holds a reference. */
export type ReferenceSource = 'files' | 'file_versions' | 'upload_chunks';

/** One segment of a metadata row pointing at a blob. */
export interface BlobReference {
  key: string;
  /** The byte length the segment claims. */
  size: number;
  source: ReferenceSource;
  owner: string;
  /** The row: a files path, `fileid@timestamp` of a version, `uploadId/chunk` of a chunk. */
  ref: string;
}

/** A contiguous key range: the blobs R2 lists in it and the references D1 holds into it. */
export interface BlobRange {
  blobs: ListedBlob[];
  /** Key → every reference to it (a key referenced twice is a bug fsck reports, not a crash). */
  refs: Map<string, BlobReference[]>;
}

// Every table that holds segments counts, trashed rows included (they stay in `files`).
// Each branch filters on the range so only keys of this range come back.
const SEGMENT_KEY = "json_extract(s.value, '$[0]')";
const REFERENCES_SQL = (range: string) => `
  SELECT ${SEGMENT_KEY} AS key, json_extract(s.value, '$[1]') AS size, 'files' AS source, f.owner AS owner, f.path AS ref
    FROM files AS f, json_each(f.segments) AS s WHERE f.segments IS NOT NULL AND ${range}
  UNION ALL
  SELECT ${SEGMENT_KEY}, json_extract(s.value, '$[1]'), 'file_versions', v.owner, v.fileid || '@' || v.timestamp
    FROM file_versions AS v, json_each(v.segments) AS s WHERE ${range}
  UNION ALL
  SELECT ${SEGMENT_KEY}, json_extract(s.value, '$[1]'), 'upload_chunks', c.owner, c.upload_id || '/' || c.name
    FROM upload_chunks AS c, json_each(c.segments) AS s WHERE ${range}`;

/**
 * References with keys in (after, upTo]; null bounds are open. One statement, so the three
 * tables are read as one snapshot: a reference moving between them (a chunk becoming a file's
 * segment, content becoming a version) is seen exactly once, never missed.
 */
async function referencesIn(db: D1Database, after: string | null, upTo: string | null): Promise<BlobReference[]> {
  const conds: string[] = [];
  const params: string[] = [];
  if (after !== null) {
    conds.push(`${SEGMENT_KEY} > ?${params.length + 1}`);
    params.push(after);
  }
  if (upTo !== null) {
    conds.push(`${SEGMENT_KEY} <= ?${params.length + 1}`);
    params.push(upTo);
  }
  const { results } = await db.prepare(REFERENCES_SQL(conds.length ? conds.join(' AND ') : '1')).bind(...params).all<BlobReference>();
  return results;
}

/**
 * Walks every blob under BLOB_PREFIX in key order, RANGE_KEYS at a time (R2 pages of 1000), and
 * yields each key range with the references into it. The ranges cover the whole key space: the
 * first starts at the lowest key, the last has no upper end, so a reference to a key R2 does
 * not hold (a missing blob) always lands in some range. Memory is bounded by one range.
 */
export async function* scanBlobs(env: Env, rangeKeys = RANGE_KEYS): AsyncGenerator<BlobRange> {
  let cursor: string | undefined;
  let after: string | null = null;
  let more = true;
  while (more) {
    const blobs: ListedBlob[] = [];
    do {
      const page = await env.FILES.list({ prefix: BLOB_PREFIX, cursor, limit: Math.min(LIST_LIMIT, rangeKeys - blobs.length) });
      for (const o of page.objects) blobs.push({ key: o.key, size: o.size, uploaded: o.uploaded.getTime() });
      more = page.truncated;
      cursor = page.truncated ? page.cursor : undefined;
    } while (more && blobs.length < rangeKeys);
    const upTo = more ? blobs[blobs.length - 1].key : null;
    const refs = new Map<string, BlobReference[]>();
    for (const r of await referencesIn(env.DB, after, upTo)) {
      const list = refs.get(r.key);
      if (list) list.push(r);
      else refs.set(r.key, [r]);
    }
    yield { blobs, refs };
    after = upTo;
  }
}

/** Keys a sweep names in its result; the rest are only counted (there may be millions). */
export const SAMPLE_KEYS = 100;

/** What one collection did. */
export interface OrphanSweep {
  /** Blobs listed under the prefix. */
  listed: number;
  /** Unreferenced and past the grace period: deleted (or, with dryRun, deletable). */
  deleted: number;
  deletedBytes: number;
  /** The first SAMPLE_KEYS of them, for reports. */
  sample: string[];
  /** Unreferenced but younger than the grace period: left alone (writes in flight). */
  young: number;
}

/**
 * Deletes every blob under BLOB_PREFIX that no row of `files` (trash included), `file_versions`
 * or `upload_chunks` references and that R2 says was uploaded more than ORPHAN_GRACE_MS before
 * `now`. Safe against concurrent writes: a new write's blobs are young, and an old blob only
 * ever moves between rows inside one D1 batch, which the per-range snapshot sees on one side.
 */
export async function sweepOrphanBlobs(env: Env, now: Date, opts: { dryRun?: boolean; rangeKeys?: number } = {}): Promise<OrphanSweep> {
  const out: OrphanSweep = { listed: 0, deleted: 0, deletedBytes: 0, sample: [], young: 0 };
  const cutoff = now.getTime() - ORPHAN_GRACE_MS;
  for await (const range of scanBlobs(env, opts.rangeKeys)) {
    out.listed += range.blobs.length;
    const doomed: ListedBlob[] = [];
    for (const b of range.blobs) {
      if (range.refs.has(b.key)) continue;
      if (b.uploaded <= cutoff) doomed.push(b);
      else out.young++;
    }
    if (!opts.dryRun) await deleteBlobs(env.FILES, doomed.map((b) => b.key));
    for (const b of doomed) {
      if (out.sample.length < SAMPLE_KEYS) out.sample.push(b.key);
      out.deleted++;
      out.deletedBytes += b.size;
    }
  }
  return out;
}

/** The cron job: collects orphan blobs past the grace period (see sweepOrphanBlobs). */
export async function collectOrphanBlobs(env: Env, now: Date): Promise<void> {
  const swept = await sweepOrphanBlobs(env, now);
  if (swept.deleted) console.log(`orphan blobs: deleted ${swept.deleted} (${swept.deletedBytes} bytes) of ${swept.listed}`);
}
