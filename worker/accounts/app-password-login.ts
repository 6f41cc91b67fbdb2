/**
 * Basic login with an app password: one indexed lookup by the token's SHA-256 (no PBKDF2), the
 * same throttle as passwords, and no cache — a revoked token fails on the very next request. (A
 * verified token is remembered in the credential cache, but only for writes that check it again
 * in their own batch.)
 */
import { eq, sql, type Placeholder } from 'drizzle-orm';
import { drizzle, type DrizzleD1Database } from 'drizzle-orm/d1';
import { appPasswords, users } from '../../schema/accounts';
import { ACTIVITY_RESOLUTION_SECONDS, looksLikeAppPassword, recordAppPasswordUse } from './app-passwords';
import { credentialKey, rememberCredential } from './credential-cache';
import { BAD_CREDENTIALS, type Credentials, type LoginContext, type LoginResult } from './login';
import { usableLoginReads } from './login-reads';
import { clearFailures, readThrottle, recordFailure, throttleDelay, throttleKeys, throttleState } from './throttle';
import { sameHash, sha256Hex } from './tokens';
import { isAdminColumn, userColumns } from './users';

/**
 * The result of logging in with `credentials.password` as an app password, or null when no app
 * password has that value (the caller then tries it as the login password).
 */
export async function appPasswordLogin(env: Env, credentials: Credentials, context: LoginContext): Promise<LoginResult | null> {
  const { login: name, password } = credentials;
  if (!looksLikeAppPassword(password)) return null;
  const db = drizzle(env.DB);
  const hash = await sha256Hex(password);
  const keys = throttleKeys(context.ip, name);
  const reads = await usableLoginReads(context.reads, context.ip, name);
  const readAhead = reads?.appPassword?.tokenHash === hash ? reads.appPassword : undefined;
  const [throttle, row] = await Promise.all([
    reads ? throttleState(reads.throttleRows, context.now) : readThrottle(db, keys, context.now),
    readAhead ? readAhead.row : findByTokenHash(db, hash),
  ]);
  // The lookup compares in SQLite; comparing again in constant time costs nothing.
  if (!row || !sameHash(row.tokenHash, hash)) return null;

  if (throttle.blockedUntil !== null) {
    return {
      ok: false, status: 429, message: 'Too many failed logins; try again later',
      retryAfterSeconds: Math.max(1, Math.ceil((throttle.blockedUntil - context.now) / 1000)),
    };
  }
  const delay = throttleDelay(throttle.failures);
  if (delay > 0) await context.sleep(delay);

  if (!loginNameMatches(row, name)) {
    await recordFailure(db, keys, context.now);
    return { ok: false, status: 401, message: BAD_CREDENTIALS };
  }
  if (!row.enabled) return { ok: false, status: 401, message: 'This account is disabled' };
  if (throttle.hasRows) await clearFailures(db, keys);
  const nowSeconds = Math.floor(context.now / 1000);
  const recorded = row.lastActivity <= nowSeconds - ACTIVITY_RESOLUTION_SECONDS;
  if (recorded) await recordAppPasswordUse(env, row.appPasswordId, row.id, context.now);
  // Only for writes that check the login in their own batch (files/optimistic-put.ts).
  rememberCredential(await credentialKey(name, password), {
    via: 'app-password', userId: row.id, tokenHash: hash, quota: row.quota, activityAt: recorded ? nowSeconds : row.lastActivity,
  }, context.now);
  return {
    ok: true,
    user: {
      id: row.id, displayName: row.displayName, email: row.email, quota: row.quota, isAdmin: row.isAdmin,
      loginName: name, via: 'app-password', appPasswordId: row.appPasswordId,
    },
  };
}

export type AppPasswordRow = NonNullable<Awaited<ReturnType<typeof findByTokenHash>>>;

/** The app password with this token hash and its owner's account columns. */
export function appPasswordRowQuery(db: DrizzleD1Database, hash: string | Placeholder) {
  return db.select({
    ...userColumns,
    isAdmin: isAdminColumn(db),
    // Aliased: results of a D1 batch are keyed by column name, and users.id is "id" too.
    appPasswordId: sql<string>`${appPasswords.id}`.as('app_password_id'),
    tokenHash: appPasswords.tokenHash,
    issuedTo: appPasswords.loginName,
    lastActivity: appPasswords.lastActivity,
  }).from(appPasswords)
    .innerJoin(users, eq(users.id, appPasswords.userId))
    .where(eq(appPasswords.tokenHash, hash));
}

function findByTokenHash(db: DrizzleD1Database, hash: string) {
  return appPasswordRowQuery(db, hash).get();
}

/**
 * An app password works only with a login name of its owner: the one it was issued to (as
 * Nextcloud's validateTokenLoginName), the user id, or the current e-mail — all ignoring case.
 */
function loginNameMatches(row: { id: string; email: string | null; issuedTo: string }, name: string): boolean {
  const given = name.trim().toLowerCase();
  return given === row.issuedTo.trim().toLowerCase() || given === row.id.toLowerCase() || given === row.email;
}
