import { sqliteTable, text, integer, primaryKey } from 'drizzle-orm/sqlite-core';

/**
 * The reminders job (worker/calendars/reminders.ts). `reminder_watermark` has one row (id 1):
 * every alarm trigger up to `sentUpTo` (ms, inclusive) has been handled. `reminders_sent` records
 * each trigger sent, keyed by object, instance (RECURRENCE-ID ms, 0 for a non-recurring object),
 * trigger time and action, so that a repeated or overlapping run never sends one twice; rows are
 * purged once the watermark is well past them. No foreign key: the row must outlive an object
 * deleted mid-run, and the purge removes it anyway.
 */
export const reminderWatermark = sqliteTable('reminder_watermark', {
  id: integer('id').primaryKey(),
  sentUpTo: integer('sent_up_to').notNull(),
});

export const remindersSent = sqliteTable('reminders_sent', {
  objectId: integer('object_id').notNull(),
  instance: integer('instance').notNull(),
  trigger: integer('trigger_at').notNull(),
  action: text('action').notNull(),
  sentAt: integer('sent_at').notNull(),
}, (t) => [primaryKey({ columns: [t.objectId, t.instance, t.trigger, t.action] })]);
