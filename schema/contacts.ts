import { sql } from 'drizzle-orm';
import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { users } from './accounts';

/**
 * Address books (CardDAV collections) of a user's address-book home. `synctoken` and the change
 * log work as for calendars (schema/calendars.ts). Times are ms.
 */
export const addressbooks = sqliteTable('addressbooks', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  owner: text('owner').notNull().references(() => users.id, { onDelete: 'cascade' }),
  uri: text('uri').notNull(),
  displayname: text('displayname'),
  description: text('description'),
  synctoken: integer('synctoken').notNull().default(0),
  createdAt: integer('created_at').notNull(),
  deletedAt: integer('deleted_at'),
}, (t) => [uniqueIndex('addressbooks_owner_uri').on(t.owner, t.uri)]);

/** One vCard (3.0 or 4.0), kept as sent; converted on read when a client asks for the other version. */
export const cards = sqliteTable('cards', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  addressbookId: integer('addressbook_id').notNull().references(() => addressbooks.id, { onDelete: 'cascade' }),
  uri: text('uri').notNull(),
  etag: text('etag').notNull(),
  size: integer('size').notNull(),
  uid: text('uid').notNull(),
  version: text('version').notNull(),
  fn: text('fn').notNull(),
  /** BDAY as written in the card, for the birthday calendar. */
  bday: text('bday'),
  data: text('data').notNull(),
  createdAt: integer('created_at').notNull(),
  lastModified: integer('last_modified').notNull(),
  deletedAt: integer('deleted_at'),
}, (t) => [
  uniqueIndex('cards_uri').on(t.addressbookId, t.uri).where(sql`deleted_at IS NULL`),
  uniqueIndex('cards_uid').on(t.addressbookId, t.uid).where(sql`deleted_at IS NULL`),
]);

/** The change log of an address book (1 added, 2 modified, 3 deleted), numbered by synctoken. */
export const addressbookChanges = sqliteTable('addressbook_changes', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  addressbookId: integer('addressbook_id').notNull().references(() => addressbooks.id, { onDelete: 'cascade' }),
  synctoken: integer('synctoken').notNull(),
  uri: text('uri').notNull(),
  operation: integer('operation').notNull(),
}, (t) => [index('addressbook_changes_token').on(t.addressbookId, t.synctoken)]);
