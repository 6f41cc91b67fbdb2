/**
 * Password login: resolve the login name, apply the throttle, verify (through the credential
 * cache), and account for the outcome. Protocol-neutral: auth.ts turns the result into HTTP.
 */
import { eq, sql, type SQL } from 'drizzle-orm';
import { drizzle, type DrizzleD1Database } from 'drizzle-orm/d1';
import { users } from '../../schema/accounts';
import type { AuthUser } from '../http/env';
import { ACTIVITY_RESOLUTION_SECONDS } from './app-passwords';
import { credentialKey, forgetCredential, lookupCredential, rememberCredential } from './credential-cache';
import { usableLoginReads, type LoginReads } from './login-reads';
import { verifyPassword } from './password';
import { clearFailures, readThrottle, recordFailure, throttleDelay, throttleKeys, throttleState } from './throttle';
import { isAdminColumn, recordLogin, userColumns } from './users';

export interface Credentials { login: string; password: string }

export interface LoginContext {
  /** The client address (CF-Connecting-IP), 'unknown' without one. */
  ip: string;
  /** Milliseconds since the epoch. */
  now: number;
  /** Holds the answer after previous failures; I/O wait, not CPU. */
  sleep: (ms: number) => Promise<void>;
  /** Reads made ahead for this request (login-reads.ts); used only if they match ip and login. */
  reads?: Promise<LoginReads | null>;
}

export type LoginResult =
  | { ok: true; user: AuthUser }
  | { ok: false; status: 401; message: string }
  | { ok: false; status: 429; message: string; retryAfterSeconds: number };

/** The same message for unknown login and wrong password: the answer must not reveal accounts. */
export const BAD_CREDENTIALS = 'Username or password was incorrect';

// Verified against when the login is unknown, so that an unknown login costs the same time as a
// wrong password. No password derives this all-zero hash.
const DUMMY_RECORD = `pbkdf2-sha256$100000$${'A'.repeat(22)}==$${'A'.repeat(43)}=`;

/** Checks a login name (user id or e-mail) and password; never throws for bad credentials. */
export async function login(env: Env, credentials: Credentials, context: LoginContext): Promise<LoginResult> {
  const db = drizzle(env.DB);
  const { login: name, password } = credentials;
  const { now } = context;
  const keys = throttleKeys(context.ip, name);
  const cacheKey = await credentialKey(name, password);
  const entry = lookupCredential(cacheKey, now);
  // An app password's entry under this pair: that token no longer exists (else it had logged in).
  if (entry?.via === 'app-password') forgetCredential(cacheKey);
  const cached = entry?.via === 'password' ? entry : undefined;

  // The throttle state and the account are read concurrently (one round trip of latency), or
  // were read ahead with the route's own reads (no round trip).
  const reads = await usableLoginReads(context.reads, context.ip, name);
  const [throttle, found] = await Promise.all([
    reads ? throttleState(reads.throttleRows, now) : readThrottle(db, keys, now),
    cached
      ? (reads?.user?.id === cached.userId ? reads.user : findUserRow(db, eq(users.id, cached.userId)))
      : (reads?.user ?? findUserByLogin(db, name)),
  ]);
  if (throttle.blockedUntil !== null) {
    return {
      ok: false, status: 429, message: 'Too many failed logins; try again later',
      retryAfterSeconds: Math.max(1, Math.ceil((throttle.blockedUntil - now) / 1000)),
    };
  }
  const delay = throttleDelay(throttle.failures);
  if (delay > 0) await context.sleep(delay);

  const cachedRow = cached && found && loginNames(found, name) ? found : undefined;
  const cacheHit = cached !== undefined && cachedRow !== undefined && cached.passwordHash === cachedRow.passwordHash;
  let user: UserRow;
  if (cacheHit) {
    user = cachedRow;
  } else {
    if (cached) forgetCredential(cacheKey);
    const row = cached ? cachedRow ?? await findUserByLogin(db, name) : found;
    const valid = await verifyPassword(password, row?.passwordHash ?? DUMMY_RECORD);
    if (!valid || !row) {
      await recordFailure(db, keys, now);
      return { ok: false, status: 401, message: BAD_CREDENTIALS };
    }
    user = row;
  }
  // Checked after the password so that the answer reveals nothing to someone without it.
  if (!user.enabled) return { ok: false, status: 401, message: 'This account is disabled' };
  if (throttle.hasRows) await clearFailures(db, keys);
  if (!cacheHit) {
    rememberCredential(cacheKey, { via: 'password', userId: user.id, passwordHash: user.passwordHash, quota: user.quota }, now);
    await recordLogin(env, user.id, now);
  }
  return {
    ok: true,
    user: {
      id: user.id, displayName: user.displayName, email: user.email, quota: user.quota,
      isAdmin: user.isAdmin, loginName: name, via: 'password',
    },
  };
}

/**
 * A login that a write may check in its own D1 batch rather than before it (files/optimistic-put.ts):
 * these credentials — the login password or an app password — were verified in this isolate
 * within the credential cache's lifetime, for the account whose id is exactly the login name.
 * `values` bind CACHED_LOGIN_HOLDS. Null also when an app password's use is due to be recorded
 * (once a minute): the normal path records it.
 */
export async function cachedLogin(ip: string, credentials: Credentials, now: number): Promise<{ userId: string; quota: number | null; values: Record<string, unknown> } | null> {
  const entry = lookupCredential(await credentialKey(credentials.login, credentials.password), now);
  if (!entry || entry.userId !== credentials.login) return null;
  if (entry.via === 'app-password' && Math.floor(now / 1000) - entry.activityAt >= ACTIVITY_RESOLUTION_SECONDS) return null;
  const [ipKey, loginKey] = throttleKeys(ip, credentials.login);
  const secretHash = entry.via === 'password' ? entry.passwordHash : entry.tokenHash;
  return { userId: entry.userId, quota: entry.quota, values: { loginUser: entry.userId, loginVia: entry.via, secretHash, ipKey, loginKey } };
}

/**
 * SQL that is true while authentication would accept a cachedLogin at once: the account enabled
 * and, for a password login, still with the password hash that was verified, for an app password,
 * that token still its own (not revoked); and no failed login counted for the IP or the name
 * (login would then wait, refuse, or clear them). Placeholders: loginUser, loginVia, secretHash,
 * ipKey, loginKey.
 */
export const CACHED_LOGIN_HOLDS = sql`EXISTS (SELECT 1 FROM users AS u WHERE u.id = ${sql.placeholder('loginUser')} AND u.enabled = 1 AND CASE ${sql.placeholder('loginVia')}
    WHEN 'password' THEN u.password_hash = ${sql.placeholder('secretHash')}
    ELSE EXISTS (SELECT 1 FROM app_passwords AS a WHERE a.token_hash = ${sql.placeholder('secretHash')} AND a.user_id = u.id) END)
  AND NOT EXISTS (SELECT 1 FROM login_failures AS l WHERE l.key IN (${sql.placeholder('ipKey')}, ${sql.placeholder('loginKey')}))`;

export type UserRow = NonNullable<Awaited<ReturnType<typeof findUserRow>>>;

/** The account columns a login needs, for the rows `where` selects. */
export function userRowQuery(db: DrizzleD1Database, where: SQL) {
  return db.select({
    ...userColumns,
    passwordHash: users.passwordHash,
    isAdmin: isAdminColumn(db),
  }).from(users).where(where);
}

function findUserRow(db: DrizzleD1Database, where: SQL) {
  return userRowQuery(db, where).get();
}

/**
 * Resolves a login name as Nextcloud does: the user id (exact, then ignoring case), then the
 * e-mail address — each only when it names exactly one account.
 */
async function findUserByLogin(db: DrizzleD1Database, name: string): Promise<UserRow | undefined> {
  const exact = await findUserRow(db, eq(users.id, name));
  if (exact) return exact;
  const byId = await db.select({ id: users.id }).from(users)
    .where(sql`${users.id} = ${name} COLLATE NOCASE`).limit(2);
  if (byId.length === 1) return findUserRow(db, eq(users.id, byId[0].id));
  const byEmail = await db.select({ id: users.id }).from(users)
    .where(eq(users.email, name.trim().toLowerCase())).limit(2);
  if (byEmail.length === 1) return findUserRow(db, eq(users.id, byEmail[0].id));
  return undefined;
}

/** Whether `name` still names this user (an e-mail may have moved since the cache entry). */
function loginNames(row: UserRow, name: string): boolean {
  return row.id.toLowerCase() === name.toLowerCase() || row.email === name.trim().toLowerCase();
}
