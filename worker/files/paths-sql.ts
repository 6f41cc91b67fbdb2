import { sql, type SQL, type Column } from 'drizzle-orm';

/** `column` is `path` or lies below it (an index range; '0' follows '/'). */
export function atOrBelowPath(column: Column, path: string): SQL {
  if (path === '') return sql`1 = 1`;
  return sql`(${column} = ${path} OR (${column} >= ${path + '/'} AND ${column} < ${path + '0'}))`;
}
