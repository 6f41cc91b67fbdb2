import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { users } from './accounts';

/**
 * The scheduling inbox of a user (RFC 6638 §2.2): iTIP messages delivered to them, kept as
 * delivered (with their METHOD) until the client deletes them. Times are ms.
 */
export const scheduleInbox = sqliteTable('schedule_inbox', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  owner: text('owner').notNull().references(() => users.id, { onDelete: 'cascade' }),
  uri: text('uri').notNull(),
  uid: text('uid').notNull(),
  method: text('method').notNull(),
  etag: text('etag').notNull(),
  data: text('data').notNull(),
  createdAt: integer('created_at').notNull(),
}, (t) => [uniqueIndex('schedule_inbox_uri').on(t.owner, t.uri)]);

/**
 * Rooms and resources (calendar-user-type ROOM / RESOURCE): principals at
 * /remote.php/dav/principals/calendar-rooms/{id}/ and calendar-resources/{id}/, created by an admin.
 * `email` is their calendar user address (mailto:) that organizers invite.
 */
export const calendarResources = sqliteTable('calendar_resources', {
  id: text('id').primaryKey(),
  kind: text('kind', { enum: ['room', 'resource'] }).notNull(),
  displayName: text('display_name').notNull(),
  email: text('email').notNull(),
  createdAt: integer('created_at').notNull(),
}, (t) => [uniqueIndex('calendar_resources_email').on(t.email)]);

/**
 * A room's or resource's bookings: one row per (resource, event UID), ACCEPTED or DECLINED when
 * it was decided. `start`/`end` bound the event's instances (end null = endless recurrence).
 * The first accepted booking wins: a later one overlapping it is declined.
 */
export const resourceBookings = sqliteTable('resource_bookings', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  resourceId: text('resource_id').notNull().references(() => calendarResources.id, { onDelete: 'cascade' }),
  uid: text('uid').notNull(),
  organizer: text('organizer').notNull(),
  start: integer('start').notNull(),
  end: integer('end'),
  status: text('status', { enum: ['ACCEPTED', 'DECLINED'] }).notNull(),
  createdAt: integer('created_at').notNull(),
}, (t) => [
  uniqueIndex('resource_bookings_uid').on(t.resourceId, t.uid),
  index('resource_bookings_time').on(t.resourceId, t.start),
]);
