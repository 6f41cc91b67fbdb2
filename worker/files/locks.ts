import { and, eq, gt, lt, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { locks } from '../../schema';
import type { DavLock, LockStore } from '../dav/backend';
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

  async locksAround(path: string, opts: { descendants: boolean; now: number }): Promise<DavLock[]> {
    // Rooted at the path or an ancestor: the lock's path is a prefix of ours at a segment boundary.
    const aboveOrAt = sql`(${locks.path} = '' OR ${locks.path} = ${path} OR substr(${path}, 1, length(${locks.path}) + 1) = ${locks.path} || '/')`;
    const where = opts.descendants ? sql`(${aboveOrAt} OR ${atOrBelowPath(locks.path, path)})` : aboveOrAt;
    const rows = await this.db.select().from(locks).where(and(eq(locks.owner, this.owner), gt(locks.expiresAt, opts.now), where));
    return rows.map(toLock);
  }

  async create(lock: DavLock): Promise<void> {
    await this.db.insert(locks).values({
      token: lock.token, owner: this.owner, path: lock.path, depth: lock.depth === 0 ? 0 : -1, exclusive: lock.exclusive,
      ownerXml: lock.ownerXml, principal: lock.principal, timeoutSeconds: lock.timeoutSeconds, expiresAt: lock.expiresAtMs,
    });
  }

  async refresh(token: string, timeoutSeconds: number, now: number): Promise<DavLock | null> {
    const rows = await this.db.update(locks).set({ timeoutSeconds, expiresAt: now + timeoutSeconds * 1000 })
      .where(and(eq(locks.token, token), eq(locks.owner, this.owner), gt(locks.expiresAt, now))).returning();
    return rows[0] ? toLock(rows[0]) : null;
  }

  async remove(token: string): Promise<void> {
    await this.db.delete(locks).where(and(eq(locks.token, token), eq(locks.owner, this.owner)));
  }

  async removeAtOrBelow(path: string): Promise<void> {
    await this.db.delete(locks).where(and(eq(locks.owner, this.owner), atOrBelowPath(locks.path, path)));
  }

}

