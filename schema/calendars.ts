import { sql } from 'drizzle-orm';
import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { users } from './accounts';

/**
 * Calendars (CalDAV collections) of a user's calendar home. `synctoken` is the number of the last
 * change: every change to the calendar or its objects increments it and appends a calendar_changes
 * row in the same D1 batch, so sync-collection and getctag are derived from the log. Sharing adds
 * rows pointing at a calendar (later); `deletedAt` keeps a calendar in the trash bin, `publishToken`
 * makes it public, `source` makes it a subscription to a remote iCalendar URL. Times are ms.
 */
export const calendars = sqliteTable('calendars', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  owner: text('owner').notNull().references(() => users.id, { onDelete: 'cascade' }),
  /** The path segment below the calendar home. */
  uri: text('uri').notNull(),
  displayname: text('displayname'),
  /** Apple calendar-color, `#RRGGBB` or `#RRGGBBAA`. */
  color: text('color'),
  /** Apple calendar-order. */
  order: integer('calendar_order').notNull().default(0),
  description: text('description'),
  /** A VCALENDAR with one VTIMEZONE (calendar-timezone). */
  timezone: text('timezone'),
  /** Comma-separated component names it accepts (VEVENT, VTODO, VJOURNAL). */
  components: text('components').notNull(),
  synctoken: integer('synctoken').notNull().default(0),
  createdAt: integer('created_at').notNull(),
  /** Set while the calendar sits in the trash bin. */
  deletedAt: integer('deleted_at'),
  /** The public link token (cs:publish-url); null = not published. */
  publishToken: text('publish_token'),
  /** Subscriptions: the remote iCalendar URL and when it was last fetched. */
  source: text('source'),
  refreshedAt: integer('refreshed_at'),
}, (t) => [
  uniqueIndex('calendars_owner_uri').on(t.owner, t.uri),
  uniqueIndex('calendars_publish_token').on(t.publishToken),
]);

/**
 * One calendar object resource (RFC 4791 §4.1): the text as sent (bounded by max-resource-size),
 * and what queries need extracted from it. `firstStart`/`lastEnd` bound all instances (lastEnd null =
 * unbounded recurrence; both null = no time, e.g. an undated VTODO), so a time-range query reads
 * only candidates from the index and then filters precisely.
 */
export const calendarObjects = sqliteTable('calendar_objects', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  calendarId: integer('calendar_id').notNull().references(() => calendars.id, { onDelete: 'cascade' }),
  uri: text('uri').notNull(),
  etag: text('etag').notNull(),
  size: integer('size').notNull(),
  uid: text('uid').notNull(),
  component: text('component').notNull(),
  firstStart: integer('first_start'),
  lastEnd: integer('last_end'),
  data: text('data').notNull(),
  createdAt: integer('created_at').notNull(),
  lastModified: integer('last_modified').notNull(),
  /** Set while the object sits in the calendar trash bin; live objects have null. */
  deletedAt: integer('deleted_at'),
}, (t) => [
  uniqueIndex('calendar_objects_uri').on(t.calendarId, t.uri).where(sql`deleted_at IS NULL`),
  uniqueIndex('calendar_objects_uid').on(t.calendarId, t.uid).where(sql`deleted_at IS NULL`),
  index('calendar_objects_time').on(t.calendarId, t.firstStart, t.lastEnd),
]);

/** The change log of a calendar: one row per change (1 added, 2 modified, 3 deleted), numbered by synctoken. */
export const calendarChanges = sqliteTable('calendar_changes', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  calendarId: integer('calendar_id').notNull().references(() => calendars.id, { onDelete: 'cascade' }),
  synctoken: integer('synctoken').notNull(),
  uri: text('uri').notNull(),
  operation: integer('operation').notNull(),
}, (t) => [index('calendar_changes_token').on(t.calendarId, t.synctoken)]);
