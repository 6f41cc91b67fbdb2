/**
 * The groups service: the only code that writes groups and group_members (besides the batches of
 * createUser and first-run setup, which must be atomic with the user row).
 */
import { and, eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { groupMembers, groups, users } from '../../schema/accounts';
import { AlreadyExists, Forbidden, NotFound } from '../errors';
import { UnknownGroup } from './errors';
import { ADMIN_GROUP, likePattern, type ListOptions } from './users';
import { validateGroupId } from './validation';

export type GroupRecord = typeof groups.$inferSelect;

/** Creates a group; throws InvalidField for a bad id, AlreadyExists if taken (ignoring case). */
export async function createGroup(env: Env, id: string, displayName = ''): Promise<GroupRecord> {
  validateGroupId(id);
  const db = drizzle(env.DB);
  const record = { id, displayName: displayName.trim() || id };
  const taken = () => db.select({ id: groups.id }).from(groups)
    .where(sql`${groups.id} = ${id} COLLATE NOCASE`).get();
  if (await taken()) throw new AlreadyExists('group exists');
  try {
    await db.insert(groups).values(record);
  } catch (err) {
    if (await taken()) throw new AlreadyExists('group exists');
    throw err;
  }
  return record;
}

/** The group with exactly this id, or null. */
export async function getGroup(env: Env, id: string): Promise<GroupRecord | null> {
  return (await drizzle(env.DB).select().from(groups).where(eq(groups.id, id)).get()) ?? null;
}

/** Group ids matching `search` in id or display name (case-insensitive), ordered by id. */
export async function listGroups(env: Env, options: ListOptions = {}): Promise<string[]> {
  const pattern = likePattern(options.search ?? '');
  const rows = await drizzle(env.DB).select({ id: groups.id }).from(groups)
    .where(pattern
      ? sql`(${groups.id} LIKE ${pattern} ESCAPE '\\' OR ${groups.displayName} LIKE ${pattern} ESCAPE '\\')`
      : undefined)
    .orderBy(sql`${groups.id} COLLATE NOCASE`)
    .limit(options.limit ?? Number.MAX_SAFE_INTEGER)
    .offset(options.offset ?? 0);
  return rows.map((r) => r.id);
}

/** Deletes a group and its memberships. The admin group cannot be deleted (Forbidden). */
export async function deleteGroup(env: Env, id: string): Promise<void> {
  if (id === ADMIN_GROUP) throw new Forbidden('The admin group cannot be deleted');
  const row = await drizzle(env.DB).delete(groups).where(eq(groups.id, id)).returning({ id: groups.id }).get();
  if (!row) throw new UnknownGroup(id);
}

/** Adds a user to a group; adding an existing member changes nothing (as Nextcloud). */
export async function addGroupMember(env: Env, groupId: string, userId: string): Promise<void> {
  const db = drizzle(env.DB);
  await assertMembershipTargets(env, groupId, userId);
  try {
    await db.insert(groupMembers).values({ groupId, userId }).onConflictDoNothing();
  } catch (err) {
    // Foreign keys fail the insert when the user or group vanished in between: say which.
    await assertMembershipTargets(env, groupId, userId);
    throw err;
  }
}

/** Removes a user from a group; removing a non-member changes nothing. */
export async function removeGroupMember(env: Env, groupId: string, userId: string): Promise<void> {
  await assertMembershipTargets(env, groupId, userId);
  await drizzle(env.DB).delete(groupMembers)
    .where(and(eq(groupMembers.groupId, groupId), eq(groupMembers.userId, userId)));
}

/** Ids of the group's members, ordered; throws UnknownGroup. */
export async function listGroupMembers(env: Env, groupId: string): Promise<string[]> {
  if (!(await getGroup(env, groupId))) throw new UnknownGroup(groupId);
  const rows = await drizzle(env.DB).select({ id: groupMembers.userId }).from(groupMembers)
    .where(eq(groupMembers.groupId, groupId)).orderBy(sql`${groupMembers.userId} COLLATE NOCASE`);
  return rows.map((r) => r.id);
}

/** Ids of the groups the user belongs to, ordered (empty for an unknown user). */
export async function listUserGroups(env: Env, userId: string): Promise<string[]> {
  const rows = await drizzle(env.DB).select({ id: groupMembers.groupId }).from(groupMembers)
    .where(eq(groupMembers.userId, userId)).orderBy(sql`${groupMembers.groupId} COLLATE NOCASE`);
  return rows.map((r) => r.id);
}

async function assertMembershipTargets(env: Env, groupId: string, userId: string): Promise<void> {
  const db = drizzle(env.DB);
  const [group, user] = await db.batch([
    db.select({ id: groups.id }).from(groups).where(eq(groups.id, groupId)),
    db.select({ id: users.id }).from(users).where(eq(users.id, userId)),
  ]);
  if (group.length === 0) throw new UnknownGroup(groupId);
  if (user.length === 0) throw new NotFound(`No user ${userId}`);
}
