import type { DavContext, DavLock, DavResource } from './backend';
import { DavError } from './errors';
import { encodeRelativePath, isSameOrBelow, parentPath } from './paths';

/** Longest lock we grant; clients refresh (RFC 4918 §6.6). */
export const MAX_LOCK_SECONDS = 7 * 24 * 3600;
export const DEFAULT_LOCK_SECONDS = 3600;

/** The href of a path in this mount (collections end with a slash). */
export function hrefOf(ctx: DavContext, path: string, isCollection: boolean): string {
  if (path === '') return ctx.baseHref + '/';
  return `${ctx.baseHref}/${encodeRelativePath(path)}${isCollection ? '/' : ''}`;
}

/** True when `lock` covers `path`: rooted there, or rooted above it with depth infinity. */
export function lockCovers(lock: DavLock, path: string): boolean {
  return lock.path === path || (lock.depth === 'infinity' && isSameOrBelow(path, lock.path));
}

/** The DAV:activelock element of a lock (RFC 4918 §14.1). */
export function activeLockXml(lock: DavLock, ctx: DavContext, rootIsCollection: boolean): string {
  const remaining = Math.max(0, Math.ceil((lock.expiresAtMs - ctx.now) / 1000));
  return '<d:activelock><d:locktype><d:write/></d:locktype>' +
    `<d:lockscope>${lock.exclusive ? '<d:exclusive/>' : '<d:shared/>'}</d:lockscope>` +
    `<d:depth>${lock.depth === 0 ? '0' : 'infinity'}</d:depth>` +
    (lock.ownerXml !== null ? `<d:owner>${lock.ownerXml}</d:owner>` : '') +
    `<d:timeout>Second-${remaining}</d:timeout>` +
    `<d:locktoken><d:href>${lock.token}</d:href></d:locktoken>` +
    `<d:lockroot><d:href>${hrefOf(ctx, lock.path, rootIsCollection)}</d:href></d:lockroot></d:activelock>`;
}

export const SUPPORTED_LOCK_XML =
  '<d:lockentry><d:lockscope><d:exclusive/></d:lockscope><d:locktype><d:write/></d:locktype></d:lockentry>' +
  '<d:lockentry><d:lockscope><d:shared/></d:lockscope><d:locktype><d:write/></d:locktype></d:lockentry>';

/** What a write touches, for lock enforcement (RFC 4918 §7). */
export interface LockedTarget {
  path: string;
  /** The operation adds or removes `path` as a member of its parent (create, delete, move). */
  changesMembership: boolean;
  /** The operation affects everything below `path` too (DELETE or MOVE of a collection). */
  recursive: boolean;
}

/**
 * Refuses with 423 unless the request submitted (in its If header) a token of every lock that
 * protects a target. Shared locks are satisfied by any one of their tokens. Tokens only count
 * for the principal that took them.
 */
export async function assertLockTokens(
  backend: { locks: { locksAround(path: string, o: { descendants: boolean; now: number }): Promise<DavLock[]> } },
  ctx: DavContext,
  targets: LockedTarget[],
  submitted: ReadonlySet<string>,
): Promise<void> {
  for (const t of targets) {
    const probe = t.changesMembership ? (parentPath(t.path) ?? t.path) : t.path;
    const locks = await backend.locks.locksAround(probe, { descendants: t.recursive || t.changesMembership, now: ctx.now });
    const relevant = locks.filter((l) =>
      lockCovers(l, t.path) ||
      (t.changesMembership && l.path === probe) ||
      (t.recursive && isSameOrBelow(l.path, t.path)));
    const held = (l: DavLock) => submitted.has(l.token) && l.principal === ctx.principal;
    const exclusive = relevant.filter((l) => l.exclusive);
    const shared = relevant.filter((l) => !l.exclusive);
    const missing = exclusive.find((l) => !held(l)) ?? (shared.length > 0 && !shared.some(held) ? shared[0] : undefined);
    if (missing) {
      throw new DavError(423, 'The resource is locked', {
        condition: 'lock-token-submitted',
        conditionBody: `<d:href>${hrefOf(ctx, missing.path, true)}</d:href>`,
      });
    }
  }
}

/** Locks that are visible on a resource (lockdiscovery). */
export function locksOn(all: readonly DavLock[], resource: DavResource): DavLock[] {
  return all.filter((l) => lockCovers(l, resource.path));
}

/**
 * Whether an existing lock conflicts with a new one at `path` (RFC 4918 §6.2): any lock conflicts
 * with an exclusive one; shared locks only conflict with exclusive ones.
 */
export function isLockConflict(existing: DavLock, path: string, newIsInfinite: boolean, newIsExclusive: boolean): boolean {
  const overlaps = lockCovers(existing, path) || (newIsInfinite && isSameOrBelow(existing.path, path));
  return overlaps && (newIsExclusive || existing.exclusive);
}
