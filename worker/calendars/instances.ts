import { and, eq, getTableColumns, isNull, sql, type SQL } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { calendarInstanceCover, calendarInstances, calendarObjects } from '../../schema';
import { runStatements, type Statement } from '../files/batch';
import { eventInstanceIndex, type CompFilter, type TimeRange } from './ical/index';
import type { CalendarRow, ObjectRow } from './service';

// The occurrence index of VEVENT objects (schema/calendar-instances.ts). A time-range query over
// a calendar of 10,000 events cannot afford to parse every recurring candidate (~0.15 ms each in
// ical.js), so each event's instances are computed once, when it is written, for a horizon of
// 2 years back and 5 years ahead, and written in the same D1 batch as the object. A query then
// finds its events by an index range on instances; for a plain VCALENDAR > VEVENT time-range the
// index is the answer (it is built by the same recurrence code the filter uses: overrides, EXDATE,
// RDATE, time zones). Objects the index does not cover for the query — recurrences running past
// their horizon, a query far in the past or future, objects stored before the index existed, the
// rare RANGE=THISANDFUTURE series — are evaluated from their text, as before.
//
// The horizon moves lazily: a query that had to evaluate an object because its horizon fell
// short re-indexes it (in the background, around the query and now) when its index is over a
// month old, and objects never indexed are indexed a few hundred at a time by the queries that
// meet them. Nothing else rewrites the index, so CalendarService.put must stay the only writer of
// calendar_objects.data (it calls indexStatements in its batch).

const YEAR = 365 * 86_400_000;
const HORIZON_BACK = 2 * YEAR;
const HORIZON_AHEAD = 5 * YEAR;
/** Instances longer than this are flagged `long`; the others are found from rs − LONG on. */
const LONG = 7 * 86_400_000;
/** Master occurrences indexed per object (a daily event over 5 years is ~1,800). */
const MAX_INSTANCES = 2000;
const ROWS_PER_INSERT = 400;
/** Objects (re)indexed per query in the background. */
const LAZY_BATCH = 200;
const REINDEX_AFTER = 30 * 86_400_000;

/** The default horizon around `now`, widened to a finite query window not too far from it. */
function horizonFor(now: number, query?: TimeRange): { start: number; end: number } {
  const h = { start: now - HORIZON_BACK, end: now + HORIZON_AHEAD };
  if (query?.start != null && query.end != null && query.end - query.start <= YEAR && query.start > now - 20 * YEAR && query.end < now + 20 * YEAR) {
    h.start = Math.min(h.start, query.start - YEAR);
    h.end = Math.max(h.end, query.end + YEAR);
  }
  return h;
}

const int = (n: number) => {
  if (!Number.isSafeInteger(n)) throw new Error(`not an integer: ${n}`);
  return String(n);
};

/**
 * The statements that replace the index of the live object `uri` of a calendar with the
 * instances of `text`, for the batch that writes it. With `etag`, they do nothing unless the
 * object still has that ETag (lazy indexing must not overwrite a newer write's index).
 */
export function indexStatements(calendarId: number, uri: string, text: string, now: number, opts: { etag?: string; query?: TimeRange } = {}): Statement[] {
  const target = sql`SELECT id FROM ${calendarObjects} WHERE calendar_id = ${calendarId} AND uri = ${uri} AND deleted_at IS NULL${opts.etag === undefined ? sql`` : sql` AND etag = ${opts.etag}`}`;
  const out: Statement[] = [
    sql`DELETE FROM ${calendarInstances} WHERE object_id IN (${target})`,
    sql`DELETE FROM ${calendarInstanceCover} WHERE object_id IN (${target})`,
  ];
  const index = eventInstanceIndex(text, horizonFor(now, opts.query), { maxInstances: MAX_INSTANCES });
  if (!index) return out; // not an event: queries for other components read first_start/last_end
  for (let i = 0; i < index.instances.length; i += ROWS_PER_INSERT) {
    const values = index.instances.slice(i, i + ROWS_PER_INSERT)
      .map((x) => `(${int(x.start)},${int(x.end)},${x.end - x.start > LONG ? 1 : 0})`).join(',');
    // Computed integers inlined: a few hundred rows per statement instead of 25 (100 bound parameters).
    out.push(sql`INSERT INTO ${calendarInstances} (object_id, calendar_id, start, "end", long)
      SELECT o.id, ${calendarId}, v.column1, v.column2, v.column3 FROM (VALUES ${sql.raw(values)}) v, (${target}) o`);
  }
  out.push(sql`INSERT INTO ${calendarInstanceCover} (object_id, calendar_id, cover_from, cover_to, floating, indexed_at)
    SELECT id, ${calendarId}, ${index.coverFrom}, ${index.coverTo}, ${index.floating ? 1 : 0}, ${now} FROM (${target})`);
  return out;
}

/**
 * The filter is exactly VCALENDAR > VEVENT with a time-range (what clients send most): an object
 * matches iff one of its instances overlaps the range, which the index answers by itself.
 */
export function isPlainEventTimeRange(top: CompFilter): boolean {
  if (top.isNotDefined || top.propFilters.length || top.compFilters.length !== 1) return false;
  const ev = top.compFilters[0];
  return ev.name.toUpperCase() === 'VEVENT' && !ev.isNotDefined && ev.timeRange !== null && !ev.propFilters.length && !ev.compFilters.length;
}

type Uncovered = ObjectRow & { coverTo: number | null; indexedAt: number };

/**
 * VEVENT objects for a time-range [start, end) (one side may be open): `indexed` have an instance
 * overlapping it according to an index that covers the range; `evaluate` are not covered and must
 * be tested from their text (already narrowed by first_start/last_end). Without `withData` the
 * rows' `data` is empty (getetag-only answers need not read the texts).
 * `timezone`: the zone the caller reads floating times in; objects with floating instances are
 * exact in UTC only.
 */
export async function eventCandidates(env: Env, cal: CalendarRow, range: TimeRange, opts: { withData: boolean; timezone?: string | null }): Promise<{ indexed: ObjectRow[]; evaluate: Uncovered[] }> {
  const db = drizzle(env.DB);
  const { start: rs, end: re } = range;
  const cols = { ...getTableColumns(calendarObjects), ...(opts.withData ? {} : { data: sql<string>`''` }) };
  const live = [isNull(calendarObjects.deletedAt), eq(calendarObjects.component, 'VEVENT')];
  const c = calendarInstanceCover;

  const overlap = (long: 0 | 1): SQL => {
    const conds = [sql`calendar_id = ${cal.id}`, sql`long = ${long}`];
    if (re !== null) conds.push(sql`start < ${re}`);
    if (rs !== null) conds.push(sql`"end" > ${rs}`);
    if (rs !== null && long === 0) conds.push(sql`start > ${rs - LONG - 1}`);
    return sql`SELECT object_id FROM ${calendarInstances} WHERE ${sql.join(conds, sql` AND `)}`;
  };
  const covered: SQL[] = [
    rs === null ? isNull(c.coverFrom) : sql`(${c.coverFrom} IS NULL OR ${c.coverFrom} <= ${rs})`,
    re === null ? isNull(c.coverTo) : sql`(${c.coverTo} IS NULL OR ${c.coverTo} >= ${re})`,
  ];
  if (opts.timezone) covered.push(sql`${c.floating} = 0`);
  const indexed = db.select(cols).from(calendarObjects).innerJoin(c, eq(c.objectId, calendarObjects.id)).where(and(
    sql`${calendarObjects.id} IN (${overlap(0)} UNION ${overlap(1)})`, ...live, ...covered));

  const outside: SQL[] = [];
  if (re !== null) outside.push(sql`${c.coverTo} < ${re}`);
  else outside.push(sql`${c.coverTo} IS NOT NULL`);
  if (rs !== null) outside.push(sql`${c.coverFrom} > ${rs}`);
  else outside.push(sql`${c.coverFrom} IS NOT NULL`);
  if (opts.timezone) outside.push(sql`${c.floating} = 1`);
  const bounds: SQL[] = [];
  if (re !== null) bounds.push(sql`(${calendarObjects.firstStart} IS NULL OR ${calendarObjects.firstStart} < ${re})`);
  if (rs !== null) bounds.push(sql`(${calendarObjects.lastEnd} IS NULL OR ${calendarObjects.lastEnd} > ${rs})`);
  // Each side of the OR has its own index on cover (calendar_id, cover_to / cover_from).
  const evaluate = db.select({ ...cols, data: calendarObjects.data, coverTo: c.coverTo, indexedAt: c.indexedAt }).from(c)
    .innerJoin(calendarObjects, eq(calendarObjects.id, c.objectId))
    .where(and(eq(c.calendarId, cal.id), sql`(${sql.join(outside, sql` OR `)})`, ...live, ...bounds));
  const [a, b] = await db.batch([indexed, evaluate]);
  const seen = new Set(b.map((o) => o.id));
  return { indexed: a.filter((o) => !seen.has(o.id)).map((o) => o as ObjectRow), evaluate: b as Uncovered[] };
}

/**
 * Background work after a query: indexes the evaluated objects that were never indexed or whose
 * horizon is over a month old and fell short, then up to LAZY_BATCH more never-indexed objects of
 * the calendar. Each write is conditional on the ETag it was computed from.
 */
export async function indexLazily(env: Env, cal: CalendarRow, evaluated: Uncovered[], query: TimeRange, now: number): Promise<void> {
  const db = drizzle(env.DB);
  // Never-indexed rows have indexed_at 0; objects the index cannot cover (THISANDFUTURE) are retried monthly at most.
  const todo = evaluated.filter((o) => o.indexedAt < now - REINDEX_AFTER).slice(0, LAZY_BATCH);
  if (todo.length < LAZY_BATCH) {
    const c = calendarInstanceCover;
    const seen = new Set(todo.map((o) => o.id));
    const more = await db.select({ ...getTableColumns(calendarObjects), coverTo: c.coverTo, indexedAt: c.indexedAt }).from(c)
      .innerJoin(calendarObjects, eq(calendarObjects.id, c.objectId))
      .where(and(eq(c.calendarId, cal.id), sql`${c.coverTo} <= 0`, sql`${c.indexedAt} < ${now - REINDEX_AFTER}`, isNull(calendarObjects.deletedAt))).limit(LAZY_BATCH);
    todo.push(...more.filter((o) => !seen.has(o.id)).slice(0, LAZY_BATCH - todo.length));
  }
  if (todo.length === 0) return;
  // One object's statements never straddle two batches: a cover row deleted without its
  // replacement would hide the object from queries.
  let batch: Statement[] = [];
  for (const o of todo) {
    const mine = indexStatements(cal.id, o.uri, o.data, now, { etag: o.etag, query });
    if (batch.length && batch.length + mine.length > 200) {
      await runStatements(env.DB, batch);
      batch = [];
    }
    batch.push(...mine);
  }
  if (batch.length) await runStatements(env.DB, batch);
}
