import type { DavLock } from '../backend';
import { DavError } from '../errors';
import { activeLockXml, DEFAULT_LOCK_SECONDS, hrefOf, isLockConflict, lockCovers, MAX_LOCK_SECONDS } from '../locks';
import { NS } from '../namespaces';
import { parentPath } from '../paths';
import type { DavRequest } from '../request';
import { child, isElement, serializeChildren } from '../xml';

/** Timeout header (RFC 4918 §10.7): the first value we understand, capped. */
function parseTimeout(raw: string | null): number {
  for (const part of (raw ?? '').split(',')) {
    const v = part.trim();
    if (/^infinite$/i.test(v)) return MAX_LOCK_SECONDS;
    const m = /^second-(\d+)$/i.exec(v);
    if (m) return Math.max(1, Math.min(Number(m[1]), MAX_LOCK_SECONDS));
  }
  return DEFAULT_LOCK_SECONDS;
}

function lockResponse(r: DavRequest, lock: DavLock, rootIsCollection: boolean, status: number): Response {
  const body = `<?xml version="1.0" encoding="utf-8"?>\n<d:prop xmlns:d="DAV:"><d:lockdiscovery>${activeLockXml(lock, r.ctx, rootIsCollection)}</d:lockdiscovery></d:prop>\n`;
  return new Response(body, {
    status,
    headers: { 'Content-Type': 'application/xml; charset=utf-8', 'Lock-Token': `<${lock.token}>` },
  });
}

/**
 * LOCK (RFC 4918 §9.10): a new exclusive or shared write lock, or — without a body — a refresh of
 * a lock named in the If header. Locking an unmapped URL creates an empty file (§7.3).
 */
export async function lock(r: DavRequest): Promise<Response> {
  const body = await r.xmlBody();
  const timeout = parseTimeout(r.header('Timeout'));
  let target = await r.backend.resolve(r.path);

  if (body === null) {
    if (!target) throw new DavError(404, 'Resource not found');
    const tokens = [...r.submitted];
    if (tokens.length === 0) throw new DavError(400, 'A lock refresh needs the lock token in an If header');
    await r.checkIfHeader(target);
    const current = await r.backend.locks.locksAround(r.path, { descendants: false, now: r.ctx.now });
    const mine = current.find((l) => lockCovers(l, r.path) && tokens.includes(l.token) && l.principal === r.ctx.principal);
    if (!mine) throw new DavError(412, 'No lock with this token applies to the resource', { condition: 'lock-token-matches-request-uri' });
    const refreshed = await r.backend.locks.refresh(mine.token, timeout, r.ctx.now);
    if (!refreshed) throw new DavError(412, 'The lock has expired', { condition: 'lock-token-matches-request-uri' });
    return lockResponse(r, refreshed, mine.path === r.path ? target.isCollection : true, 200);
  }

  if (!isElement(body, NS.DAV, 'lockinfo')) throw new DavError(400, 'Expected a DAV:lockinfo body');
  const scope = child(body, NS.DAV, 'lockscope');
  const exclusive = !!(scope && child(scope, NS.DAV, 'exclusive'));
  if (!scope || (!exclusive && !child(scope, NS.DAV, 'shared'))) throw new DavError(400, 'lockscope must be exclusive or shared');
  const type = child(body, NS.DAV, 'locktype');
  if (!type || !child(type, NS.DAV, 'write')) throw new DavError(400, 'Only write locks are supported');
  const depth = r.depth('infinity');
  if (depth === 1) throw new DavError(400, 'Depth 1 is not allowed for LOCK');
  const owner = child(body, NS.DAV, 'owner');

  await r.checkIfHeader(target);
  const existing = await r.backend.locks.locksAround(r.path, { descendants: depth === 'infinity', now: r.ctx.now });
  const conflict = existing.find((l) => isLockConflict(l, r.path, depth === 'infinity', exclusive));
  if (conflict) {
    throw new DavError(423, 'The resource is already locked', {
      condition: 'no-conflicting-lock',
      conditionBody: `<d:href>${hrefOf(r.ctx, conflict.path, true)}</d:href>`,
    });
  }
  let status = 200;
  if (!target) {
    const parent = await r.backend.resolve(parentPath(r.path)!);
    if (!parent || !parent.isCollection) throw new DavError(409, 'The parent collection does not exist');
    await r.assertUnlocked([{ path: r.path, changesMembership: true, recursive: false }]);
    target = (await r.backend.write(r.path, null, { length: 0, contentType: null, mtime: null, checksum: null, expectEtag: null })).resource;
    status = 201;
  }
  const newLock: DavLock = {
    token: `opaquelocktoken:${crypto.randomUUID()}`,
    path: r.path,
    depth: depth === 0 ? 0 : 'infinity',
    exclusive,
    ownerXml: owner ? serializeChildren(owner) : null,
    principal: r.ctx.principal,
    timeoutSeconds: timeout,
    expiresAtMs: r.ctx.now + timeout * 1000,
  };
  await r.backend.locks.create(newLock);
  return lockResponse(r, newLock, target.isCollection, status);
}

/** UNLOCK (RFC 4918 §9.11): the token must name a lock that applies to the request URI. */
export async function unlock(r: DavRequest): Promise<Response> {
  const m = /^\s*<([^>]+)>\s*$/.exec(r.header('Lock-Token') ?? '');
  if (!m) throw new DavError(400, 'The Lock-Token header is missing or malformed');
  const target = await r.backend.resolve(r.path);
  if (!target) throw new DavError(404, 'Resource not found');
  const locks = await r.backend.locks.locksAround(r.path, { descendants: false, now: r.ctx.now });
  // locksAround also returns depth-0 locks of ancestors; only a lock whose scope holds the URI counts.
  const lock = locks.find((l) => l.token === m[1] && lockCovers(l, r.path));
  if (!lock) throw new DavError(409, 'The lock token does not apply to this resource', { condition: 'lock-token-matches-request-uri' });
  if (lock.principal !== r.ctx.principal) throw new DavError(403, 'Only the owner of a lock may remove it');
  await r.backend.locks.remove(lock.token);
  return new Response(null, { status: 204 });
}
