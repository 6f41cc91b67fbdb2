/**
 * The app passwords service ("device passwords"): the only code that writes app_passwords.
 * Tokens look like Nextcloud's (72 characters [A-Za-z0-9]); only their SHA-256 is stored, so a
 * token is shown once, at creation, and never again.
 */
import { and, desc, eq, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import { drizzle, type DrizzleD1Database } from 'drizzle-orm/d1';
import { appPasswords, loginFlows, users } from '../../schema/accounts';
import { NotFound } from '../errors';
import { InvalidField } from './errors';
import { randomAlphanumeric, sha256Hex } from './tokens';

/** Length of a token, as Nextcloud's (ISecureRandom::generate(72, upper+lower+digits)). */
export const APP_PASSWORD_LENGTH = 72;
const NAME_MAX = 255;
/** Last activity is written at most this often per token: a sync client sends many requests a minute. */
export const ACTIVITY_RESOLUTION_SECONDS = 60;

/** An app password as listed: never the token or its hash. */
export interface AppPasswordInfo {
  id: string;
  name: string;
  loginName: string;
  /** Seconds since the epoch. */
  createdAt: number;
  lastActivity: number;
}

/** A freshly created app password: `token` is the only time the secret exists in clear. */
export interface NewAppPassword extends AppPasswordInfo { token: string }

const infoColumns = {
  id: appPasswords.id, name: appPasswords.name, loginName: appPasswords.loginName,
  createdAt: appPasswords.createdAt, lastActivity: appPasswords.lastActivity,
};

/** Whether a password could be an app password (cheap test before a lookup). */
export function looksLikeAppPassword(password: string): boolean {
  return password.length === APP_PASSWORD_LENGTH && /^[A-Za-z0-9]+$/.test(password);
}

/**
 * A client-supplied name made safe to store and show: control characters become spaces, runs of
 * spaces collapse, at most 255 characters. `fallback` when nothing is left.
 */
export function normalizeAppPasswordName(name: string, fallback = 'unknown'): string {
  const clean = name.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ').trim();
  return [...clean].slice(0, NAME_MAX).join('') || fallback;
}

/** A new token with the row values that depend only on it and the time. */
export interface MintedAppPassword {
  token: string;
  id: string;
  tokenHash: string;
  /** Seconds since the epoch. */
  createdAt: number;
}

/** Mints a token (72 random alphanumerics), its id and hash; nothing is stored yet. */
export async function mintAppPassword(nowMs: number): Promise<MintedAppPassword> {
  const token = randomAlphanumeric(APP_PASSWORD_LENGTH);
  return { token, id: crypto.randomUUID(), tokenHash: await sha256Hex(token), createdAt: Math.floor(nowMs / 1000) };
}

/**
 * The INSERT of a minted app password for the user who signed in to the login flow matching
 * `flow`, named after its client; inserts nothing when no flow matches. Batched with the flow's
 * deletion by login-flows.ts, so a flow yields exactly one app password.
 */
export function insertAppPasswordForFlow(db: DrizzleD1Database, flow: SQL | undefined, minted: MintedAppPassword) {
  // Keys in the table's column order: the INSERT pairs the selected values with columns by position.
  return db.insert(appPasswords).select(db.select({
    id: sql<string>`${minted.id}`.as('id'),
    userId: sql<string>`${loginFlows.userId}`.as('user_id'),
    name: loginFlows.clientName,
    tokenHash: sql<string>`${minted.tokenHash}`.as('token_hash'),
    loginName: sql<string>`${loginFlows.loginName}`.as('login_name'),
    createdAt: sql<number>`${minted.createdAt}`.as('created_at'),
    lastActivity: sql<number>`${minted.createdAt}`.as('last_activity'),
  }).from(loginFlows).where(flow));
}

/** Creates an app password; `name` must not be blank (InvalidField). */
export async function createAppPassword(
  env: Env, input: { userId: string; name: string; loginName: string; now?: number },
): Promise<NewAppPassword> {
  if (input.name.trim() === '') throw new InvalidField('displayname', 'An app password needs a name');
  const name = normalizeAppPasswordName(input.name);
  const { token, id, tokenHash, createdAt } = await mintAppPassword(input.now ?? Date.now());
  const { loginName, userId } = input;
  await drizzle(env.DB).insert(appPasswords).values({
    id, userId, name, tokenHash, loginName, createdAt, lastActivity: createdAt,
  });
  return { token, id, name, loginName, createdAt, lastActivity: createdAt };
}

/** The user's app passwords, most recently used first. */
export async function listAppPasswords(env: Env, userId: string): Promise<AppPasswordInfo[]> {
  return drizzle(env.DB).select(infoColumns).from(appPasswords)
    .where(eq(appPasswords.userId, userId))
    .orderBy(desc(appPasswords.lastActivity), desc(appPasswords.createdAt));
}

/** Deletes one of the user's app passwords; it stops working on the next request. NotFound otherwise. */
export async function revokeAppPassword(env: Env, userId: string, id: string): Promise<void> {
  const row = await drizzle(env.DB).delete(appPasswords)
    .where(and(eq(appPasswords.id, id), eq(appPasswords.userId, userId)))
    .returning({ id: appPasswords.id }).get();
  if (!row) throw new NotFound('No such app password');
}

/** Gives an app password a new token (same name and id); the old token stops working at once. */
export async function rotateAppPassword(env: Env, userId: string, id: string): Promise<string> {
  const token = randomAlphanumeric(APP_PASSWORD_LENGTH);
  const row = await drizzle(env.DB).update(appPasswords).set({ tokenHash: await sha256Hex(token) })
    .where(and(eq(appPasswords.id, id), eq(appPasswords.userId, userId)))
    .returning({ id: appPasswords.id }).get();
  if (!row) throw new NotFound('No such app password');
  return token;
}

/**
 * Records use of a token: its last activity and the owner's last login, in one round trip. Each
 * write carries its own "a minute old" condition, so concurrent requests write once.
 */
export async function recordAppPasswordUse(env: Env, id: string, userId: string, nowMs: number): Promise<void> {
  const now = Math.floor(nowMs / 1000);
  const stale = now - ACTIVITY_RESOLUTION_SECONDS;
  const db = drizzle(env.DB);
  await db.batch([
    db.update(appPasswords).set({ lastActivity: now })
      .where(and(eq(appPasswords.id, id), lte(appPasswords.lastActivity, stale))),
    db.update(users).set({ lastLogin: now })
      .where(and(eq(users.id, userId), or(isNull(users.lastLogin), lte(users.lastLogin, stale)))),
  ]);
}
