/**
 * Browser sessions of the web app: a random 256-bit token in an HttpOnly cookie, its SHA-256 in
 * D1 (web_sessions). A session dies at its absolute expiry, after the idle timeout, on logout, or
 * with its user; a disabled user's session is refused. Protocol-neutral: the cookie and the
 * routes live in sessions-http.ts and sessions-routes.ts.
 */
import { and, desc, eq, gt, gte, lt, or } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { users } from '../../schema/accounts';
import { webSessions } from '../../schema/sessions';
import type { AuthUser } from '../http/env';
import { constantTimeEqual } from './password';
import { randomAlphanumeric, sameHash, sha256Hex } from './tokens';
import { isAdminColumn, userColumns } from './users';

/** Cookie value length: 43 alphanumerics ≈ 256 bits. */
export const SESSION_TOKEN_LENGTH = 43;
/** A session unused for this long is dead (Nextcloud's session_lifetime default: 24 h). */
export const SESSION_IDLE_MS = 24 * 60 * 60 * 1000;
/** However active, a session ends this long after sign-in. */
export const SESSION_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;
/** last_activity is written at most this often per session. */
const ACTIVITY_RESOLUTION_MS = 60 * 1000;

/** Longest User-Agent kept for the sessions list. */
const MAX_USER_AGENT = 200;
/** A session's public id: the first hex digits of its token hash (the hash itself stays private). */
const SESSION_ID_LENGTH = 16;

/** One live session as its owner sees it in "Devices & sessions". */
export interface SessionInfo { id: string; userAgent: string | null; createdAt: number; lastActivity: number; current: boolean }

/** The user's live sessions, newest activity first; `currentHash` marks the one in use. */
export async function listSessions(env: Env, userId: string, now: number, currentHash: string | null): Promise<SessionInfo[]> {
  const rows = await drizzle(env.DB).select().from(webSessions)
    .where(and(eq(webSessions.userId, userId), gt(webSessions.expiresAt, now), gt(webSessions.lastActivity, now - SESSION_IDLE_MS)))
    .orderBy(desc(webSessions.lastActivity));
  return rows.map((r) => ({
    id: r.tokenHash.slice(0, SESSION_ID_LENGTH), userAgent: r.userAgent, createdAt: r.createdAt, lastActivity: r.lastActivity,
    current: r.tokenHash === currentHash,
  }));
}

/** Ends one of the user's sessions by its public id; false when the user has no such session. */
export async function endSession(env: Env, userId: string, id: string): Promise<boolean> {
  if (!new RegExp(`^[0-9a-f]{${SESSION_ID_LENGTH}}$`).test(id)) return false;
  const gone = await drizzle(env.DB).delete(webSessions)
    .where(and(eq(webSessions.userId, userId), gte(webSessions.tokenHash, id), lt(webSessions.tokenHash, `${id}g`)))
    .returning({ hash: webSessions.tokenHash });
  return gone.length > 0;
}

/** A new session: the token goes into the cookie and nowhere else. */
export interface NewSession { token: string; expiresAt: number }

/** Starts a session for a user who just signed in with their password. */
export async function createSession(env: Env, userId: string, loginName: string, now: number, userAgent: string | null = null): Promise<NewSession> {
  const db = drizzle(env.DB);
  const token = randomAlphanumeric(SESSION_TOKEN_LENGTH);
  const expiresAt = now + SESSION_MAX_AGE_MS;
  await db.batch([
    // Dead sessions carry nothing; sign-ins are rare enough to sweep them here (indexed).
    db.delete(webSessions).where(lt(webSessions.expiresAt, now)),
    db.insert(webSessions).values({
      tokenHash: await sha256Hex(token), userId, loginName, createdAt: now, lastActivity: now, expiresAt,
      userAgent: userAgent === null ? null : userAgent.slice(0, MAX_USER_AGENT),
    }),
  ]);
  return { token, expiresAt };
}

/** Cron job: deletes sessions past their absolute expiry or idle for longer than SESSION_IDLE_MS. */
export async function purgeDeadSessions(env: Env, now: Date): Promise<void> {
  const ms = now.getTime();
  await drizzle(env.DB).delete(webSessions).where(or(lt(webSessions.expiresAt, ms), lt(webSessions.lastActivity, ms - SESSION_IDLE_MS)));
}

export type SessionResult =
  | { ok: true; user: AuthUser }
  | { ok: false; message: string };

/** The signed-in user of a session token, or why not (unknown, expired, idle, disabled). */
export async function verifySession(env: Env, token: string, now: number): Promise<SessionResult> {
  if (!isSessionToken(token)) return { ok: false, message: 'Session expired; sign in again' };
  const db = drizzle(env.DB);
  const hash = await sha256Hex(token);
  const row = await db.select({
    ...userColumns,
    isAdmin: isAdminColumn(db),
    tokenHash: webSessions.tokenHash,
    loginName: webSessions.loginName,
    lastActivity: webSessions.lastActivity,
    expiresAt: webSessions.expiresAt,
  }).from(webSessions)
    .innerJoin(users, eq(users.id, webSessions.userId))
    .where(eq(webSessions.tokenHash, hash)).get();
  if (!row || !sameHash(row.tokenHash, hash)) return { ok: false, message: 'Session expired; sign in again' };
  if (now >= row.expiresAt || now >= row.lastActivity + SESSION_IDLE_MS) {
    await db.delete(webSessions).where(eq(webSessions.tokenHash, hash));
    return { ok: false, message: 'Session expired; sign in again' };
  }
  if (!row.enabled) return { ok: false, message: 'This account is disabled' };
  if (now - row.lastActivity >= ACTIVITY_RESOLUTION_MS) {
    await db.update(webSessions).set({ lastActivity: now })
      .where(and(eq(webSessions.tokenHash, hash), lt(webSessions.lastActivity, now)));
  }
  return {
    ok: true,
    user: {
      id: row.id, displayName: row.displayName, email: row.email, quota: row.quota, isAdmin: row.isAdmin,
      loginName: row.loginName, via: 'session', sessionHash: hash,
    },
  };
}

/** Ends a session (logout); a no-op for an unknown token. */
export async function deleteSession(env: Env, token: string): Promise<void> {
  if (!isSessionToken(token)) return;
  await drizzle(env.DB).delete(webSessions).where(eq(webSessions.tokenHash, await sha256Hex(token)));
}

/**
 * The CSRF token of a session (Nextcloud's "requesttoken"): derived from the session token, so
 * nothing more is stored, and unguessable without the HttpOnly cookie. A copy of the table (which
 * holds a different hash of the token) does not yield it.
 */
export async function csrfToken(sessionToken: string): Promise<string> {
  return sha256Hex(`cumulus-requesttoken:${sessionToken}`);
}

/** Whether `given` is the CSRF token of the session, compared in constant time. */
export async function checkCsrfToken(sessionToken: string, given: string | undefined): Promise<boolean> {
  if (given === undefined || given === '') return false;
  const encoder = new TextEncoder();
  return constantTimeEqual(encoder.encode(await csrfToken(sessionToken)), encoder.encode(given));
}

/** Whether a cookie value has the shape of a session token (anything else is not looked up). */
export function isSessionToken(value: string): boolean {
  return value.length === SESSION_TOKEN_LENGTH && /^[A-Za-z0-9]+$/.test(value);
}
