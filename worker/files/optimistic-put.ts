/**
 * A PUT of a file in one D1 round trip instead of two. The normal path reads ahead (login,
 * throttle, rows, locks), stores the body, then commits. For a client whose Basic login (its
 * password or an app password) this isolate verified within the last minutes (the credential
 * cache), this path stores the body first and lets one batch check what the reads would have
 * told — the login still holds, the owner holds no lock, the parent is a folder and the target is
 * not, the owner still has no quota, the ETag precondition (If-Match / If-None-Match: *) holds —
 * and commit. Sync clients and mounts write many small files in a row; each one saves a round
 * trip, which on Cloudflare is the largest part of a small write.
 *
 * When a check fails, nothing is written and the stored content is handed to the normal path
 * (FilesService.useStoredAhead): it authenticates, reads and answers exactly as it would have, and
 * whatever it does not commit is deleted when the request ends. So only content is ever stored
 * before the checks, only for credentials that were correct minutes ago, and never for an owner
 * with a quota (who must get 507 before any byte is stored). Anything the batch cannot judge by
 * the owner's own rows must fail its checks: share mounts, when they come, must not look like a
 * plain folder of the owner to `parentIsFolder` (FilesService commitBuilt).
 */
import { sql } from 'drizzle-orm';
import type { Context } from 'hono';
import { CACHED_LOGIN_HOLDS, cachedLogin, clientIp, parseBasicAuthorization } from '../accounts/auth';
import type { AppEnv } from '../http/env';
import { etagPrecondition, parseLength, parseMtime, putAnswer } from '../dav/methods/put';
import { SEGMENT_BYTES } from './blobs';
import { dav, fileWriteHeaders } from './dav-backend';
import { FilesService, parseChecksum, type StoredAhead } from './service';

/** The login still holds, and the owner holds no live lock (any lock: the normal path judges it). */
const CHECKS = sql`${CACHED_LOGIN_HOLDS} AND NOT EXISTS (SELECT 1 FROM locks AS k WHERE k.owner = ${sql.placeholder('owner')} AND k.expires_at > ${sql.placeholder('nowMs')})`;

/** Headers whose meaning needs the target read first: such a PUT takes the normal path. */
const CONDITIONAL = ['If', 'If-Modified-Since', 'If-Unmodified-Since', 'Content-Range'];

/**
 * Tries the one-batch PUT of `path` in `owner`'s files. Returns the answer; or the content it
 * stored when a check failed (the caller hands it to the normal path and deletes it unless a
 * write settled it); or null when the request does not qualify and nothing was read or stored.
 */
export async function optimisticPut(c: Context<AppEnv>, owner: string, path: string): Promise<Response | StoredAhead | null> {
  const headers = c.req.raw.headers;
  if (path === '' || CONDITIONAL.some((h) => headers.has(h))) return null;
  // If-Match with one ETag (the desktop client updating a file) or If-None-Match: * is checked in the batch.
  const { expectEtag, whole } = etagPrecondition(headers);
  if (!whole) return null;
  let length: number | null;
  let mtime: number | null;
  try {
    length = parseLength(headers.get('Content-Length'));
    mtime = parseMtime(headers.get('X-OC-Mtime'));
    parseChecksum(headers.get('OC-Checksum'));
  } catch {
    return null; // the normal path answers 400, after authentication
  }
  // One segment at most: a large upload gains nothing from one round trip less.
  if (length === null || length > SEGMENT_BYTES) return null;
  const credentials = parseBasicAuthorization(headers.get('Authorization') ?? undefined);
  if (!credentials) return null;
  const now = Date.now();
  const login = await cachedLogin(clientIp(c), credentials, now);
  if (!login || login.userId !== owner || login.quota !== null) return null;

  const service = new FilesService(c.env, owner, null);
  const outcome = await dav(() => service.writeCheckingInBatch(path, c.req.raw.body, {
    length, mtime, checksum: headers.get('OC-Checksum'), expectEtag,
  }, { sql: CHECKS, values: { ...login.values, nowMs: now } }));
  if (!('row' in outcome)) return outcome;
  return putAnswer(outcome.row.etag, outcome.created, { mtimeAccepted: mtime !== null, headers: fileWriteHeaders(outcome.row) });
}
