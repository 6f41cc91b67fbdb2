import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';

/**
 * Every outbound e-mail the server was asked to send (worker/mail): the local mailer only records
 * rows here; a delivering mailer would set `sentAt`. Recipients are a JSON array of addresses.
 * `ics` is the text/calendar part of an iMIP message (with its METHOD in `method`). Times are ms.
 */
export const mailOutbox = sqliteTable('mail_outbox', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /** The user on whose behalf it was sent (null for system mail). */
  sender: text('sender'),
  from: text('from_address').notNull(),
  /** JSON array of recipient addresses. */
  to: text('to_addresses').notNull(),
  subject: text('subject').notNull(),
  text: text('text_body').notNull(),
  ics: text('ics'),
  method: text('method'),
  createdAt: integer('created_at').notNull(),
  sentAt: integer('sent_at'),
}, (t) => [index('mail_outbox_created').on(t.createdAt)]);
