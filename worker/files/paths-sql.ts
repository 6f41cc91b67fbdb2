import { sql, type SQL, type Column } from 'drizzle-orm';

/** `column` is `path` or lies below it (an index range; '0' follows '/'). */
export function atOrBelowPath(column: Column, path: string): SQL {
  // The home and its subtree, not the trash (tree.ts TRASH_ROOT sorts before ' ').
  if (path === '') return sql`(${column} = '' OR ${column} >= ' ')`;
  return sql`(${column} = ${path} OR (${column} >= ${path + '/'} AND ${column} < ${path + '0'}))`;
}
