/**
 * Making a version inside a write's own D1 batch: the content a write replaces becomes a row of
 * file_versions that points at the same blobs (no copy). If the batch commits, the old blobs
 * are referenced by the version; if it does not, nothing changed. Whether a version is made is
 * decided by SQL in the batch, so a write pays no extra round trip for it.
 */
import { sql, type Placeholder } from 'drizzle-orm';
import type { Statement } from '../batch';
import { parseSegments, type Segment } from '../blobs';
import type { VersionFacts } from './thinning';

/**
 * A change less than this many seconds after the file's last version makes none (the manual:
 * "changes made at intervals greater than two minutes are saved").
 */
export const MIN_VERSION_INTERVAL = 120;

/** What a committed write did with the content it replaced. */
export interface ReplaceOutcome {
  /** A version was made: the replaced blobs now belong to it. */
  made: boolean;
  /** The replaced content's segments as the batch found them (delete them when no version was made). */
  replaced: Segment[];
  /** When a version was made: every version of the file, for the thinning check. */
  fileVersions: VersionFacts[];
  /** When a version was made and the owner has a quota: bytes in versions and in files. */
  totals: { versions: number; used: number } | null;
}

type Results = D1Result<Record<string, unknown>>[];

/**
 * The statements a write batch runs for the content at `owner`/`path` it is about to replace.
 * `before` must run before the file row changes (it reads the old content), `after` after it.
 */
export class ReplacedContent {
  readonly before: Statement[];
  readonly after: Statement[];

  constructor(owner: string | Placeholder, path: string | Placeholder, now: number | Placeholder, opts: {
    /** Make a version even within two minutes of the last one, and of empty content (a restore). */
    always: boolean;
    /** Who wrote the replaced content (nc:version-author). */
    author: string | Placeholder;
    /** Probe the owner's totals for the 50 % rule (only with a quota). */
    withTotals: boolean;
  }) {
    // The replaced row is found by path, as the write's upsert finds it: its content at batch
    // time may be newer than what the caller read earlier (a concurrent write).
    const rule = opts.always
      ? sql``
      // Nextcloud makes no version of empty content; and none within two minutes of the last.
      : sql` AND f.size > 0 AND NOT EXISTS (SELECT 1 FROM file_versions AS v WHERE v.fileid = f.fileid AND v.timestamp > ${now} - ${MIN_VERSION_INTERVAL})`;
    this.before = [
      sql`SELECT segments FROM files WHERE owner = ${owner} AND path = ${path} AND is_dir = 0`,
      // The name must be unique per file: now, or one past the newest when that is not older
      // (a restore right after a version, or a clock that went back).
      sql`INSERT INTO file_versions (fileid, owner, timestamp, mtime, etag, size, content_type, checksums, segments, author)
        SELECT f.fileid, f.owner, MAX(${now}, COALESCE((SELECT MAX(v.timestamp) FROM file_versions AS v WHERE v.fileid = f.fileid), 0) + 1),
          f.mtime, f.etag, f.size, f.content_type, f.checksums, f.segments, ${opts.author}
        FROM files AS f WHERE f.owner = ${owner} AND f.path = ${path} AND f.is_dir = 0 AND f.segments IS NOT NULL${rule}`,
    ];
    // A version made by this batch is named `now` or later; without one, these read nothing.
    const fileid = sql`(SELECT f.fileid FROM files AS f WHERE f.owner = ${owner} AND f.path = ${path})`;
    const made = sql`EXISTS (SELECT 1 FROM file_versions AS n WHERE n.fileid = ${fileid} AND n.timestamp >= ${now})`;
    this.after = [sql`SELECT id, fileid, timestamp, size, label FROM file_versions WHERE fileid = ${fileid} AND ${made}`];
    if (opts.withTotals) {
      this.after.push(sql`SELECT (SELECT COALESCE(SUM(v.size), 0) FROM file_versions AS v WHERE v.owner = ${owner}) AS versions,
        (SELECT h.size FROM files AS h WHERE h.owner = ${owner} AND h.path = '') AS used WHERE ${made}`);
    }
  }

  /** Reads the outcome from the batch results of `before` (at `beforeAt`) and `after` (at `afterAt`). */
  outcome(results: Results, beforeAt: number, afterAt: number): ReplaceOutcome {
    const old = results[beforeAt].results[0] as { segments: string | null } | undefined;
    const made = (results[beforeAt + 1].meta.changes ?? 0) > 0;
    const fileVersions = made ? (results[afterAt].results as unknown as VersionFacts[]) : [];
    const t = made && this.after.length > 1 ? (results[afterAt + 1].results[0] as { versions: number; used: number } | undefined) : undefined;
    return { made, replaced: parseSegments(old?.segments ?? null), fileVersions, totals: t ? { versions: t.versions, used: t.used ?? 0 } : null };
  }
}
