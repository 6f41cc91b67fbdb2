import { and, asc, eq, gt, inArray, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { calendarChanges, calendarObjects, calendars } from '../../schema';
import { AlreadyExists, NotFound, PreconditionFailed, UidConflict } from '../errors';
import { runStatements, type Statement } from '../files/batch';
import { guard } from '../files/tree';
import type { CalendarComponent, CalendarObjectInfo } from './ical/index';
import { indexStatements } from './instances';

export type CalendarRow = typeof calendars.$inferSelect;
export type ObjectRow = typeof calendarObjects.$inferSelect;

/** Largest calendar object we store, in bytes (CALDAV:max-resource-size): objects live in D1 rows. */
export const MAX_OBJECT_BYTES = 1024 * 1024;
export const ALL_COMPONENTS: CalendarComponent[] = ['VEVENT', 'VTODO', 'VJOURNAL'];
const DEFAULT_URI = 'personal';
/** The generated, read-only birthday calendar (worker/calendars/birthdays.ts); Nextcloud's name for it. */
export const BIRTHDAY_URI = 'contact_birthdays';

/** Change-log operations (as SabreDAV numbers them). */
const ADDED = 1, MODIFIED = 2, DELETED = 3;

/** A second object with the same UID in one calendar (RFC 4791 §5.3.2.1 no-uid-conflict). */
/** A calendar object whose UID another one in the collection has (the domain's wording of UidConflict). */
export const uidConflict = (existingUri: string) => new UidConflict(existingUri, 'Another object in this calendar has the same UID');

/** The fields a client may set on a calendar (PROPPATCH, extended MKCOL). */
export interface CalendarFields {
  displayname?: string | null;
  color?: string | null;
  order?: number;
  description?: string | null;
  timezone?: string | null;
  components?: CalendarComponent[];
}

/** Lower-case hex MD5 of the text: the object's ETag, as Nextcloud computes it. */
async function md5(text: string): Promise<string> {
  const buf = await crypto.subtle.digest('MD5', new TextEncoder().encode(text));
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The calendars and calendar objects of one owner. The only code that writes the calendar tables. */
export class CalendarService {
  private readonly db;
  constructor(readonly env: Env, readonly owner: string, readonly now: number) {
    this.db = drizzle(env.DB);
  }

  /** Live calendars; a user without any gets the default "Personal" calendar on first use. */
  async list(): Promise<CalendarRow[]> {
    const rows = await this.db.select().from(calendars)
      .where(and(eq(calendars.owner, this.owner), isNull(calendars.deletedAt))).orderBy(asc(calendars.order), asc(calendars.id));
    // The birthday calendar is generated, not chosen: a user with only that one still gets "Personal".
    if (rows.some((r) => r.uri !== BIRTHDAY_URI)) return rows;
    await this.ensureDefault();
    return this.db.select().from(calendars).where(and(eq(calendars.owner, this.owner), isNull(calendars.deletedAt)));
  }

  async get(uri: string): Promise<CalendarRow | null> {
    const row = await this.db.select().from(calendars)
      .where(and(eq(calendars.owner, this.owner), eq(calendars.uri, uri), isNull(calendars.deletedAt))).get();
    if (row || uri !== DEFAULT_URI) return row ?? null;
    return (await this.list()).find((c) => c.uri === uri) ?? null;
  }

  /** Creates "Personal" unless the user has a calendar; concurrent first requests create it once. */
  private async ensureDefault(): Promise<void> {
    await this.env.DB.prepare(
      `INSERT OR IGNORE INTO calendars (owner, uri, displayname, color, calendar_order, components, synctoken, created_at)
       SELECT ?, ?, 'Personal', '#0082c9', 0, ?, 0, ? WHERE NOT EXISTS (SELECT 1 FROM calendars WHERE owner = ? AND deleted_at IS NULL AND uri <> ?)`,
    ).bind(this.owner, DEFAULT_URI, ALL_COMPONENTS.join(','), this.now, this.owner, BIRTHDAY_URI).run();
  }

  async create(uri: string, fields: CalendarFields): Promise<CalendarRow> {
    try {
      const [row] = await this.db.insert(calendars).values({
        owner: this.owner, uri, displayname: fields.displayname ?? uri, color: fields.color ?? null, order: fields.order ?? 0,
        description: fields.description ?? null, timezone: fields.timezone ?? null,
        components: (fields.components ?? ALL_COMPONENTS).join(','), createdAt: this.now,
      }).returning();
      return row;
    } catch (e) {
      if (String((e as Error).message).includes('UNIQUE')) throw new AlreadyExists('A calendar with this name exists');
      throw e;
    }
  }

  /** Writes changed collection properties in one statement (PROPPATCH is all or nothing). */
  async update(cal: CalendarRow, fields: CalendarFields): Promise<void> {
    const set: Partial<typeof calendars.$inferInsert> = {};
    if ('displayname' in fields) set.displayname = fields.displayname ?? null;
    if ('color' in fields) set.color = fields.color ?? null;
    if ('order' in fields) set.order = fields.order ?? 0;
    if ('description' in fields) set.description = fields.description ?? null;
    if ('timezone' in fields) set.timezone = fields.timezone ?? null;
    if (Object.keys(set).length === 0) return;
    await this.db.update(calendars).set(set).where(eq(calendars.id, cal.id));
  }

  // --- publishing (worker/calendars/publishing.ts) ---
  /** Sets or clears the public link token; clearing kills the old link at once (no cache holds it). */
  async setPublishToken(cal: CalendarRow, token: string | null): Promise<void> {
    await this.db.update(calendars).set({ publishToken: token }).where(eq(calendars.id, cal.id));
  }

  /** Live objects after id `afterId`, in id order, `limit` at a time (export streams pages of these). */
  async objectsAfter(cal: CalendarRow, afterId: number, limit: number): Promise<ObjectRow[]> {
    return this.db.select().from(calendarObjects)
      .where(and(eq(calendarObjects.calendarId, cal.id), isNull(calendarObjects.deletedAt), gt(calendarObjects.id, afterId)))
      .orderBy(asc(calendarObjects.id)).limit(limit);
  }
  // --- end publishing ---

  /**
   * DELETE of a calendar: an ordinary calendar moves to the trash bin (deleted_at, and its URI gets
   * a `-deleted-{ms}` suffix so the name is free for a new calendar: the (owner, uri) index covers
   * trashed rows too); its objects stay as they are and come back with it. Subscriptions and the
   * birthday calendar are caches of data held elsewhere, so they go for good.
   */
  async remove(cal: CalendarRow): Promise<void> {
    if (cal.source !== null || cal.uri === BIRTHDAY_URI) {
      await this.db.delete(calendars).where(eq(calendars.id, cal.id));
      return;
    }
    await this.db.update(calendars).set({ deletedAt: this.now, uri: `${cal.uri}-deleted-${this.now}` })
      .where(and(eq(calendars.id, cal.id), isNull(calendars.deletedAt)));
  }

  async objects(cal: CalendarRow): Promise<ObjectRow[]> {
    return this.db.select().from(calendarObjects)
      .where(and(eq(calendarObjects.calendarId, cal.id), isNull(calendarObjects.deletedAt))).orderBy(asc(calendarObjects.uri));
  }

  async object(cal: CalendarRow, uri: string): Promise<ObjectRow | null> {
    return (await this.db.select().from(calendarObjects)
      .where(and(eq(calendarObjects.calendarId, cal.id), eq(calendarObjects.uri, uri), isNull(calendarObjects.deletedAt))).get()) ?? null;
  }

  /** Live objects with these URIs (chunked: D1 binds at most 100 parameters). */
  async objectsByUri(cal: CalendarRow, uris: string[]): Promise<ObjectRow[]> {
    const out: ObjectRow[] = [];
    for (let i = 0; i < uris.length; i += 90) {
      out.push(...await this.db.select().from(calendarObjects).where(and(
        eq(calendarObjects.calendarId, cal.id), inArray(calendarObjects.uri, uris.slice(i, i + 90)), isNull(calendarObjects.deletedAt))));
    }
    return out;
  }

  /**
   * Candidates for a time-range query, read from the (calendar, first_start, last_end) index: objects
   * of this component whose instances may overlap [start, end); undated ones are always candidates.
   */
  async candidates(cal: CalendarRow, component: string | null, range: { start: number | null; end: number | null }): Promise<ObjectRow[]> {
    const conds: SQL[] = [eq(calendarObjects.calendarId, cal.id), isNull(calendarObjects.deletedAt)];
    if (component) conds.push(eq(calendarObjects.component, component));
    if (range.end !== null) conds.push(or(isNull(calendarObjects.firstStart), sql`${calendarObjects.firstStart} < ${range.end}`)!);
    if (range.start !== null) conds.push(or(isNull(calendarObjects.lastEnd), sql`${calendarObjects.lastEnd} > ${range.start}`)!);
    return this.db.select().from(calendarObjects).where(and(...conds));
  }

  /** The statements that log a change and advance the calendar's sync token, for the same batch. */
  private logChange(cal: CalendarRow, uri: string, operation: number): Statement[] {
    return [
      sql`INSERT INTO ${calendarChanges} (calendar_id, synctoken, uri, operation)
          SELECT id, synctoken + 1, ${uri}, ${operation} FROM ${calendars} WHERE id = ${cal.id}`,
      sql`UPDATE ${calendars} SET synctoken = synctoken + 1 WHERE id = ${cal.id}`,
    ];
  }

  /**
   * Stores an object (new or replacing `existing`) with its change-log entry in one batch.
   * `expectEtag`: null = must not exist, a string = must still have this ETag (checked in the batch).
   */
  async put(cal: CalendarRow, uri: string, text: string, info: CalendarObjectInfo, existing: ObjectRow | null, expectEtag: string | null | undefined): Promise<{ row: ObjectRow; created: boolean }> {
    if (expectEtag === null && existing) throw new PreconditionFailed('The resource exists already');
    if (typeof expectEtag === 'string' && existing?.etag !== expectEtag) throw new PreconditionFailed('The ETag no longer matches');
    const clash = await this.db.select({ uri: calendarObjects.uri }).from(calendarObjects).where(and(
      eq(calendarObjects.calendarId, cal.id), eq(calendarObjects.uid, info.uid), isNull(calendarObjects.deletedAt))).get();
    if (clash && clash.uri !== uri) throw uidConflict(clash.uri);
    const etag = await md5(text);
    const size = new TextEncoder().encode(text).byteLength;
    const fields = {
      etag, size, uid: info.uid, component: info.component, firstStart: info.firstStart, lastEnd: info.lastEnd, data: text, lastModified: this.now,
    };
    const statements: Statement[] = [];
    if (existing) {
      // The row we read must still be there with the ETag we read: a concurrent write makes this a 412.
      statements.push(guard('etagMatches', sql`EXISTS (SELECT 1 FROM ${calendarObjects} WHERE id = ${existing.id} AND etag = ${existing.etag} AND deleted_at IS NULL)`));
      statements.push(this.db.update(calendarObjects).set(fields).where(eq(calendarObjects.id, existing.id)));
    } else {
      statements.push(this.db.insert(calendarObjects).values({ calendarId: cal.id, uri, createdAt: this.now, ...fields }));
    }
    statements.push(...this.logChange(cal, uri, existing ? MODIFIED : ADDED));
    // The occurrence index (instances.ts) changes with the text, in the same batch.
    statements.push(...indexStatements(cal.id, uri, text, this.now));
    try {
      await runStatements(this.env.DB, statements);
    } catch (e) {
      throw await this.translate(e, cal, info.uid);
    }
    const row = await this.object(cal, uri);
    if (!row) throw new NotFound('The object was deleted meanwhile');
    return { row, created: !existing };
  }

  async deleteObject(cal: CalendarRow, obj: ObjectRow): Promise<void> {
    try {
      await runStatements(this.env.DB, [
        guard('etagMatches', sql`EXISTS (SELECT 1 FROM ${calendarObjects} WHERE id = ${obj.id} AND etag = ${obj.etag} AND deleted_at IS NULL)`),
        // An object of an ordinary calendar goes to the trash bin; generated ones (subscription, birthdays) for good.
        cal.source !== null || cal.uri === BIRTHDAY_URI
          ? this.db.delete(calendarObjects).where(eq(calendarObjects.id, obj.id))
          : this.db.update(calendarObjects).set({ deletedAt: this.now }).where(eq(calendarObjects.id, obj.id)),
        ...this.logChange(cal, obj.uri, DELETED),
      ]);
    } catch (e) {
      throw await this.translate(e, cal, obj.uid);
    }
  }

  // --- calendar trash bin (worker/calendars/trash.ts) ---
  /** Calendars of this owner in the trash bin, newest first. */
  async trashedCalendars(): Promise<CalendarRow[]> {
    return this.db.select().from(calendars).where(and(eq(calendars.owner, this.owner), sql`${calendars.deletedAt} IS NOT NULL`))
      .orderBy(sql`${calendars.deletedAt} DESC`);
  }

  async trashedCalendar(uri: string): Promise<CalendarRow | null> {
    return (await this.db.select().from(calendars)
      .where(and(eq(calendars.owner, this.owner), eq(calendars.uri, uri), sql`${calendars.deletedAt} IS NOT NULL`)).get()) ?? null;
  }

  /** Objects deleted one by one from live calendars (those of a trashed calendar come back with it). */
  async trashedObjects(): Promise<{ object: ObjectRow; calendar: CalendarRow }[]> {
    const rows = await this.db.select().from(calendarObjects).innerJoin(calendars, eq(calendars.id, calendarObjects.calendarId))
      .where(and(eq(calendars.owner, this.owner), isNull(calendars.deletedAt), sql`${calendarObjects.deletedAt} IS NOT NULL`))
      .orderBy(asc(calendarObjects.id));
    return rows.map((r) => ({ object: r.calendar_objects, calendar: r.calendars }));
  }

  async trashedObject(id: number): Promise<{ object: ObjectRow; calendar: CalendarRow } | null> {
    return (await this.trashedObjectRows(id))[0] ?? null;
  }

  private async trashedObjectRows(id: number) {
    const rows = await this.db.select().from(calendarObjects).innerJoin(calendars, eq(calendars.id, calendarObjects.calendarId))
      .where(and(eq(calendarObjects.id, id), eq(calendars.owner, this.owner), isNull(calendars.deletedAt), sql`${calendarObjects.deletedAt} IS NOT NULL`));
    return rows.map((r) => ({ object: r.calendar_objects, calendar: r.calendars }));
  }

  /** Brings a calendar back under its old URI; 409 (AlreadyExists) when that name is taken meanwhile. */
  async restoreCalendar(cal: CalendarRow): Promise<CalendarRow> {
    const uri = cal.uri.replace(/-deleted-\d+$/, '');
    try {
      const [row] = await this.db.update(calendars).set({ deletedAt: null, uri })
        .where(and(eq(calendars.id, cal.id), sql`${calendars.deletedAt} IS NOT NULL`)).returning();
      if (!row) throw new NotFound('The calendar is no longer in the trash bin');
      return row;
    } catch (e) {
      if (String((e as Error).message).includes('UNIQUE')) throw new AlreadyExists(`A calendar named ${uri} exists`);
      throw e;
    }
  }

  /**
   * Brings an object back (sync-collection then reports it as new). The partial unique indexes
   * refuse it when a live object took its URI or UID meanwhile: AlreadyExists, nothing changed.
   */
  async restoreObject(cal: CalendarRow, obj: ObjectRow): Promise<void> {
    try {
      await runStatements(this.env.DB, [
        guard('sourceUnchanged', sql`EXISTS (SELECT 1 FROM ${calendarObjects} WHERE id = ${obj.id} AND deleted_at IS NOT NULL)`),
        this.db.update(calendarObjects).set({ deletedAt: null, lastModified: this.now }).where(eq(calendarObjects.id, obj.id)),
        ...this.logChange(cal, obj.uri, ADDED),
      ]);
    } catch (e) {
      const msg = String((e as Error)?.message ?? e);
      if (msg.includes('batch_guards.source_unchanged')) throw new NotFound('The object is no longer in the trash bin');
      if (msg.includes('UNIQUE')) throw new AlreadyExists('A live object has the same name or UID');
      throw e;
    }
  }

  /** Deletes a trashed calendar (objects and change log cascade) or a trashed object for good. */
  async purgeCalendar(cal: CalendarRow): Promise<void> {
    await this.db.delete(calendars).where(and(eq(calendars.id, cal.id), sql`${calendars.deletedAt} IS NOT NULL`));
  }

  async purgeObject(obj: ObjectRow): Promise<void> {
    await this.db.delete(calendarObjects).where(and(eq(calendarObjects.id, obj.id), sql`${calendarObjects.deletedAt} IS NOT NULL`));
  }
  // --- end calendar trash bin ---

  // --- subscriptions and birthdays (worker/calendars/subscriptions.ts, birthdays.ts) ---
  /** Makes a new calendar a subscription to `source` (a checked http(s) URL). */
  async setSource(cal: CalendarRow, source: string): Promise<CalendarRow> {
    const [row] = await this.db.update(calendars).set({ source }).where(eq(calendars.id, cal.id)).returning();
    return row;
  }

  /**
   * Replaces the objects of a generated calendar with `next` (by URI) in one batch: unchanged ones
   * stay, changed ones are rewritten, missing ones deleted, each with its change-log entry, so
   * sync-collection sees exactly what changed and a failure changes nothing.
   */
  async replaceObjects(cal: CalendarRow, next: { uri: string; text: string; info: CalendarObjectInfo }[], refreshedAt: number | null): Promise<{ added: number; modified: number; deleted: number }> {
    const current = new Map((await this.objects(cal)).map((o) => [o.uri, o]));
    const statements: Statement[] = [];
    const counts = { added: 0, modified: 0, deleted: 0 };
    const seen = new Set<string>();
    for (const item of next) {
      if (seen.has(item.uri)) continue;
      seen.add(item.uri);
      const etag = await md5(item.text);
      const old = current.get(item.uri);
      if (old?.etag === etag) continue;
      const fields = {
        etag, size: new TextEncoder().encode(item.text).byteLength, uid: item.info.uid, component: item.info.component,
        firstStart: item.info.firstStart, lastEnd: item.info.lastEnd, data: item.text, lastModified: this.now,
      };
      if (old) {
        statements.push(this.db.update(calendarObjects).set(fields).where(eq(calendarObjects.id, old.id)), ...this.logChange(cal, item.uri, MODIFIED));
        counts.modified++;
      } else {
        statements.push(this.db.insert(calendarObjects).values({ calendarId: cal.id, uri: item.uri, createdAt: this.now, ...fields }), ...this.logChange(cal, item.uri, ADDED));
        counts.added++;
      }
    }
    for (const [uri, old] of current) {
      if (seen.has(uri)) continue;
      statements.push(this.db.delete(calendarObjects).where(eq(calendarObjects.id, old.id)), ...this.logChange(cal, uri, DELETED));
      counts.deleted++;
    }
    if (refreshedAt !== null) statements.push(this.db.update(calendars).set({ refreshedAt }).where(eq(calendars.id, cal.id)));
    if (statements.length > 0) await runStatements(this.env.DB, statements);
    return counts;
  }

  /** Deletes a generated object for good (a birthday whose card is gone), with its change-log entry. */
  async dropObject(cal: CalendarRow, obj: ObjectRow): Promise<void> {
    await runStatements(this.env.DB, [this.db.delete(calendarObjects).where(eq(calendarObjects.id, obj.id)), ...this.logChange(cal, obj.uri, DELETED)]);
  }
  // --- end subscriptions and birthdays ---

  private async translate(e: unknown, cal: CalendarRow, uid: string): Promise<unknown> {
    const msg = String((e as Error)?.message ?? e);
    if (msg.includes('batch_guards.etag_matches')) return new PreconditionFailed('The object changed meanwhile');
    if (msg.includes('calendar_objects.uid')) {
      const clash = await this.db.select({ uri: calendarObjects.uri }).from(calendarObjects).where(and(
        eq(calendarObjects.calendarId, cal.id), eq(calendarObjects.uid, uid), isNull(calendarObjects.deletedAt))).get();
      return uidConflict(clash?.uri ?? '');
    }
    if (msg.includes('calendar_objects.uri')) return new PreconditionFailed('The resource was created meanwhile');
    return e;
  }

  /**
   * Changes after sync token `since` (null = everything live): the URIs touched, newest state
   * first decided by the log; null when `since` is in the future. Pages by `limit` changes.
   */
  async changesSince(cal: CalendarRow, since: number | null, limit: number): Promise<{ token: number; changed: ObjectRow[]; removed: string[]; truncated: boolean } | null> {
    if (since === null) {
      const all = await this.objects(cal);
      return { token: cal.synctoken, changed: all, removed: [], truncated: false };
    }
    if (since > cal.synctoken || since < 0) return null;
    const log = await this.db.select().from(calendarChanges)
      .where(and(eq(calendarChanges.calendarId, cal.id), gt(calendarChanges.synctoken, since), lte(calendarChanges.synctoken, cal.synctoken)))
      .orderBy(asc(calendarChanges.synctoken)).limit(limit + 1);
    const truncated = log.length > limit;
    const page = truncated ? log.slice(0, limit) : log;
    const token = truncated ? page[page.length - 1].synctoken : cal.synctoken;
    const last = new Map<string, number>();
    for (const c of page) last.set(c.uri, c.operation);
    const live = await this.objectsByUri(cal, [...last.keys()]);
    const liveUris = new Set(live.map((o) => o.uri));
    const removed = [...last.keys()].filter((u) => !liveUris.has(u));
    return { token, changed: live, removed, truncated };
  }
}
