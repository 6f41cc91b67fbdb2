import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex, type AnySQLiteColumn } from 'drizzle-orm/sqlite-core';
import { groups, users } from './accounts';
import { calendars } from './calendars';
import { addressbooks } from './contacts';

/**
 * Sharing of calendars and address books (worker/dav-sharing/). A share row names one calendar or
 * address book and exactly one sharee, a user or a group, with access 1 (read) or 2 (read-write).
 * Rows cascade away with the collection (purged from the trash), the user or the group. Each kind
 * has its own pair of tables so the foreign keys stay declarative; the code is shared.
 */
function sharesTable(name: string, resource: () => AnySQLiteColumn) {
  return sqliteTable(`${name}_shares`, {
    id: integer('id').primaryKey({ autoIncrement: true }),
    resourceId: integer('resource_id').notNull().references(resource, { onDelete: 'cascade' }),
    userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
    groupId: text('group_id').references(() => groups.id, { onDelete: 'cascade' }),
    access: integer('access').notNull(),
    createdAt: integer('created_at').notNull(),
  }, (t) => [
    uniqueIndex(`${name}_shares_user`).on(t.resourceId, t.userId),
    uniqueIndex(`${name}_shares_group`).on(t.resourceId, t.groupId),
    index(`${name}_shares_by_user`).on(t.userId),
    index(`${name}_shares_by_group`).on(t.groupId),
    check(`${name}_shares_one_sharee`, sql`(user_id IS NULL) <> (group_id IS NULL) AND access IN (1, 2)`),
  ]);
}

/**
 * What one sharee made of a collection shared with them: "unshare from me" of a group share
 * (`hidden`), and their own display name, colour and order (PROPPATCH by a sharee changes only
 * their view, as in Nextcloud). The owner's row never lives here.
 */
function shareViewsTable(name: string, resource: () => AnySQLiteColumn) {
  return sqliteTable(`${name}_share_views`, {
    resourceId: integer('resource_id').notNull().references(resource, { onDelete: 'cascade' }),
    userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    hidden: integer('hidden').notNull().default(0),
    displayname: text('displayname'),
    color: text('color'),
    order: integer('sort_order'),
  }, (t) => [primaryKey({ columns: [t.resourceId, t.userId] })]);
}

export const calendarShares = sharesTable('calendar', () => calendars.id);
export const calendarShareViews = shareViewsTable('calendar', () => calendars.id);
export const addressbookShares = sharesTable('addressbook', () => addressbooks.id);
export const addressbookShareViews = shareViewsTable('addressbook', () => addressbooks.id);
