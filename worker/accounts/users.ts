/**
 * The users service: the only code that writes the users table (with groups.ts and install.ts
 * for groups and group_members). Protocol-neutral: OCS, the web app and setup all call it.
 */
import { and, eq, exists, inArray, or, sql } from 'drizzle-orm';
import { drizzle, type DrizzleD1Database } from 'drizzle-orm/d1';
import { groupMembers, groups, users } from '../../schema/accounts';
import { AlreadyExists, NotFound } from '../errors';
import { UnknownGroup } from './errors';
import { hashPassword } from './password';
import { checkQuota, type Quota } from './quota';
import { normalizeDisplayName, normalizeEmail, validatePassword, validateUserId } from './validation';

/** Members of this group are administrators, as in Nextcloud. */
export const ADMIN_GROUP = 'admin';

/** A user as other code sees it: never the password hash. */
export type UserRecord = Omit<typeof users.$inferSelect, 'passwordHash'>;

export const userColumns = {
  id: users.id, displayName: users.displayName, email: users.email, quota: users.quota,
  enabled: users.enabled, createdAt: users.createdAt, lastLogin: users.lastLogin,
};

/** A select column: whether the row's user (in a query over `users`) is in the admin group. */
export function isAdminColumn(db: DrizzleD1Database) {
  return exists(db.select({ one: sql`1` }).from(groupMembers).where(and(
    eq(groupMembers.groupId, ADMIN_GROUP), eq(groupMembers.userId, users.id),
  ))).mapWith(Boolean);
}

/** Called after a user is created (e.g. by the files domain; it creates homes lazily anyway). */
export type UserCreatedListener = (env: Env, user: UserRecord) => Promise<void> | void;
const createdListeners: UserCreatedListener[] = [];

/** Registers a listener for new users; domains call this at import time. */
export function onUserCreated(listener: UserCreatedListener): void {
  createdListeners.push(listener);
}

/** Tells every listener about a new user; one failing listener does not undo the account. */
export async function notifyUserCreated(env: Env, user: UserRecord): Promise<void> {
  // async wrapper: a listener that throws synchronously is contained like a rejected one.
  const results = await Promise.allSettled(createdListeners.map(async (listener) => listener(env, user)));
  for (const r of results) if (r.status === 'rejected') console.error('onUserCreated listener failed:', r.reason);
}

export interface NewUser {
  id: string;
  password: string;
  displayName?: string;
  email?: string;
  quota?: Quota;
  groups?: string[];
}

/**
 * Creates a user and its group memberships in one batch. Throws InvalidField/WeakPassword for
 * bad input, AlreadyExists when the id is taken (case-insensitively, as Nextcloud), UnknownGroup.
 */
export async function createUser(env: Env, input: NewUser): Promise<UserRecord> {
  const db = drizzle(env.DB);
  const id = validateUserId(input.id);
  const groupIds = [...new Set(input.groups ?? [])];
  // Nextcloud's order of checks, so clients see the same first error: id taken, group, password.
  if (await userIdTaken(db, id)) throw new AlreadyExists('User already exists');
  await assertGroupsExist(db, groupIds);
  validatePassword(input.password);
  const record: UserRecord = {
    id,
    displayName: normalizeDisplayName(input.displayName ?? '', id),
    email: normalizeEmail(input.email ?? ''),
    quota: checkQuota(input.quota ?? null),
    enabled: true,
    createdAt: Math.floor(Date.now() / 1000),
    lastLogin: null,
  };
  const passwordHash = await hashPassword(input.password);
  try {
    await db.batch([
      db.insert(users).values({ ...record, passwordHash }),
      ...groupIds.map((groupId) => db.insert(groupMembers).values({ groupId, userId: id })),
    ]);
  } catch (err) {
    // The batch is one transaction: a concurrent create of the same id or the deletion of a
    // group in between fails it as a whole. Tell which, or pass the unexpected error on.
    if (await userIdTaken(db, id)) throw new AlreadyExists('User already exists');
    await assertGroupsExist(db, groupIds);
    throw err;
  }
  await notifyUserCreated(env, record);
  return record;
}

/** The user with exactly this id, or null. */
export async function getUser(env: Env, id: string): Promise<UserRecord | null> {
  const row = await drizzle(env.DB).select(userColumns).from(users).where(eq(users.id, id)).get();
  return row ?? null;
}

export interface ListOptions { search?: string; limit?: number; offset?: number }

/** User ids matching `search` in id, display name or e-mail (case-insensitive), ordered by id. */
export async function listUsers(env: Env, options: ListOptions = {}): Promise<string[]> {
  const db = drizzle(env.DB);
  const pattern = likePattern(options.search ?? '');
  const rows = await db.select({ id: users.id }).from(users)
    .where(pattern ? or(
      sql`${users.id} LIKE ${pattern} ESCAPE '\\'`,
      sql`${users.displayName} LIKE ${pattern} ESCAPE '\\'`,
      sql`${users.email} LIKE ${pattern} ESCAPE '\\'`,
    ) : undefined)
    .orderBy(sql`${users.id} COLLATE NOCASE`)
    // SQLite needs a LIMIT before an OFFSET.
    .limit(options.limit ?? Number.MAX_SAFE_INTEGER)
    .offset(options.offset ?? 0);
  return rows.map((r) => r.id);
}

export interface UserPatch { displayName?: string; email?: string; password?: string; quota?: Quota }

/** Changes the given attributes; throws NotFound, InvalidField or WeakPassword. */
export async function updateUser(env: Env, id: string, patch: UserPatch): Promise<UserRecord> {
  const values: Partial<typeof users.$inferInsert> = {};
  if (patch.displayName !== undefined) values.displayName = normalizeDisplayName(patch.displayName, id);
  if (patch.email !== undefined) values.email = normalizeEmail(patch.email);
  if (patch.quota !== undefined) values.quota = checkQuota(patch.quota);
  if (patch.password !== undefined) {
    validatePassword(patch.password);
    // A new hash also invalidates every cached credential of this user (see credential-cache.ts).
    values.passwordHash = await hashPassword(patch.password);
  }
  const db = drizzle(env.DB);
  const row = Object.keys(values).length === 0
    ? await db.select(userColumns).from(users).where(eq(users.id, id)).get()
    : await db.update(users).set(values).where(eq(users.id, id)).returning(userColumns).get();
  if (!row) throw new NotFound(`No user ${id}`);
  return row;
}

/** Enables or disables a user; a disabled user cannot log in (checked on every request). */
export async function setUserEnabled(env: Env, id: string, enabled: boolean): Promise<void> {
  const row = await drizzle(env.DB).update(users).set({ enabled }).where(eq(users.id, id))
    .returning({ id: users.id }).get();
  if (!row) throw new NotFound(`No user ${id}`);
}

/** Deletes a user; memberships, files, locks and everything else owned go with it (FK cascade). */
export async function deleteUser(env: Env, id: string): Promise<void> {
  const row = await drizzle(env.DB).delete(users).where(eq(users.id, id)).returning({ id: users.id }).get();
  if (!row) throw new NotFound(`No user ${id}`);
}

/** Records a successful password login (seconds since the epoch). */
export async function recordLogin(env: Env, id: string, now: number): Promise<void> {
  await drizzle(env.DB).update(users).set({ lastLogin: Math.floor(now / 1000) }).where(eq(users.id, id));
}

/** Whether an id is taken, ignoring case: "Alice" and "alice" would be indistinguishable logins. */
async function userIdTaken(db: DrizzleD1Database, id: string): Promise<boolean> {
  const row = await db.select({ id: users.id }).from(users)
    .where(sql`${users.id} = ${id} COLLATE NOCASE`).limit(1).get();
  return row !== undefined;
}

async function assertGroupsExist(db: DrizzleD1Database, groupIds: string[]): Promise<void> {
  if (groupIds.length === 0) return;
  const found = await db.select({ id: groups.id }).from(groups).where(inArray(groups.id, groupIds));
  const known = new Set(found.map((g) => g.id));
  const missing = groupIds.find((g) => !known.has(g));
  if (missing !== undefined) throw new UnknownGroup(missing);
}

/** A LIKE pattern for a substring search with `%`, `_` and `\` taken literally; null for ''. */
export function likePattern(search: string): string | null {
  if (search === '') return null;
  return `%${search.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

/** Whether the user is a member of the admin group. */
export async function isAdmin(env: Env, userId: string): Promise<boolean> {
  const row = await drizzle(env.DB).select({ userId: groupMembers.userId }).from(groupMembers)
    .where(and(eq(groupMembers.groupId, ADMIN_GROUP), eq(groupMembers.userId, userId))).get();
  return row !== undefined;
}
