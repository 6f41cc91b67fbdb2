import { env } from 'cloudflare:test';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { beforeAll, describe, expect, it } from 'vitest';
import { files } from '../../schema';
import { readBuiltOnce, statementsBuiltOnce } from '../../worker/files/batch';
import type { FileRow } from '../../worker/files/tree';
import { makeUser } from '../helpers';

const rowsAt = readBuiltOnce<FileRow[]>((db) => db.select().from(files)
  .where(and(eq(files.owner, sql.placeholder('owner')), inArray(files.path, [sql.placeholder('a'), sql.placeholder('b')]))));

describe('readBuiltOnce (worker/files/batch.ts): drizzle reads built once, bound per call', () => {
  beforeAll(async () => {
    for (const user of ['once-a', 'once-b']) {
      const client = await makeUser(user);
      await client.mkcol('/d');
      await client.put(`/d/${user}.txt`, user);
    }
  });

  it('gives what drizzle gives for the same values, call after call, in one batch', async () => {
    const direct = (owner: string, a: string, b: string) =>
      drizzle(env.DB).select().from(files).where(and(eq(files.owner, owner), inArray(files.path, [a, b])));
    const calls = [['once-a', 'd', 'd/once-a.txt'], ['once-b', 'd', 'd/once-b.txt'], ['once-a', '', 'nothing']] as const;
    const reads = calls.map(([owner, a, b]) => rowsAt(env.DB, { owner, a, b }));
    const results = await env.DB.batch(reads.map((r) => r.statement));
    for (const [i, [owner, a, b]] of calls.entries()) {
      const mapped = reads[i].map(results[i]);
      const expected = await direct(owner, a, b);
      expect(mapped.sort((x, y) => x.fileid - y.fileid)).toEqual(expected.sort((x, y) => x.fileid - y.fileid));
    }
    expect(reads[0].map(results[0]).map((r) => r.path).sort()).toEqual(['d', 'd/once-a.txt']);
    expect(reads[1].map(results[1]).every((r) => r.owner === 'once-b' && typeof r.isDir === 'boolean')).toBe(true);
    expect(reads[2].map(results[2]).map((r) => r.path)).toEqual(['']);
  });
});

describe('statementsBuiltOnce (worker/files/batch.ts): a write batch built once per shape, bound per call', () => {
  it('builds each shape once and binds each call to its own values', async () => {
    const builds: number[] = [];
    const sizesOf = statementsBuiltOnce((db, n: number) => {
      builds.push(n);
      const paths = Array.from({ length: n }, (_, i) => sql.placeholder(`p${i}`));
      return {
        statements: [
          db.select({ path: files.path, size: files.size }).from(files).where(and(eq(files.owner, sql.placeholder('owner')), inArray(files.path, paths))),
          sql`SELECT ${sql.placeholder('owner')} AS owner`,
        ],
        meta: { n },
      };
    }, (n) => String(n));
    const calls = [[1, 'once-a', ['d']], [2, 'once-b', ['d', 'd/once-b.txt']], [1, 'once-b', ['']], [2, 'once-a', ['', 'nothing']]] as const;
    for (const [n, owner, paths] of calls) {
      const { statements, meta } = sizesOf(env.DB, n, { owner, ...Object.fromEntries(paths.map((p, i) => [`p${i}`, p])) });
      expect(meta).toEqual({ n });
      const [rows, echo] = await env.DB.batch(statements);
      const expected = await drizzle(env.DB).select({ path: files.path, size: files.size }).from(files)
        .where(and(eq(files.owner, owner), inArray(files.path, [...paths])));
      expect((rows.results as { path: string }[]).map((r) => r.path).sort()).toEqual(expected.map((r) => r.path).sort());
      expect(echo.results).toEqual([{ owner }]);
    }
    expect(builds).toEqual([1, 2]);
  });
});
