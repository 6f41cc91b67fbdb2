import { sqliteTable, text, integer, primaryKey, index } from 'drizzle-orm/sqlite-core';

/** Accounts. `id` is the Nextcloud user id used in every URL; it never changes. */
export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  displayName: text('display_name').notNull(),
  email: text('email'),
  /** PBKDF2-SHA256 record: `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`. */
  passwordHash: text('password_hash').notNull(),
  /** Bytes; null means unlimited. */
  quota: integer('quota'),
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
  createdAt: integer('created_at').notNull(),
  lastLogin: integer('last_login'),
}, (t) => [index('users_email').on(t.email)]);

/** Groups; the group `admin` makes its members administrators, as in Nextcloud. */
export const groups = sqliteTable('groups', {
  id: text('id').primaryKey(),
  displayName: text('display_name').notNull(),
});

export const groupMembers = sqliteTable('group_members', {
  groupId: text('group_id').notNull().references(() => groups.id, { onDelete: 'cascade' }),
  userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
}, (t) => [primaryKey({ columns: [t.groupId, t.userId] }), index('group_members_user').on(t.userId)]);

/** Failed-login counters for throttling, keyed `ip:<addr>` or `user:<login>`. */
export const loginFailures = sqliteTable('login_failures', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull(),
  lastFailureAt: integer('last_failure_at').notNull(),
});
