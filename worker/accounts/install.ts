/**
 * First-run installation: the instance is "installed" once an account exists. The first account
 * is the administrator and is created only through setup (never with a default password).
 */
import { and, eq, notExists } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { groupMembers, groups, users } from '../../schema/accounts';
import { hashPassword } from './password';
import { ADMIN_GROUP, notifyUserCreated, type UserRecord } from './users';
import { normalizeDisplayName, validatePassword, validateUserId } from './validation';

// Per isolate: once an account exists the instance stays installed (the last admin cannot delete
// themself), so status.php and GET / skip the query from then on. `false` is never cached.
let installedSeen = false;

/** Whether at least one account exists. */
export async function isInstalled(env: Env): Promise<boolean> {
  if (installedSeen) return true;
  const row = await drizzle(env.DB).select({ id: users.id }).from(users).limit(1).get();
  installedSeen = row !== undefined;
  return installedSeen;
}

export interface FirstAdmin { id: string; password: string }

/**
 * Creates the administrator (member of group `admin`) if and only if no account exists; returns
 * null when the instance is installed already. Throws InvalidField/WeakPassword for bad input.
 */
export async function createFirstAdmin(env: Env, input: FirstAdmin): Promise<UserRecord | null> {
  const id = validateUserId(input.id);
  validatePassword(input.password);
  if (await isInstalled(env)) return null;
  const db = drizzle(env.DB);
  const record: UserRecord = {
    id, displayName: normalizeDisplayName('', id), email: null, quota: null, enabled: true,
    createdAt: Math.floor(Date.now() / 1000), lastLogin: null,
  };
  const passwordHash = await hashPassword(input.password);
  try {
    // D1 has no interactive transactions; the batch is one. Inserting the admin group without
    // ON CONFLICT is the lock: when two setups race, the second batch fails as a whole. The
    // leading delete clears an admin group left without any account, so it cannot block setup.
    await db.batch([
      db.delete(groups).where(and(
        eq(groups.id, ADMIN_GROUP),
        notExists(db.select({ id: users.id }).from(users)),
      )),
      db.insert(groups).values({ id: ADMIN_GROUP, displayName: 'admin' }),
      db.insert(users).values({ ...record, passwordHash }),
      db.insert(groupMembers).values({ groupId: ADMIN_GROUP, userId: id }),
    ]);
  } catch (err) {
    installedSeen = false;
    if (await isInstalled(env)) return null;
    throw err;
  }
  installedSeen = true;
  await notifyUserCreated(env, record);
  return record;
}
