import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { drizzle, type DrizzleD1Database } from 'drizzle-orm/d1';
import { files, fileVersions, trashItems } from '../../../schema';
import { ancestorsOf, baseName, joinPath, parentPath } from '../../dav/paths';
import { AlreadyExists, Conflict, Forbidden, NotFound, QuotaExceeded } from '../../errors';
import { fileRowFromD1, runStatements, type Statement } from '../batch';
import { deleteBlobs, parseSegments, readSegments } from '../blobs';
import { atOrBelow, below, fileidAt, guard, newEtag, propagate, sizeOf, translateBatchError, TRASH_ROOT, type FileRow } from '../tree';
import { restoreNames } from './names';
import { isPastRetention, mayPurgeForSpace, policyOf, trashLimit, type RetentionPolicy } from './retention';

/** One entry of a user's trash with the row at its top (`row.path` is `TRASH_ROOT/<entry name>`). */
export type TrashEntry = typeof trashItems.$inferSelect & { row: FileRow };

/** A row in the trash (an entry's top or anything below it) with the entry it belongs to. */
export interface TrashedRow {
  entry: TrashEntry;
  row: FileRow;
}

/** Sizes the 50 % rule compares: the home (quota usage) and the trash root. */
export interface TrashSizes {
  used: number;
  trash: number;
}

/** The name of an entry in DAV URLs: the last segment of its trash path. */
export function entryNameOf(entry: TrashEntry): string {
  return baseName(entry.row.path);
}

/** Where a trashed row was, relative to the entry user's home, name included (nc:trashbin-original-location). */
export function originalLocationOf({ entry, row }: TrashedRow): string {
  return entry.originalLocation + row.path.slice(entry.row.path.length);
}

/** The trash ancestors of a trashed path, from TRASH_ROOT down to its parent: where its size is counted. */
function trashAncestorsOf(path: string): string[] {
  return ancestorsOf(path).filter((p) => p === TRASH_ROOT || p.startsWith(TRASH_ROOT + '/'));
}

/** Attempts for a batch that a concurrent change can make fail harmlessly (a name taken, the trash changed). */
const ATTEMPTS = 3;

/**
 * A user's trash bin: listing, restoring, deleting for good, emptying, and the retention and 50 %
 * rules for the owner's tree. Trashed rows stay in `files` below the owner's TRASH_ROOT (same
 * fileids), so restoring is metadata only. Entries are read through `trash_items.user` and their
 * rows through `trash_items.owner`, so a share recipient's entry (sharing, later) works the same;
 * today both are the user. Throws domain errors only.
 */
export class TrashService {
  readonly db: DrizzleD1Database;

  constructor(
    private readonly env: Env,
    readonly user: string,
    /** The owner's quota in bytes; null = unlimited (no 50 % cap, no restore refusal). */
    private readonly quota: number | null,
    private readonly clock: () => number = Date.now,
    readonly policy: RetentionPolicy = policyOf(env),
  ) {
    this.db = drizzle(env.DB);
  }

  private nowSeconds(): number {
    return Math.floor(this.clock() / 1000);
  }

  private entriesQuery() {
    return this.db.select({ entry: trashItems, row: files }).from(trashItems)
      .innerJoin(files, and(eq(files.fileid, trashItems.fileid), eq(files.owner, trashItems.owner)));
  }

  /** This user's entries, oldest deletion first. */
  async entries(): Promise<TrashEntry[]> {
    const rows = await this.entriesQuery().where(eq(trashItems.user, this.user)).orderBy(asc(trashItems.deletedAt), asc(trashItems.id));
    return rows.map(({ entry, row }) => ({ ...entry, row }));
  }

  /** The entry named `name` in this user's trash, or null. */
  async entryNamed(name: string): Promise<TrashEntry | null> {
    const [found] = await this.entriesQuery().where(and(eq(trashItems.user, this.user), eq(files.path, `${TRASH_ROOT}/${name}`)));
    return found ? { ...found.entry, row: found.row } : null;
  }

  /** The row at `rest` (a relative path, '' for the top) inside the entry named `name`, or null. */
  async find(name: string, rest: string): Promise<TrashedRow | null> {
    const entry = await this.entryNamed(name);
    if (!entry) return null;
    if (rest === '') return { entry, row: entry.row };
    const [row] = await this.db.select().from(files).where(and(eq(files.owner, entry.owner), eq(files.path, `${entry.row.path}/${rest}`)));
    return row ? { entry, row } : null;
  }

  /** The rows directly inside a trashed folder. */
  children(row: FileRow): Promise<FileRow[]> {
    return this.db.select().from(files).where(eq(files.parentId, row.fileid)).orderBy(asc(files.name));
  }

  /** The owner's trash root row (null before anything was trashed): its ETag changes with every trash change. */
  async root(): Promise<FileRow | null> {
    const [row] = await this.db.select().from(files).where(and(eq(files.owner, this.user), eq(files.path, TRASH_ROOT)));
    return row ?? null;
  }

  read(row: FileRow, range?: { offset: number; length: number }): Promise<ReadableStream<Uint8Array>> {
    return readSegments(this.env.FILES, parseSegments(row.segments), range);
  }

  /** Home and trash sizes of the owner's tree, in one read. */
  async sizes(): Promise<TrashSizes> {
    const rows = await this.db.select({ path: files.path, size: files.size }).from(files)
      .where(and(eq(files.owner, this.user), inArray(files.path, ['', TRASH_ROOT])));
    return { used: rows.find((r) => r.path === '')?.size ?? 0, trash: rows.find((r) => r.path === TRASH_ROOT)?.size ?? 0 };
  }

  /** Statements that take `row` out of the trash's accounting: its trash ancestors and its entry lose its size. */
  private leaveTrash({ entry, row }: TrashedRow, etag: string): Statement[] {
    const size = sizeOf(row.fileid);
    const stmts: Statement[] = [...propagate(this.db, entry.owner, trashAncestorsOf(row.path), etag, sql`(0 - ${size})`)];
    if (row.fileid === entry.fileid) stmts.push(this.db.delete(trashItems).where(eq(trashItems.fileid, entry.fileid)));
    else stmts.push(this.db.update(trashItems).set({ size: sql`${trashItems.size} - ${size}` }).where(eq(trashItems.fileid, entry.fileid)));
    return stmts;
  }

  /**
   * Restores a trashed row (an entry or anything inside one) with its subtree and fileids to where
   * it was; to the home's root when that folder is gone; as `name (restored).ext` when the name is
   * taken (Nextcloud's rules). Refused with QuotaExceeded when it does not fit.
   */
  async restore(item: TrashedRow): Promise<FileRow> {
    const { entry, row } = item;
    // A recipient's original location is in their home, not the owner's: sharing will map it through the mount.
    if (entry.owner !== this.user) throw new Forbidden('Shared items are restored by their owner');
    const o = entry.owner;
    const original = originalLocationOf(item);
    const wanted = parentPath(original) ?? '';
    const [home, folder] = await this.db.select().from(files).where(and(eq(files.owner, o), inArray(files.path, ['', wanted])))
      .then((rows) => [rows.find((r) => r.path === ''), rows.find((r) => r.path === wanted && r.isDir)]);
    const dir = folder ? wanted : '';
    if (this.quota !== null && (home?.size ?? 0) + row.size > this.quota) throw new QuotaExceeded('Not enough quota to restore this item');
    for (let attempt = 1; ; attempt++) {
      const dest = await this.freeName(o, dir, baseName(original));
      try {
        return await this.runRestore(item, dir, dest);
      } catch (e) {
        // Someone took the name meanwhile: pick the next one.
        if (!(e instanceof AlreadyExists) || attempt === ATTEMPTS) throw e;
      }
    }
  }

  /** The first of Nextcloud's restore names that no row of `dir` holds. */
  private async freeName(owner: string, dir: string, name: string): Promise<string> {
    const names = restoreNames(name);
    for (;;) {
      const candidates = Array.from({ length: 20 }, () => joinPath(dir, names.next().value!));
      const taken = new Set((await this.db.select({ path: files.path }).from(files)
        .where(and(eq(files.owner, owner), inArray(files.path, candidates)))).map((r) => r.path));
      const free = candidates.find((c) => !taken.has(c));
      if (free) return free;
    }
  }

  private async runRestore(item: TrashedRow, dir: string, dest: string): Promise<FileRow> {
    const { entry, row } = item;
    const o = entry.owner;
    const etag = newEtag();
    const now = this.nowSeconds();
    const size = sizeOf(row.fileid);
    const stmts: Statement[] = [
      guard('sourceUnchanged', sql`EXISTS (SELECT 1 FROM files AS f2 WHERE f2.fileid = ${row.fileid} AND f2.path = ${row.path})`),
      // The folder it goes to must still be one (else the source "changed" under us: 409, retry).
      guard('sourceUnchanged', sql`EXISTS (SELECT 1 FROM files AS f2 WHERE f2.owner = ${o} AND f2.path = ${dir} AND f2.is_dir = 1)`),
      guard('targetFree', sql`NOT EXISTS (SELECT 1 FROM files AS f2 WHERE f2.owner = ${o} AND f2.path = ${dest})`),
    ];
    if (this.quota !== null) {
      stmts.push(guard('quotaAvailable', sql`(SELECT f2.size FROM files AS f2 WHERE f2.owner = ${o} AND f2.path = '') + ${size} <= ${this.quota}`));
    }
    stmts.push(...this.leaveTrash(item, etag));
    stmts.push(...propagate(this.db, o, ancestorsOf(dest), etag, size));
    stmts.push(this.db.update(files).set({ mtime: now }).where(and(eq(files.owner, o), eq(files.path, dir))));
    if (row.isDir) {
      // SQLite's substr counts characters (code points), not UTF-16 units.
      const cut = [...row.path].length + 1;
      stmts.push(this.db.update(files).set({ path: sql`${dest} || substr(${files.path}, ${cut})` }).where(below(o, row.path)));
    }
    stmts.push(this.db.update(files).set({ path: dest, name: baseName(dest), parentId: fileidAt(o, dir) }).where(eq(files.fileid, row.fileid)).returning());
    const results = await this.run(stmts);
    return fileRowFromD1(results[results.length - 1].results[0]);
  }

  /**
   * Deletes a trashed row and everything below it for good: the rows go in one batch (properties,
   * versions and every entry of them cascade), then their blobs and their versions' blobs. A share
   * recipient's entry (later: rows of another owner) only leaves the recipient's trash; the owner's
   * own entry decides for everyone, so every trashed item keeps its owner's entry.
   */
  async deleteForGood(item: TrashedRow): Promise<void> {
    const { entry, row } = item;
    if (entry.owner !== this.user) {
      if (row.fileid !== entry.fileid) throw new Forbidden('Only the owner can delete part of a shared item');
      await this.run([this.db.delete(trashItems).where(eq(trashItems.id, entry.id))]);
      return;
    }
    await this.purge(item);
  }

  /** Deletes rows and blobs of a trashed row whatever lists it (retention, the 50 % rule, deleteForGood). */
  private async purge(item: TrashedRow): Promise<void> {
    const { entry, row } = item;
    const keys = await this.blobKeysOf(atOrBelow(entry.owner, row.path));
    await this.run([
      // Unchanged ETag: nothing below it was restored since the keys were read (their blobs must live).
      guard('sourceUnchanged', sql`EXISTS (SELECT 1 FROM files AS f2 WHERE f2.fileid = ${row.fileid} AND f2.path = ${row.path} AND f2.etag = ${row.etag})`),
      ...this.leaveTrash(item, newEtag()),
      this.db.delete(files).where(atOrBelow(entry.owner, row.path)),
    ]);
    await deleteBlobs(this.env.FILES, keys);
  }

  /** Every blob key of the rows matching `where` and of their versions (read before the rows go: versions cascade). */
  private async blobKeysOf(where: ReturnType<typeof atOrBelow>): Promise<string[]> {
    const [own, versions] = await Promise.all([
      this.db.select({ segments: files.segments }).from(files).where(where),
      this.db.select({ segments: fileVersions.segments }).from(fileVersions).innerJoin(files, eq(files.fileid, fileVersions.fileid)).where(where),
    ]);
    return [...new Set([...own, ...versions].flatMap((r) => parseSegments(r.segments).map(([k]) => k)))];
  }

  /** Empties this user's trash: every entry deleted for good. */
  async empty(): Promise<void> {
    const entries = await this.entries();
    if (entries.length === 0) return;
    // Entries on others' rows (a share recipient's, later) only leave this trash.
    if (entries.some((e) => e.owner !== this.user)) {
      await this.run([this.db.delete(trashItems).where(and(eq(trashItems.user, this.user), sql`${trashItems.owner} <> ${this.user}`))]);
    }
    for (let attempt = 1; ; attempt++) {
      const root = await this.root();
      if (!root) return;
      const keys = await this.blobKeysOf(below(this.user, TRASH_ROOT));
      try {
        await this.run([
          // The trash root's ETag changes with every trash change: none since the keys were read.
          guard('sourceUnchanged', sql`EXISTS (SELECT 1 FROM files AS f2 WHERE f2.fileid = ${root.fileid} AND f2.etag = ${root.etag})`),
          // Entries of the rows (this user's and any recipient's) go with them (cascade).
          this.db.delete(files).where(below(this.user, TRASH_ROOT)),
          this.db.update(files).set({ size: 0, etag: newEtag() }).where(eq(files.fileid, root.fileid)),
        ]);
      } catch (e) {
        if (!(e instanceof Conflict) || attempt === ATTEMPTS) throw e;
        continue;
      }
      await deleteBlobs(this.env.FILES, keys);
      return;
    }
  }

  /**
   * The retention job for the owner's tree (this.user as owner): entries past the policy's
   * retention go for good, then, while the trash holds more than half the free space, the oldest
   * that the policy lets go. Returns how many entries went.
   */
  async expire(known?: TrashSizes): Promise<number> {
    if (!this.policy.enabled) return 0;
    const now = this.nowSeconds();
    // The owner's own entries: every item of a tree has one (a recipient's entry is a second one).
    const entries = (await this.entriesQuery().where(and(eq(trashItems.user, this.user), eq(trashItems.owner, this.user)))
      .orderBy(asc(trashItems.deletedAt), asc(trashItems.id))).map(({ entry, row }) => ({ ...entry, row }));
    let gone = 0;
    const left: TrashEntry[] = [];
    for (const entry of entries) {
      if (isPastRetention(this.policy, entry.deletedAt, now) && await this.purgeQuietly(entry)) gone++;
      else left.push(entry);
    }
    if (this.quota === null) return gone;
    let { used, trash } = gone > 0 || !known ? await this.sizes() : known;
    const limit = trashLimit(this.quota, used);
    for (const entry of left) {
      if (trash <= limit || !mayPurgeForSpace(this.policy, entry.deletedAt, now)) break;
      if (await this.purgeQuietly(entry)) {
        gone++;
        trash -= entry.row.size;
      }
    }
    return gone;
  }

  /** Purges one entry; false when it changed meanwhile (restored, or already gone): the next run decides again. */
  private async purgeQuietly(entry: TrashEntry): Promise<boolean> {
    try {
      await this.purge({ entry, row: entry.row });
      return true;
    } catch (e) {
      if (e instanceof Conflict || e instanceof NotFound) return false;
      throw e;
    }
  }

  /**
   * The 50 % rule when something entered the trash (Nextcloud checks on every deletion): when the
   * trash now holds more than half the free space, expire() takes the oldest first, possibly what
   * was just deleted. Costs nothing with unlimited quota or the policy disabled.
   */
  async afterTrashing(known?: TrashSizes): Promise<void> {
    if (this.quota === null || !this.policy.enabled) return;
    const sizes = known ?? await this.sizes();
    if (sizes.trash > trashLimit(this.quota, sizes.used)) await this.expire(sizes);
  }

  private async run(stmts: Statement[]) {
    try {
      return await runStatements(this.env.DB, stmts);
    } catch (e) {
      throw translateBatchError(e);
    }
  }
}
