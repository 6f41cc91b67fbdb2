import { and, eq, gt, inArray, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { files, locks } from '../../schema';
import { parentPath } from '../dav/paths';
import { fileRowFromD1 } from './batch';
import type { FileRow } from './tree';

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
  const wanted = [...new Set([path, parentPath(path) ?? '', ''])];
  const queries = [
    db.select().from(files).where(and(eq(files.owner, owner), inArray(files.path, wanted))).toSQL(),
    db.select().from(locks).where(and(eq(locks.owner, owner), gt(locks.expiresAt, now))).toSQL(),
  ];
  if (withChildren) {
    queries.push(db.select().from(files)
      .where(eq(files.parentId, sql`(SELECT f2.fileid FROM files AS f2 WHERE f2.owner = ${owner} AND f2.path = ${path})`)).toSQL());
  }
  const prepared = queries.map((q) => env.DB.prepare(q.sql).bind(...q.params));
  const [rowsResult, locksResult, childrenResult] = await env.DB.batch(prepared);
  const rows = (rowsResult.results as Record<string, unknown>[]).map(fileRowFromD1);
  return {
    owner,
    path,
    rows,
    children: childrenResult ? (childrenResult.results as Record<string, unknown>[]).map(fileRowFromD1) : null,
    locks: (locksResult.results as Record<string, unknown>[]).map((r) => ({
      token: r.token as string, owner: r.owner as string, path: r.path as string, depth: r.depth as number,
      exclusive: r.exclusive === 1, ownerXml: r.owner_xml as string | null, principal: r.principal as string,
      timeoutSeconds: r.timeout_seconds as number, expiresAt: r.expires_at as number,
    })),
  };
}
