import { and, eq, gt, inArray, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { files, locks } from '../../schema';
import { loginReadStatements, loginReadsFrom, type LoginAttempt, type LoginReads } from '../accounts/login-reads';
import { readBuiltOnce, type BoundRead } from './batch';
import { pathsReadTogether, type FileRow } from './tree';

/** What a DAV request on one path reads first: the row, its parent and the home, the children, the locks. */
export interface Prefetched {
  owner: string;
  path: string;
  /** Rows found among the path, its parent and the home. */
  rows: FileRow[];
  /** Children of the path when asked for (PROPFIND Depth 1), else null. */
  children: FileRow[] | null;
  locks: LockRow[];
  /** What authenticating the request reads, when it carried a Basic login. */
  loginReads: LoginReads | null;
}

/**
 * Reads, in one D1 round trip, what a request on `path` of `owner`'s tree will need — and, given
 * the Basic login it carries, what authenticating it will read (accounts/login-reads.ts). The
 * files routes start it before authentication and use it only once the caller is known to be the
 * owner; otherwise it is dropped unseen.
 */
export async function prefetchFiles(
  env: Env, owner: string, path: string, withChildren: boolean, now: number,
  login: LoginAttempt | null = null,
): Promise<Prefetched> {
  const paths = pathsReadTogether(path);
  const reads: BoundRead<unknown>[] = [
    rowsRead[paths.length - 1](env.DB, { owner, ...Object.fromEntries(paths.map((p, i) => [`p${i}`, p])) }),
    locksRead(env.DB, { owner, now }),
    ...(login ? loginReadStatements(env.DB, login) : []),
  ];
  const [results, children] = await Promise.all([
    env.DB.batch(reads.map((r) => r.statement)),
    withChildren ? listChildren(env, owner, path) : null,
  ]);
  const [rows, lockRows, ...loginResults] = results.map((result, i) => reads[i].map(result));
  return {
    owner, path, rows: rows as FileRow[], children, locks: lockRows as LockRow[],
    loginReads: login ? loginReadsFrom(login, loginResults) : null,
  };
}

/** The rows at one, two or three paths of an owner's tree (pathsReadTogether), built once each. */
const rowsRead = [1, 2, 3].map((n) => readBuiltOnce<FileRow[]>((db) => db.select().from(files).where(and(
  eq(files.owner, sql.placeholder('owner')),
  inArray(files.path, Array.from({ length: n }, (_, i) => sql.placeholder(`p${i}`))),
))));

/** An owner's live locks. */
const locksRead = readBuiltOnce<LockRow[]>((db) => db.select().from(locks)
  .where(and(eq(locks.owner, sql.placeholder('owner')), gt(locks.expiresAt, sql.placeholder('now')))));

type LockRow = typeof locks.$inferSelect;

/**
 * The children of a folder for a listing: rows as arrays (D1's cheapest form) and without their
 * segment lists, which a listing never reads — this query is most of a large PROPFIND's time.
 */
async function listChildren(env: Env, owner: string, path: string): Promise<FileRow[]> {
  const db = drizzle(env.DB);
  const q = db.select({
    fileid: files.fileid, path: files.path, parentId: files.parentId, name: files.name, isDir: files.isDir, size: files.size,
    mtime: files.mtime, createdAt: files.createdAt, etag: files.etag, contentType: files.contentType, checksums: files.checksums,
  }).from(files).where(eq(files.parentId, sql`(SELECT f2.fileid FROM files AS f2 WHERE f2.owner = ${owner} AND f2.path = ${path})`)).toSQL();
  const rows = await env.DB.prepare(q.sql).bind(...q.params).raw();
  return rows.map((r) => ({
    fileid: r[0] as number, owner, path: r[1] as string, parentId: r[2] as number | null, name: r[3] as string, isDir: r[4] === 1,
    size: r[5] as number, mtime: r[6] as number, createdAt: r[7] as number, etag: r[8] as string, contentType: r[9] as string,
    checksums: r[10] as string | null, segments: null,
  }));
}
