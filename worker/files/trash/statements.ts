import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import { files, trashItems } from '../../../schema';
import { ancestorsOf } from '../../dav/paths';
import type { Statement } from '../batch';
import { FOLDER_TYPE } from '../mimetypes';
import { below, fileidAt, newEtag, propagate, sizeOf, TRASH_ROOT, type FileRow } from '../tree';
import { clashNumberOf, trashEntryName } from './names';

/** Where a trashed row goes: its entry name below TRASH_ROOT and the deletion time (seconds). */
export interface TrashPlace {
  name: string;
  deletedAt: number;
}

/** Who else lists a trashed item (sharing: a recipient who deleted it sees it too), and under which path of theirs. */
export interface TrashAlsoFor {
  user: string;
  originalLocation: string;
}

/** The path in the owner's tree of a trash entry named `name`. */
export function trashPathOf(name: string): string {
  return `${TRASH_ROOT}/${name}`;
}

/** The owner's trash root row, created lazily in the batch that first needs it (outside the home, so no quota counts it). */
export function ensureTrashRoot(db: DrizzleD1Database, owner: string, now: number) {
  return db.insert(files).values({
    owner, path: TRASH_ROOT, parentId: null, name: '', isDir: true, size: 0, mtime: now, createdAt: now,
    etag: newEtag(), contentType: FOLDER_TYPE,
  }).onConflictDoNothing();
}

/** Statements that change the trash root's size by `delta` and give it a new ETag. */
export function touchTrashRoot(db: DrizzleD1Database, owner: string, etag: string, delta: SQL | number) {
  return db.update(files).set({ etag, size: sql`${files.size} + ${delta}` }).where(and(eq(files.owner, owner), eq(files.path, TRASH_ROOT)));
}

/**
 * Statements that move `row` and its subtree into the owner's trash as metadata only: the home's
 * ancestors lose its size and get `etag`, the paths move below TRASH_ROOT (fileids, properties and
 * versions stay), and a trash entry records where it was. Nothing is deleted, no blob is touched.
 * The caller adds its own guards (the row is still where it was) and runs them as one batch.
 */
export function trashStatements(
  db: DrizzleD1Database,
  owner: string,
  row: FileRow,
  place: TrashPlace,
  opts: { etag: string; deletedBy: string; alsoFor?: TrashAlsoFor[] },
): Statement[] {
  const dest = trashPathOf(place.name);
  const size = sizeOf(row.fileid);
  const stmts: Statement[] = [
    ensureTrashRoot(db, owner, place.deletedAt),
    ...propagate(db, owner, ancestorsOf(row.path), opts.etag, sql`(0 - ${size})`),
    touchTrashRoot(db, owner, opts.etag, size),
  ];
  if (row.isDir) {
    // SQLite's substr counts characters (code points), not UTF-16 units.
    const cut = [...row.path].length + 1;
    stmts.push(db.update(files).set({ path: sql`${dest} || substr(${files.path}, ${cut})` }).where(below(owner, row.path)));
  }
  stmts.push(db.update(files).set({ path: dest, name: place.name, parentId: fileidAt(owner, TRASH_ROOT) }).where(eq(files.fileid, row.fileid)));
  const entries = [{ user: owner, originalLocation: row.path }, ...(opts.alsoFor ?? [])];
  for (const e of entries) {
    stmts.push(db.insert(trashItems).values({
      user: e.user, owner, fileid: row.fileid, name: row.name, originalLocation: e.originalLocation,
      deletedAt: place.deletedAt, deletedBy: opts.deletedBy, size,
    }));
  }
  return stmts;
}

/**
 * After a batch putting an entry at `tried` failed on a taken path: the next free place for an
 * entry of `name` deleted at `deletedAt` (several same-named files deleted in one second, e.g. a
 * client removing Thumbs.db everywhere), or null when `tried` is free (the clash was elsewhere).
 * One indexed range read, only after a clash; `spread` > 1 picks at random among that many numbers.
 */
export async function nextTrashPlace(d1: D1Database, owner: string, name: string, deletedAt: number, tried: string, spread = 1): Promise<TrashPlace | null> {
  const plain = trashEntryName(name, deletedAt);
  const prefix = trashPathOf(plain);
  // Entries only, not the rows inside a trashed folder of that name.
  const { results } = await d1.prepare('SELECT path FROM files WHERE owner = ? AND path >= ? AND path < ? AND instr(substr(path, ?), \'/\') = 0')
    .bind(owner, prefix, prefix + '\u{10FFFF}', [...prefix].length + 1).all<{ path: string }>();
  const taken = results.map(({ path }) => path.slice(TRASH_ROOT.length + 1));
  if (!taken.includes(tried)) return null;
  const highest = Math.max(1, ...taken.map((n) => clashNumberOf(n, plain) ?? 1));
  // Concurrent deletes that clashed once would all pick the same next number: `spread` scatters them.
  return { name: trashEntryName(name, deletedAt, highest + 1 + Math.floor(Math.random() * spread)), deletedAt };
}
