import { and, eq, gt, inArray, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { files, locks } from '../../schema';
import { fileRowFromD1 } from './batch';
import { pathsReadTogether, type FileRow } from './tree';

/** What a DAV request on one path reads first: the row, its parent and the home, the children, the locks. */
export interface Prefetched {
  owner: string;
  path: string;
  /** Rows found among the path, its parent and the home. */
  rows: FileRow[];
  /** Children of the path when asked for (PROPFIND Depth 1), else null. */
  children: FileRow[] | null;
  locks: (typeof locks.$inferSelect)[];
}

/**
 * Reads, in one D1 round trip, what a request on `path` of `owner`'s tree will need. The files
 * routes start it alongside authentication (which costs a round trip of its own) and use it only
 * once the caller is known to be the owner; otherwise it is dropped unseen.
 */
export async function prefetchFiles(env: Env, owner: string, path: string, withChildren: boolean, now: number): Promise<Prefetched> {
  const db = drizzle(env.DB);
  const wanted = pathsReadTogether(path);
  const queries = [
    db.select().from(files).where(and(eq(files.owner, owner), inArray(files.path, wanted))).toSQL(),
    db.select().from(locks).where(and(eq(locks.owner, owner), gt(locks.expiresAt, now))).toSQL(),
  ];
  const prepared = queries.map((q) => env.DB.prepare(q.sql).bind(...q.params));
  const [[rowsResult, locksResult], children] = await Promise.all([
    env.DB.batch(prepared),
    withChildren ? listChildren(env, owner, path) : null,
  ]);
  const rows = (rowsResult.results as Record<string, unknown>[]).map(fileRowFromD1);
  return {
    owner,
    path,
    rows,
    children,
    locks: (locksResult.results as Record<string, unknown>[]).map((r) => ({
      token: r.token as string, owner: r.owner as string, path: r.path as string, depth: r.depth as number,
      exclusive: r.exclusive === 1, ownerXml: r.owner_xml as string | null, principal: r.principal as string,
      timeoutSeconds: r.timeout_seconds as number, expiresAt: r.expires_at as number,
    })),
  };
}

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
