/**
 * fsck: checks the file cache (D1) against the blobs (R2) and against itself, and repairs what is
 * derived. Read-only unless `repair`; every repair recomputes inside the statement that writes,
 * so it stays right even when users write meanwhile. See README.md § fsck.
 */
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { ancestorsOf } from '../dav/paths';
import { runStatements, type Statement } from './batch';
import { deleteBlobs } from './blobs';
import { BLOB_PREFIX, ORPHAN_GRACE_MS, SAMPLE_KEYS, scanBlobs, type BlobReference, type ListedBlob } from './orphans';
import { newEtag, propagate, TRASH_ROOT } from './tree';

/** Problems whose fix is recomputing derived data, or collecting garbage: they lose nothing. */
const DERIVED = ['folderSizes', 'etags', 'orphanBlobs'] as const;
/** Problems that mean content or structure is damaged: a person should look. */
const DAMAGE = ['missingBlobs', 'blobSizes', 'fileSizes', 'malformedSegments', 'parents'] as const;
export type ProblemKind = (typeof DERIVED)[number] | (typeof DAMAGE)[number];

/** One finding; `path` is relative to the owner's home (trash rows start with the trash root). */
export type Finding = Record<string, string | number>;

/** Findings of one user: counts of every kind, and the first LIST_LIMIT findings of each. */
export interface UserFindings {
  counts: Partial<Record<ProblemKind, number>>;
  findings: Partial<Record<ProblemKind, Finding[]>>;
}

export interface FsckReport {
  repair: boolean;
  checkedAt: string;
  /** True when nothing at all was found. */
  clean: boolean;
  /** True when something beyond derived data was found (exit code 1 of `npm run fsck`). */
  damaged: boolean;
  totals: Record<ProblemKind, number> & { orphanBytes: number; youngOrphanBlobs: number; youngOrphanBytes: number; listedBlobs: number };
  repaired: { folderSizes: number; etags: number; fileSizes: number; orphanBlobs: number; orphanBytes: number };
  users: Record<string, UserFindings>;
  /** Unreferenced blobs past the grace period (a sample of keys; they belong to no user). */
  orphanSample: string[];
  /** Why the blob check did not run, when it did not. */
  blobsSkipped: string | null;
}

/** Findings listed per user and kind; the rest are counted. */
const LIST_LIMIT = 100;
/** fileids per scanning statement: bounded work per D1 query. */
const WINDOW = 5000;

class ReportBuilder {
  readonly report: FsckReport;

  constructor(repair: boolean, now: Date) {
    const zero = Object.fromEntries([...DERIVED, ...DAMAGE].map((k) => [k, 0])) as Record<ProblemKind, number>;
    this.report = {
      repair, checkedAt: now.toISOString(), clean: true, damaged: false,
      totals: { ...zero, orphanBytes: 0, youngOrphanBlobs: 0, youngOrphanBytes: 0, listedBlobs: 0 },
      repaired: { folderSizes: 0, etags: 0, fileSizes: 0, orphanBlobs: 0, orphanBytes: 0 },
      users: {}, orphanSample: [], blobsSkipped: null,
    };
  }

  add(kind: ProblemKind, owner: string | null, finding: Finding): void {
    const r = this.report;
    r.totals[kind]++;
    r.clean = false;
    if ((DAMAGE as readonly string[]).includes(kind)) r.damaged = true;
    if (owner === null) return;
    const u = (r.users[owner] ??= { counts: {}, findings: {} });
    u.counts[kind] = (u.counts[kind] ?? 0) + 1;
    const list = (u.findings[kind] ??= []);
    if (list.length < LIST_LIMIT) list.push(finding);
  }
}

/** Runs a SELECT over fileid windows of `table` (the query takes ?1 < id <= ?2 and more params). */
async function* windows<T>(db: D1Database, table: 'files' | 'file_versions', query: string, ...params: unknown[]): AsyncGenerator<T> {
  const idColumn = table === 'files' ? 'fileid' : 'id';
  const max = (await db.prepare(`SELECT coalesce(max(${idColumn}), 0) AS n FROM ${table}`).first<{ n: number }>())!.n;
  for (let lo = 0; lo < max; lo += WINDOW) {
    const { results } = await db.prepare(query).bind(lo, lo + WINDOW, ...params).all<T>();
    yield* results;
  }
}

// CASE, not AND: json_type raises on malformed JSON, and AND does not promise to stop early.
const IS_ARRAY = (col: string) => `(CASE WHEN json_valid(${col}) THEN json_type(${col}) END IS 'array')`;
const SEGMENT_SUM = (col: string) => `(SELECT coalesce(sum(json_extract(s.value, '$[1]')), 0) FROM json_each(${col}) AS s)`;

/** Rows whose segments are not a JSON array: their blobs cannot be told, so nothing may be collected. */
async function checkMalformedSegments(db: D1Database, c: ReportBuilder): Promise<void> {
  const files = `SELECT fileid, owner, path FROM files WHERE fileid > ?1 AND fileid <= ?2 AND is_dir = 0 AND NOT ${IS_ARRAY('segments')}`;
  for await (const r of windows<{ fileid: number; owner: string; path: string }>(db, 'files', files)) {
    c.add('malformedSegments', r.owner, { path: r.path, fileid: r.fileid });
  }
  const versions = `SELECT id, owner, fileid, timestamp FROM file_versions WHERE id > ?1 AND id <= ?2 AND NOT ${IS_ARRAY('segments')}`;
  for await (const r of windows<{ owner: string; fileid: number; timestamp: number }>(db, 'file_versions', versions)) {
    c.add('malformedSegments', r.owner, { version: `${r.fileid}@${r.timestamp}`, fileid: r.fileid });
  }
  const { results } = await db.prepare(`SELECT owner, upload_id, name FROM upload_chunks WHERE NOT ${IS_ARRAY('segments')}`)
    .all<{ owner: string; upload_id: string; name: string }>();
  for (const r of results) c.add('malformedSegments', r.owner, { chunk: `${r.upload_id}/${r.name}` });
}

/** Statements giving a row and every ancestor a new ETag (sizes untouched). */
function freshEtags(env: Env, owner: string, path: string, fileid: number, etag: string): Statement[] {
  const db = drizzle(env.DB);
  return [sql`UPDATE files SET etag = ${etag} WHERE fileid = ${fileid}`, ...propagate(db, owner, ancestorsOf(path), etag, null)];
}

/** Files and versions whose size is not the sum of their segments; repair trusts the segments. */
async function checkFileSizes(env: Env, c: ReportBuilder, repair: boolean): Promise<void> {
  const files = `SELECT * FROM (SELECT fileid, owner, path, size, ${SEGMENT_SUM('segments')} AS expected FROM files
    WHERE fileid > ?1 AND fileid <= ?2 AND is_dir = 0 AND ${IS_ARRAY('segments')}) WHERE size != expected`;
  for await (const r of windows<{ fileid: number; owner: string; path: string; size: number; expected: number }>(env.DB, 'files', files)) {
    c.add('fileSizes', r.owner, { path: r.path, fileid: r.fileid, stored: r.size, expected: r.expected });
    if (!repair) continue;
    // Ancestors' sizes are recomputed by the folder check, which runs next.
    await runStatements(env.DB, [
      sql.raw(`UPDATE files SET size = ${SEGMENT_SUM('files.segments')} WHERE fileid = ${Number(r.fileid)}`),
      ...freshEtags(env, r.owner, r.path, r.fileid, newEtag()),
    ]);
    c.report.repaired.fileSizes++;
  }
  const versions = `SELECT * FROM (SELECT id, owner, fileid, timestamp, size, ${SEGMENT_SUM('segments')} AS expected FROM file_versions
    WHERE id > ?1 AND id <= ?2 AND ${IS_ARRAY('segments')}) WHERE size != expected`;
  type V = { id: number; owner: string; fileid: number; timestamp: number; size: number; expected: number };
  for await (const r of windows<V>(env.DB, 'file_versions', versions)) {
    c.add('fileSizes', r.owner, { version: `${r.fileid}@${r.timestamp}`, fileid: r.fileid, stored: r.size, expected: r.expected });
    if (!repair) continue;
    await env.DB.prepare(`UPDATE file_versions SET size = ${SEGMENT_SUM('file_versions.segments')} WHERE id = ?1`).bind(r.id).run();
    c.report.repaired.fileSizes++;
  }
}

// A folder holds the sum of the files below it (by path, so a wrong parent_id cannot skew it).
// The home's subtree is every path >= ' ', which leaves the trash out (tree.ts TRASH_ROOT).
const SUBTREE_SUM = (d: string) => `CASE WHEN ${d}.path = ''
  THEN (SELECT coalesce(sum(f.size), 0) FROM files AS f WHERE f.owner = ${d}.owner AND f.path >= ' ' AND f.is_dir = 0)
  ELSE (SELECT coalesce(sum(f.size), 0) FROM files AS f
        WHERE f.owner = ${d}.owner AND f.path >= ${d}.path || '/' AND f.path < ${d}.path || '0' AND f.is_dir = 0) END`;

/**
 * Folders whose size is not the sum of the files below them, the trash root included (it holds
 * the trash's total, which the trash's 50 % rule reads). Repair recomputes in the writing
 * statement and gives the folder and its ancestors new ETags.
 */
async function checkFolderSizes(env: Env, c: ReportBuilder, repair: boolean): Promise<void> {
  const query = `SELECT * FROM (SELECT d.fileid, d.owner, d.path, d.size, ${SUBTREE_SUM('d')} AS expected FROM files AS d
    WHERE d.fileid > ?1 AND d.fileid <= ?2 AND d.is_dir = 1) WHERE size != expected`;
  for await (const r of windows<{ fileid: number; owner: string; path: string; size: number; expected: number }>(env.DB, 'files', query)) {
    c.add('folderSizes', r.owner, { path: r.path, fileid: r.fileid, stored: r.size, expected: r.expected });
    if (!repair) continue;
    await runStatements(env.DB, [
      sql.raw(`UPDATE files SET size = ${SUBTREE_SUM('files')} WHERE fileid = ${Number(r.fileid)}`),
      ...freshEtags(env, r.owner, r.path, r.fileid, newEtag()),
    ]);
    c.report.repaired.folderSizes++;
  }
}

/** ETags that clients cannot use (RFC 9110 §8.8.3 etagc: no quotes, spaces or controls). */
async function checkEtags(env: Env, c: ReportBuilder, repair: boolean): Promise<void> {
  const query = `SELECT fileid, owner, path, etag FROM files WHERE fileid > ?1 AND fileid <= ?2 AND (etag = '' OR etag GLOB '*[^!#-~]*')`;
  for await (const r of windows<{ fileid: number; owner: string; path: string; etag: string }>(env.DB, 'files', query)) {
    c.add('etags', r.owner, { path: r.path, fileid: r.fileid, etag: r.etag });
    if (!repair) continue;
    await runStatements(env.DB, freshEtags(env, r.owner, r.path, r.fileid, newEtag()));
    c.report.repaired.etags++;
  }
}

/**
 * Rows whose parent is missing, another user's, a file, or at another path than the row's own
 * path says (path = parent's path + '/' + name). Report only: which of path and parent is right
 * cannot be derived. Roots have no parent: the home ('') and the trash root.
 */
async function checkParents(env: Env, c: ReportBuilder): Promise<void> {
  const query = `SELECT ch.fileid, ch.owner, ch.path, ch.parent_id, p.fileid AS pid, p.owner AS powner, p.is_dir AS pdir, p.path AS ppath
    FROM files AS ch LEFT JOIN files AS p ON p.fileid = ch.parent_id
    WHERE ch.fileid > ?1 AND ch.fileid <= ?2 AND ch.path != '' AND ch.path != ?3
      AND (p.fileid IS NULL OR p.owner != ch.owner OR p.is_dir = 0
           OR ch.path != CASE WHEN p.path = '' THEN ch.name ELSE p.path || '/' || ch.name END)`;
  type Row = { fileid: number; owner: string; path: string; parent_id: number | null; pid: number | null; powner: string; pdir: number; ppath: string };
  for await (const r of windows<Row>(env.DB, 'files', query, TRASH_ROOT)) {
    const problem = r.pid === null ? 'parent row missing' : r.powner !== r.owner ? "parent is another user's"
      : r.pdir === 0 ? 'parent is a file' : `parent is at ${JSON.stringify(r.ppath)}`;
    c.add('parents', r.owner, { path: r.path, fileid: r.fileid, parentId: r.parent_id ?? 'null', problem });
  }
}

function refFinding(r: BlobReference): Finding {
  return r.source === 'files' ? { path: r.ref, key: r.key } : { [r.source === 'file_versions' ? 'version' : 'chunk']: r.ref, key: r.key };
}

/**
 * Walks R2 and the references side by side (orphans.ts scanBlobs): missing blobs (referenced,
 * absent), blobs whose size differs from what their segment claims, orphans. A reference R2 did
 * not list is looked up once more before it counts as missing: its blob may have been written
 * after the listing. Repair deletes orphans past the grace period, like the cron job.
 */
async function checkBlobs(env: Env, c: ReportBuilder, repair: boolean, now: Date): Promise<void> {
  const cutoff = now.getTime() - ORPHAN_GRACE_MS;
  const t = c.report.totals;
  for await (const range of scanBlobs(env)) {
    t.listedBlobs += range.blobs.length;
    const listed = new Map<string, ListedBlob>(range.blobs.map((b) => [b.key, b]));
    const doomed: ListedBlob[] = [];
    for (const b of range.blobs) {
      const refs = range.refs.get(b.key);
      if (refs) {
        for (const r of refs) {
          if (r.size !== b.size) c.add('blobSizes', r.owner, { ...refFinding(r), claimed: r.size, actual: b.size });
        }
      } else if (b.uploaded <= cutoff) {
        c.add('orphanBlobs', null, {});
        t.orphanBytes += b.size;
        if (c.report.orphanSample.length < SAMPLE_KEYS) c.report.orphanSample.push(b.key);
        doomed.push(b);
      } else {
        t.youngOrphanBlobs++;
        t.youngOrphanBytes += b.size;
      }
    }
    for (const [key, refs] of range.refs) {
      if (listed.has(key)) continue;
      const late = key.startsWith(BLOB_PREFIX) ? await env.FILES.head(key) : null;
      if (late) continue;
      for (const r of refs) c.add('missingBlobs', r.owner, refFinding(r));
    }
    if (repair && doomed.length) {
      await deleteBlobs(env.FILES, doomed.map((b) => b.key));
      c.report.repaired.orphanBlobs += doomed.length;
      c.report.repaired.orphanBytes += doomed.reduce((n, b) => n + b.size, 0);
    }
  }
}

/**
 * Checks everything and, with `repair`, fixes what is derived: file and folder sizes (from
 * segments and subtrees), ETags (of repaired rows and their ancestors), orphan blobs past the
 * grace period. Missing blobs and broken parent links are reported, never "fixed".
 */
export async function runFsck(env: Env, opts: { repair: boolean; now: Date }): Promise<FsckReport> {
  const c = new ReportBuilder(opts.repair, opts.now);
  await checkMalformedSegments(env.DB, c);
  await checkFileSizes(env, c, opts.repair);
  await checkFolderSizes(env, c, opts.repair);
  await checkEtags(env, c, opts.repair);
  await checkParents(env, c);
  // A row whose segments cannot be read might reference any blob: collecting would be a guess.
  if (c.report.totals.malformedSegments) c.report.blobsSkipped = 'rows with malformed segments (see malformedSegments)';
  else await checkBlobs(env, c, opts.repair, opts.now);
  return c.report;
}
