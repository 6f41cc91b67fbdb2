/**
 * The reads a Basic login starts with: the throttle counters of (IP, login name), the account
 * whose id is the login name and, for a secret shaped like an app password, that app password. A route that reads ahead before authentication (files/prefetch.ts)
 * sends them in its own D1 batch and offers the result for the request, so that authentication
 * costs no D1 round trip of its own — in the local runtime each round trip costs about as much CPU
 * as a small PUT's own work. login() and appPasswordLogin() use them only for the same IP and
 * login name, and read for themselves otherwise (or when the batch failed).
 */
import { eq, sql } from 'drizzle-orm';
import { readBuiltOnce, type BoundRead } from '../files/batch';
import type { loginFailures } from '../../schema/accounts';
import { users } from '../../schema/accounts';
import { appPasswordRowQuery, type AppPasswordRow } from './app-password-login';
import { looksLikeAppPassword } from './app-passwords';
import { userRowQuery, type UserRow } from './login';
import { sha256Hex } from './tokens';
import { throttleKeys, throttleQuery } from './throttle';

export interface LoginReads {
  ip: string;
  login: string;
  throttleRows: (typeof loginFailures.$inferSelect)[];
  /** The account whose id is exactly the login name, if any. */
  user: UserRow | undefined;
  /** For an app-password-shaped secret: its SHA-256 and the app password it names, if any. */
  appPassword: { tokenHash: string; row: AppPasswordRow | undefined } | null;
}

/** The Basic login of a request, with what its reads are keyed by. */
export interface LoginAttempt {
  ip: string;
  login: string;
  /** SHA-256 of the secret when it is shaped like an app password, else null. */
  tokenHash: string | null;
}

export async function loginAttempt(ip: string, login: string, secret: string): Promise<LoginAttempt> {
  return { ip, login, tokenHash: looksLikeAppPassword(secret) ? await sha256Hex(secret) : null };
}

const throttleRead = readBuiltOnce<LoginReads['throttleRows']>((db) => throttleQuery(db, [sql.placeholder('ipKey'), sql.placeholder('loginKey')]));
const userRead = readBuiltOnce<UserRow[]>((db) => userRowQuery(db, eq(users.id, sql.placeholder('login'))));
const appPasswordRead = readBuiltOnce<AppPasswordRow[]>((db) => appPasswordRowQuery(db, sql.placeholder('tokenHash')));

/**
 * The reads of LoginReads, bound for a caller's D1 batch; map their results with loginReadsFrom.
 * The app password lookup is sent only for a secret shaped like one: each statement of a batch
 * costs the local D1 about as much as a small query's own work.
 */
export function loginReadStatements(d1: D1Database, attempt: LoginAttempt): BoundRead<unknown>[] {
  const [ipKey, loginKey] = throttleKeys(attempt.ip, attempt.login);
  const reads: BoundRead<unknown>[] = [throttleRead(d1, { ipKey, loginKey }), userRead(d1, { login: attempt.login })];
  if (attempt.tokenHash !== null) reads.push(appPasswordRead(d1, { tokenHash: attempt.tokenHash }));
  return reads;
}

/** LoginReads from the mapped results of loginReadStatements, in their order. */
export function loginReadsFrom(attempt: LoginAttempt, results: readonly unknown[]): LoginReads {
  const [throttleRows, userRows, appPasswordRows] = results as [LoginReads['throttleRows'], UserRow[], AppPasswordRow[] | undefined];
  const { ip, login, tokenHash } = attempt;
  return { ip, login, throttleRows, user: userRows[0], appPassword: tokenHash === null ? null : { tokenHash, row: appPasswordRows?.[0] } };
}

const offered = new WeakMap<Request, Promise<LoginReads | null>>();

/** Offers reads made for `request` (a failed read resolves null). */
export function offerLoginReads(request: Request, reads: Promise<LoginReads | null>): void {
  offered.set(request, reads.catch(() => null));
}

/** The reads offered for `request`, once. */
export function takeLoginReads(request: Request): Promise<LoginReads | null> | undefined {
  const reads = offered.get(request);
  offered.delete(request);
  return reads;
}

/** The offered reads when they were made for this IP and login name, else null. */
export async function usableLoginReads(reads: Promise<LoginReads | null> | undefined, ip: string, login: string): Promise<LoginReads | null> {
  const r = reads ? await reads : null;
  return r && r.ip === ip && r.login === login ? r : null;
}
