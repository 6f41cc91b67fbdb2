/**
 * The reads a Basic login starts with: the throttle counters of (IP, login name) and the account
 * whose id is the login name. A route that reads ahead before authentication (files/prefetch.ts)
 * sends them in its own D1 batch and offers the result for the request, so that authentication
 * costs no D1 round trip of its own — in the local runtime each round trip costs about as much CPU
 * as a small PUT's own work. login() and appPasswordLogin() use them only for the same IP and
 * login name, and read for themselves otherwise (or when the batch failed).
 */
import { eq } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import type { loginFailures } from '../../schema/accounts';
import { users } from '../../schema/accounts';
import { userRowQuery, type UserRow } from './login';
import { throttleKeys, throttleQuery } from './throttle';

export interface LoginReads {
  ip: string;
  login: string;
  throttleRows: (typeof loginFailures.$inferSelect)[];
  /** The account whose id is exactly the login name, if any. */
  user: UserRow | undefined;
}

/** The queries of LoginReads, for a caller's D1 batch; map their results with loginReadsFrom. */
export function loginReadQueries(db: DrizzleD1Database, ip: string, login: string) {
  return [throttleQuery(db, throttleKeys(ip, login)), userRowQuery(db, eq(users.id, login))] as const;
}

export function loginReadsFrom(ip: string, login: string, throttleRows: LoginReads['throttleRows'], userRows: UserRow[]): LoginReads {
  return { ip, login, throttleRows, user: userRows[0] };
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
