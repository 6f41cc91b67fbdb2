import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';
import { users } from './accounts';

/**
 * Notifications of a user, as Nextcloud's notifications app lists them (worker/notifications).
 * `objectType`/`objectId` say what a notification is about (e.g. 'dav' + an event key), `link`
 * where a client should open it. Deleting one is the only state change (no read flag, as in
 * Nextcloud). Times are ms.
 */
export const notifications = sqliteTable('notifications', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  user: text('user').notNull().references(() => users.id, { onDelete: 'cascade' }),
  app: text('app').notNull(),
  objectType: text('object_type').notNull(),
  objectId: text('object_id').notNull(),
  subject: text('subject').notNull(),
  message: text('message').notNull(),
  link: text('link').notNull().default(''),
  createdAt: integer('created_at').notNull(),
}, (t) => [index('notifications_user').on(t.user, t.id)]);
