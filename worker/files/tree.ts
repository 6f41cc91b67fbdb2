import { and, eq, gte, inArray, lt, sql, type Placeholder, type SQL } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import { batchGuards, files } from '../../schema';
import { parentPath } from '../dav/paths';
import { atOrBelowPath } from './paths-sql';
import { Conflict, PreconditionFailed, QuotaExceeded, AlreadyExists } from '../errors';

/** A row of the file cache. */
export type FileRow = typeof files.$inferSelect;

/** D1 allows at most 100 bound parameters per statement. */
const MAX_PARAMS_PER_IN = 90;

/**
 * Where an owner's trashed rows live in `files` (see schema trash_items): a path no user path can
 * take, since paths with control characters are refused with 400, and one that sorts before every
 * user path, so the home's subtree stays one index range (paths >= ' ').
 */
export const TRASH_ROOT = '\u0001trash';

/** The first character a user path may start with: everything below the home is >= this. */
export const FIRST_USER_PATH_CHAR = ' ';

/** Condition: rows strictly below `path` in `owner`'s tree (an index range, case-sensitive). */
export function below(owner: string, path: string): SQL {
  if (path === '') return and(eq(files.owner, owner), gte(files.path, FIRST_USER_PATH_CHAR))!;
  // '0' is the character after '/', so [path/, path0) is exactly the subtree.
  return and(eq(files.owner, owner), gte(files.path, path + '/'), lt(files.path, path + '0'))!;
}

/** Condition: the row at `path` and everything below it. */
export function atOrBelow(owner: string, path: string): SQL {
  return and(eq(files.owner, owner), atOrBelowPath(files.path, path))!;
}

/** `SELECT size` of one row as a subquery, for size arithmetic inside a batch. */
export function sizeOf(fileid: number): SQL {
  return sql`(SELECT f2.size FROM files AS f2 WHERE f2.fileid = ${fileid})`;
}

/** The fileid at a path as a subquery, so a batch can insert children of rows it just inserted. */
export function fileidAt(owner: string | Placeholder, path: string | Placeholder): SQL {
  return sql`(SELECT f2.fileid FROM files AS f2 WHERE f2.owner = ${owner} AND f2.path = ${path})`;
}

/**
 * Statements that give every listed folder a new ETag and add `delta` to its size: the
 * propagation that lets sync clients find changes (ARCHITECTURE.md §3). `touch` also sets the
 * mtime of one of them (the parent of a new entry) in the same statement: every statement of a
 * batch costs the local D1 about as much as a small write's own work.
 */
export function propagate(
  db: DrizzleD1Database, owner: string | Placeholder, paths: (string | Placeholder)[], etag: string | Placeholder, delta: SQL | number | null,
  touch?: { fileid: number | SQL | Placeholder; mtime: number | SQL | Placeholder },
) {
  const out = [];
  for (let i = 0; i < paths.length; i += MAX_PARAMS_PER_IN) {
    const chunk = paths.slice(i, i + MAX_PARAMS_PER_IN);
    const set: Partial<Record<'etag' | 'size' | 'mtime', unknown>> = { etag };
    if (delta !== null && delta !== 0) set.size = sql`${files.size} + ${delta}`;
    if (touch) set.mtime = sql`CASE WHEN ${files.fileid} = ${touch.fileid} THEN ${touch.mtime} ELSE ${files.mtime} END`;
    out.push(db.update(files).set(set as { etag: string }).where(and(eq(files.owner, owner), inArray(files.path, chunk))));
  }
  return out;
}

type GuardColumn = 'etagMatches' | 'quotaAvailable' | 'targetFree' | 'sourceUnchanged' | 'writeChecks';

/** A write's in-batch checks failed (guard writeChecks): nothing was written; the caller takes the normal path. */
export class WriteChecksFailed extends Error {}

/** A batch statement that aborts the whole batch unless `condition` holds (see schema batchGuards). */
export function guard(column: GuardColumn, condition: SQL): SQL {
  const col = batchGuards[column];
  return sql`INSERT INTO ${batchGuards} (${sql.identifier(col.name)}) SELECT NULL WHERE NOT (${condition})`;
}

/** Turns a failed guard or a unique-path violation into the domain error it stands for. */
export function translateBatchError(e: unknown): unknown {
  const msg = String((e as Error)?.message ?? e);
  if (msg.includes('batch_guards.etag_matches')) return new PreconditionFailed('The ETag no longer matches');
  if (msg.includes('batch_guards.quota_available')) return new QuotaExceeded('Not enough quota');
  if (msg.includes('batch_guards.target_free') || msg.includes('UNIQUE constraint failed: files.owner, files.path')) {
    return new AlreadyExists('The target exists already');
  }
  if (msg.includes('batch_guards.source_unchanged')) return new Conflict('The source changed meanwhile');
  if (msg.includes('batch_guards.write_checks')) return new WriteChecksFailed('A check of the write failed in its batch');
  return e;
}

/** A fresh ETag: random, so it is unique per change. */
export function newEtag(): string {
  const b = crypto.getRandomValues(new Uint8Array(8));
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

/** The paths a lookup reads in one go: the path, its parent and the home (see FilesService.get). */
export function pathsReadTogether(path: string): string[] {
  return [...new Set([path, parentPath(path) ?? '', ''])];
}
