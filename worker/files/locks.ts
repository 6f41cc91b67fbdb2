import { and, eq, gt } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { locks } from '../../schema';
import type { DavLock, LockStore } from '../dav/backend';
import { isSameOrBelow } from '../dav/paths';
import { atOrBelowPath } from './paths-sql';

type LockRow = typeof locks.$inferSelect;

function toLock(r: LockRow): DavLock {
  return {
    token: r.token, path: r.path, depth: r.depth === 0 ? 0 : 'infinity', exclusive: r.exclusive, ownerXml: r.ownerXml,
    principal: r.principal, timeoutSeconds: r.timeoutSeconds, expiresAtMs: r.expiresAt,
  };
}

/** WebDAV locks of one user's tree, kept in D1 so every isolate sees them. */
export class D1LockStore implements LockStore {
  private readonly db;
  constructor(env: Env, private readonly owner: string) {
    this.db = drizzle(env.DB);
  }

  /**
   * All live locks of the tree, loaded once per request: a user holds few locks, and every write
   * asks about them, so one query answers every question of the request.
   */
  private all: Promise<DavLock[]> | null = null;

  /** Uses locks read ahead (prefetch.ts) instead of a query of its own. */
  seed(rows: LockRow[]): void {
    this.all = Promise.resolve(rows.map(toLock));
  }

  /** Starts loading the locks (the backend calls it alongside its first lookup). */
  preload(now: number): Promise<DavLock[]> {
    this.all ??= this.db.select().from(locks).where(and(eq(locks.owner, this.owner), gt(locks.expiresAt, now))).then((rows) => rows.map(toLock));
    return this.all;
  }

  async locksAround(path: string, opts: { descendants: boolean; now: number }): Promise<DavLock[]> {
    const all = await this.preload(opts.now);
    return all.filter((l) => l.expiresAtMs > opts.now &&
      (isSameOrBelow(path, l.path) || (opts.descendants && isSameOrBelow(l.path, path))));
  }

  async create(lock: DavLock): Promise<void> {
    this.all = null;
    await this.db.insert(locks).values({
      token: lock.token, owner: this.owner, path: lock.path, depth: lock.depth === 0 ? 0 : -1, exclusive: lock.exclusive,
      ownerXml: lock.ownerXml, principal: lock.principal, timeoutSeconds: lock.timeoutSeconds, expiresAt: lock.expiresAtMs,
    });
  }

  async refresh(token: string, timeoutSeconds: number, now: number): Promise<DavLock | null> {
    this.all = null;
    const rows = await this.db.update(locks).set({ timeoutSeconds, expiresAt: now + timeoutSeconds * 1000 })
      .where(and(eq(locks.token, token), eq(locks.owner, this.owner), gt(locks.expiresAt, now))).returning();
    return rows[0] ? toLock(rows[0]) : null;
  }

  async remove(token: string): Promise<void> {
    this.all = null;
    await this.db.delete(locks).where(and(eq(locks.token, token), eq(locks.owner, this.owner)));
  }

  async removeAtOrBelow(path: string): Promise<void> {
    this.all = null;
    await this.db.delete(locks).where(and(eq(locks.owner, this.owner), atOrBelowPath(locks.path, path)));
  }

}

