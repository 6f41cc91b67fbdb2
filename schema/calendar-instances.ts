import { sqliteTable, integer, index } from 'drizzle-orm/sqlite-core';
import { calendarObjects } from './calendars';

/**
 * The occurrence index of VEVENT objects (worker/calendars/instances.ts): one row per instance
 * within a horizon around the time the object was written, replaced in the same D1 batch as the
 * object. `start`/`end` are encoded so that RFC 4791 §9.9 overlap with [rs, re) is
 * `start < re AND end > rs` (an instant t is [t, t + 1)). `long` marks instances longer than a
 * week: the index scan looks back one week from rs for the others, and reads the few long ones
 * separately. Times are ms; floating times and dates are read as UTC.
 */
export const calendarInstances = sqliteTable('calendar_instances', {
  objectId: integer('object_id').notNull().references(() => calendarObjects.id, { onDelete: 'cascade' }),
  calendarId: integer('calendar_id').notNull(),
  start: integer('start').notNull(),
  end: integer('end').notNull(),
  long: integer('long').notNull(),
}, (t) => [
  index('calendar_instances_range').on(t.calendarId, t.long, t.start, t.end, t.objectId),
  index('calendar_instances_object').on(t.objectId),
]);

/**
 * Which query windows the index answers for an object, per object: the rows above hold every
 * instance overlapping [rs, re) when (cover_from IS NULL OR cover_from <= rs) AND (cover_to IS
 * NULL OR cover_to >= re). cover_from > cover_to covers nothing (not indexed yet: objects stored
 * before this migration). Objects outside their coverage are evaluated from their text.
 * `floating`: some instance has a floating time or a DATE (exact only when read in UTC).
 */
export const calendarInstanceCover = sqliteTable('calendar_instance_cover', {
  objectId: integer('object_id').primaryKey().references(() => calendarObjects.id, { onDelete: 'cascade' }),
  calendarId: integer('calendar_id').notNull(),
  coverFrom: integer('cover_from'),
  coverTo: integer('cover_to'),
  floating: integer('floating').notNull(),
  indexedAt: integer('indexed_at').notNull(),
}, (t) => [
  index('calendar_instance_cover_to').on(t.calendarId, t.coverTo),
  index('calendar_instance_cover_from').on(t.calendarId, t.coverFrom),
]);
