import { sqliteTable, text, integer, primaryKey, index, uniqueIndex } from 'drizzle-orm/sqlite-core';

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

/**
 * App passwords ("device passwords"): one per client, revocable. Only a SHA-256 of the token is
 * stored: tokens are 72 random alphanumerics (> 400 bits), so a fast hash is enough and keeps
 * every Basic-auth request cheap. Times are seconds since the epoch, like users.
 */
export const appPasswords = sqliteTable('app_passwords', {
  id: text('id').primaryKey(),
  userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  /** What the user or the client called it (the client's User-Agent for login flows). */
  name: text('name').notNull(),
  /** Lower-case hex SHA-256 of the token. */
  tokenHash: text('token_hash').notNull(),
  /** The login name it was issued to (user id or e-mail, as typed). */
  loginName: text('login_name').notNull(),
  createdAt: integer('created_at').notNull(),
  /** Updated at most once a minute per token. */
  lastActivity: integer('last_activity').notNull(),
}, (t) => [uniqueIndex('app_passwords_token_hash').on(t.tokenHash), index('app_passwords_user').on(t.userId)]);

/**
 * Login flows (Nextcloud Login Flow v1 and v2) in progress. Tokens are stored as SHA-256 hex only;
 * the app password a v2 flow yields is created when the client polls, so it is never at rest in
 * clear. Times are milliseconds since the epoch; a row is dead after `expiresAt`.
 */
export const loginFlows = sqliteTable('login_flows', {
  /** SHA-256 of the login token (the secret in the browser URL). */
  loginTokenHash: text('login_token_hash').primaryKey(),
  /** SHA-256 of the poll token (v2); null for v1, which redirects instead of being polled. */
  pollTokenHash: text('poll_token_hash'),
  version: integer('version').notNull(),
  /** The User-Agent of the client that started the flow: the name of the app password. */
  clientName: text('client_name').notNull(),
  /** SHA-256 of the cookie of the browser that opened the login page (CSRF binding). */
  browserHash: text('browser_hash'),
  /** SHA-256 of the form token of the last page shown. */
  csrfHash: text('csrf_hash'),
  /** Set once the browser signed in. */
  userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
  loginName: text('login_name'),
  /** v2: access granted; the next poll takes the credentials. */
  granted: integer('granted', { mode: 'boolean' }).notNull().default(false),
  createdAt: integer('created_at').notNull(),
  expiresAt: integer('expires_at').notNull(),
}, (t) => [uniqueIndex('login_flows_poll_token_hash').on(t.pollTokenHash), index('login_flows_expires').on(t.expiresAt)]);
