import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';
import { users } from './accounts';

/**
 * Browser sessions of the web app (cookie sign-in). Only the SHA-256 of the random session token
 * (the cookie value, 256 bits) is stored, so a copy of the table signs nobody in. Times are
 * milliseconds since the epoch: a session is dead after `expiresAt`, or when `lastActivity` is
 * older than the idle timeout (worker/accounts/sessions.ts).
 */
export const webSessions = sqliteTable('web_sessions', {
  /** Lower-case hex SHA-256 of the session token. */
  tokenHash: text('token_hash').primaryKey(),
  userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  /** The login name the user typed (user id or e-mail). */
  loginName: text('login_name').notNull(),
  createdAt: integer('created_at').notNull(),
  /** Updated at most once a minute per session. */
  lastActivity: integer('last_activity').notNull(),
  /** The absolute end, however active the session is. */
  expiresAt: integer('expires_at').notNull(),
  /** The browser's User-Agent at sign-in (at most 200 characters), for the "Devices & sessions" list. */
  userAgent: text('user_agent'),
}, (t) => [index('web_sessions_user').on(t.userId), index('web_sessions_expires').on(t.expiresAt)]);
