/**
 * Throttling of failed logins, per client IP and per login name, kept in D1 (login_failures) so
 * it holds across requests, isolates and locations. Keys are `ip:<addr>` and `user:<login>`;
 * `last_failure_at` is in milliseconds since the epoch.
 */
import { inArray, lt, sql, type Placeholder } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import { drizzle } from 'drizzle-orm/d1';
import { loginFailures } from '../../schema/accounts';

/** At this many failures in a window, logins are refused (429) without checking the password. */
export const MAX_FAILURES = 10;
/** A counter whose last failure is older than this starts again from zero. */
export const FAILURE_WINDOW_MS = 30 * 60 * 1000;
const MAX_DELAY_MS = 4000;

/** What the counters say about the next attempt. */
export interface ThrottleState {
  /** The higher of the two live counters. */
  failures: number;
  /** Milliseconds since the epoch until which logins are refused; null when not blocked. */
  blockedUntil: number | null;
  /** Whether rows exist (live or stale) that a successful login should delete. */
  hasRows: boolean;
}

/** The counter keys of one attempt. Logins are case-insensitive, so their key is too. */
export function throttleKeys(ip: string, login: string): [string, string] {
  return [`ip:${ip}`, `user:${login.toLowerCase()}`];
}

/** Reads the counters of both keys at `now`. */
export async function readThrottle(db: DrizzleD1Database, keys: [string, string], now: number): Promise<ThrottleState> {
  return throttleState(await throttleQuery(db, keys), now);
}

/** The query behind readThrottle, for a caller that sends it in a D1 batch of its own. */
export function throttleQuery(db: DrizzleD1Database, keys: readonly [string | Placeholder, string | Placeholder]) {
  return db.select().from(loginFailures).where(inArray(loginFailures.key, [...keys]));
}

/** What the counter rows of both keys say at `now`. */
export function throttleState(rows: (typeof loginFailures.$inferSelect)[], now: number): ThrottleState {
  const live = rows.filter((r) => r.lastFailureAt >= now - FAILURE_WINDOW_MS);
  const blocked = live.filter((r) => r.failures >= MAX_FAILURES);
  return {
    failures: Math.max(0, ...live.map((r) => r.failures)),
    blockedUntil: blocked.length ? Math.max(...blocked.map((r) => r.lastFailureAt + FAILURE_WINDOW_MS)) : null,
    hasRows: rows.length > 0,
  };
}

/** How long to hold the answer after `failures` previous failures: 100 ms doubling, capped at 4 s. */
export function throttleDelay(failures: number): number {
  return failures <= 0 ? 0 : Math.min(100 * 2 ** (failures - 1), MAX_DELAY_MS);
}

/** Counts one failure against both keys (a stale counter restarts at 1). */
export async function recordFailure(db: DrizzleD1Database, keys: [string, string], now: number): Promise<void> {
  const upsert = (key: string) => db.insert(loginFailures).values({ key, failures: 1, lastFailureAt: now })
    .onConflictDoUpdate({
      target: loginFailures.key,
      set: {
        failures: sql`CASE WHEN ${loginFailures.lastFailureAt} < ${now - FAILURE_WINDOW_MS} THEN 1 ELSE ${loginFailures.failures} + 1 END`,
        lastFailureAt: now,
      },
    });
  await db.batch([upsert(keys[0]), upsert(keys[1])]);
}

/** Forgets both counters after a successful login. */
export async function clearFailures(db: DrizzleD1Database, keys: [string, string]): Promise<void> {
  await db.delete(loginFailures).where(inArray(loginFailures.key, keys));
}

/** Cron job: counters past their window carry no information; without this, guessed logins pile up. */
export async function purgeStaleLoginFailures(env: Env, now: Date): Promise<void> {
  await drizzle(env.DB).delete(loginFailures)
    .where(lt(loginFailures.lastFailureAt, now.getTime() - FAILURE_WINDOW_MS));
}


/** The delay the next login from `ip` would be held (capabilities' bruteforce.delay), in ms. */
export async function currentDelay(env: Env, ip: string, now: number): Promise<number> {
  const key = `ip:${ip}`;
  const state = await readThrottle(drizzle(env.DB), [key, key], now);
  return throttleDelay(state.failures);
}
