import { fillPlaceholders, type Query, type SQL } from 'drizzle-orm';
import { drizzle, type DrizzleD1Database } from 'drizzle-orm/d1';
import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core';
import type { FileRow } from './tree';

/** A statement built by drizzle: a query builder or a `sql` template. */
export type Statement = { toSQL(): { sql: string; params: unknown[] } } | SQL;

const dialect = new SQLiteAsyncDialect();

/**
 * Runs drizzle-built statements as one D1 batch (one transaction). Drizzle's own batch cannot take
 * `sql` templates with parameters, which the guards and subquery inserts need.
 */
export async function runStatements(d1: D1Database, statements: Statement[]): Promise<D1Result<Record<string, unknown>>[]> {
  return d1.batch(prepareStatements(d1, statements));
}

/** Statements prepared on a D1 binding from drizzle-built SQL whose values may be placeholders. */
interface PreparedTemplate {
  statement: D1PreparedStatement;
  params: unknown[];
}

/**
 * Statements built by drizzle once per D1 binding and shape, with `sql.placeholder(name)` for
 * their values, and bound to `values` on each call (as readBuiltOnce, for a write's batch). `key`
 * names the shape: calls with the same key must build the same statements. `meta` is what the
 * builder says about them (where results are, say).
 */
export function statementsBuiltOnce<S, M>(
  build: (db: DrizzleD1Database, shape: S) => { statements: Statement[]; meta: M },
  key: (shape: S) => string,
): (d1: D1Database, shape: S, values: Record<string, unknown>) => { statements: D1PreparedStatement[]; meta: M } {
  const built = new WeakMap<D1Database, Map<string, { templates: PreparedTemplate[]; meta: M }>>();
  return (d1, shape, values) => {
    let byKey = built.get(d1);
    if (!byKey) built.set(d1, byKey = new Map());
    const k = key(shape);
    let b = byKey.get(k);
    if (!b) {
      const { statements, meta } = build(drizzle(d1), shape);
      b = {
        templates: statements.map((s) => {
          const q = 'toSQL' in s ? s.toSQL() : dialect.sqlToQuery(s);
          return { statement: d1.prepare(q.sql), params: q.params };
        }),
        meta,
      };
      byKey.set(k, b);
    }
    return { statements: b.templates.map((t) => t.statement.bind(...fillPlaceholders(t.params, values))), meta: b.meta };
  };
}

/** Drizzle-built statements prepared and bound, ready for `d1.batch`. */
export function prepareStatements(d1: D1Database, statements: Statement[]): D1PreparedStatement[] {
  return statements.map((s) => {
    const q = 'toSQL' in s ? s.toSQL() : dialect.sqlToQuery(s);
    return d1.prepare(q.sql).bind(...q.params);
  });
}

/** A read built by drizzle once and bound per request: its statement and how to map its result. */
export interface BoundRead<T> {
  statement: D1PreparedStatement;
  map(result: D1Result): T;
}

/**
 * A drizzle read built once per D1 binding, with `sql.placeholder(name)` for its values, and bound
 * to `values` on each call. Building SQL through drizzle costs about 75 µs of CPU a query, more
 * than a small statement costs the local D1, and the reads every files request starts with
 * (prefetch.ts) are always the same few shapes. Run the statements with `d1.batch` and map each
 * result with its `map`.
 */
export function readBuiltOnce<T>(
  build: (db: DrizzleD1Database) => { prepare(): { getQuery(): Query; mapResult(response: unknown, isFromBatch?: boolean): unknown } },
): (d1: D1Database, values: Record<string, unknown>) => BoundRead<T> {
  const built = new WeakMap<D1Database, { statement: D1PreparedStatement; params: unknown[]; map: (result: D1Result) => T }>();
  return (d1, values) => {
    let b = built.get(d1);
    if (!b) {
      const prepared = build(drizzle(d1)).prepare();
      const { sql, params } = prepared.getQuery();
      b = { statement: d1.prepare(sql), params, map: (result) => prepared.mapResult(result, true) as T };
      built.set(d1, b);
    }
    return { statement: b.statement.bind(...fillPlaceholders(b.params, values)), map: b.map };
  };
}

/** Maps a raw `files` row (as D1 returns it from RETURNING) to the drizzle row type. */
export function fileRowFromD1(r: Record<string, unknown>): FileRow {
  return {
    fileid: r.fileid as number, owner: r.owner as string, path: r.path as string, parentId: r.parent_id as number | null,
    name: r.name as string, isDir: r.is_dir === 1 || r.is_dir === true, size: r.size as number, mtime: r.mtime as number,
    createdAt: r.created_at as number, etag: r.etag as string, contentType: r.content_type as string,
    checksums: r.checksums as string | null, segments: r.segments as string | null,
  };
}

/** Maps a raw `files` row in column order (as `select().from(files)` lists them). */
export function fileRowFromArray(r: unknown[]): FileRow {
  return {
    fileid: r[0] as number, owner: r[1] as string, path: r[2] as string, parentId: r[3] as number | null,
    name: r[4] as string, isDir: r[5] === 1, size: r[6] as number, mtime: r[7] as number, createdAt: r[8] as number,
    etag: r[9] as string, contentType: r[10] as string, checksums: r[11] as string | null, segments: r[12] as string | null,
  };
}
