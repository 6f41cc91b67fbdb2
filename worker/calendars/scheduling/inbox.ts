import { and, asc, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { scheduleInbox } from '../../../schema';
import type { ObjectRow } from '../service';

export type InboxRow = typeof scheduleInbox.$inferSelect;

/** The scheduling inbox of one user (RFC 6638 §2.2): messages delivered to them, deleted by their client. */
export class ScheduleInbox {
  private readonly db;
  constructor(env: Env, readonly owner: string) { this.db = drizzle(env.DB); }

  async list(): Promise<InboxRow[]> {
    return this.db.select().from(scheduleInbox).where(eq(scheduleInbox.owner, this.owner)).orderBy(asc(scheduleInbox.id));
  }

  async get(uri: string): Promise<InboxRow | null> {
    return (await this.db.select().from(scheduleInbox).where(and(eq(scheduleInbox.owner, this.owner), eq(scheduleInbox.uri, uri))).get()) ?? null;
  }

  async deliver(uid: string, method: string, data: string, now: number): Promise<void> {
    await this.db.insert(scheduleInbox).values({
      owner: this.owner, uri: `${crypto.randomUUID()}.ics`, uid, method, data, etag: crypto.randomUUID().replaceAll('-', ''), createdAt: now,
    });
  }

  async remove(row: InboxRow): Promise<void> {
    await this.db.delete(scheduleInbox).where(eq(scheduleInbox.id, row.id));
  }
}

/** An inbox message in the shape the calendar backend serves objects (GET, calendar-data, getetag). */
export function inboxObject(row: InboxRow): ObjectRow {
  return {
    id: row.id, calendarId: 0, uri: row.uri, etag: row.etag, size: new TextEncoder().encode(row.data).byteLength, uid: row.uid,
    component: 'VEVENT', firstStart: null, lastEnd: null, data: row.data, createdAt: row.createdAt, lastModified: row.createdAt, deletedAt: null,
  };
}
