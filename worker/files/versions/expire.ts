/**
 * Expiry of versions: the thinning schedule and the 50 % rule applied to stored rows, and the
 * clean-up a write does after its batch. Rows go first (DELETE … RETURNING their segments),
 * blobs after: a crash in between leaves orphan blobs for the collector, never a row without
 * its content. Only blobs of rows this statement really deleted are removed, so a version
 * restored meanwhile (its blobs now the file's) is never touched.
 */
import { and, eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { files, fileVersions } from '../../../schema';
import { runStatements, type Statement } from '../batch';
import { deleteBlobs, parseSegments } from '../blobs';
import type { ReplaceOutcome } from './keep';
import { expiredVersions, thinnedOut } from './thinning';

/** D1 allows at most 100 bound parameters per statement. */
const IDS_PER_STATEMENT = 90;

/**
 * Deletes version rows by id, then the blobs of the rows that were still there. With
 * `unlabelledOnly`, a version labelled since it was read stays. Returns how many went.
 */
export async function deleteVersionRows(env: Env, ids: number[], opts: { unlabelledOnly?: boolean } = {}): Promise<number> {
  if (ids.length === 0) return 0;
  const stmts: Statement[] = [];
  const unlabelled = opts.unlabelledOnly ? sql` AND (label IS NULL OR label = '')` : sql``;
  for (let i = 0; i < ids.length; i += IDS_PER_STATEMENT) {
    const chunk = ids.slice(i, i + IDS_PER_STATEMENT);
    stmts.push(sql`DELETE FROM file_versions WHERE id IN (${sql.join(chunk.map((id) => sql`${id}`), sql`, `)})${unlabelled} RETURNING segments`);
  }
  const results = await runStatements(env.DB, stmts);
  const rows = results.flatMap((r) => r.results as { segments: string }[]);
  await deleteBlobs(env.FILES, rows.flatMap((r) => parseSegments(r.segments).map(([k]) => k)));
  return rows.length;
}

/**
 * Expires the versions of one owner at `now` (seconds): the schedule for one file (after a
 * write made a version of it, as Nextcloud does) or for every file (the cron), then the 50 %
 * rule over all the owner's versions. Returns how many versions were deleted.
 */
export async function expireOwnerVersions(env: Env, owner: string, quota: number | null, now: number, only?: { fileid: number }): Promise<number> {
  const db = drizzle(env.DB);
  const [versions, home] = await Promise.all([
    db.select({ id: fileVersions.id, fileid: fileVersions.fileid, timestamp: fileVersions.timestamp, size: fileVersions.size, label: fileVersions.label })
      // Without a quota there is no 50 % rule: a write's expiry needs only its file's versions.
      .from(fileVersions).where(and(eq(fileVersions.owner, owner), quota === null && only ? eq(fileVersions.fileid, only.fileid) : undefined)),
    quota === null ? Promise.resolve(undefined) : db.select({ size: files.size }).from(files).where(and(eq(files.owner, owner), eq(files.path, ''))).get(),
  ]);
  const free = quota === null ? null : quota - (home?.size ?? 0);
  const { thinned, overCap } = expiredVersions(versions, now, free, only?.fileid);
  // The schedule never takes a labelled version, even one labelled since the read above.
  const ids = (vs: { id: number }[]) => vs.map((v) => v.id);
  return (await deleteVersionRows(env, ids(thinned), { unlabelledOnly: true })) + (await deleteVersionRows(env, ids(overCap)));
}

/**
 * What a write does after its batch with the content it replaced: no version made → its blobs
 * go, as before versions existed; a version made → the schedule and the 50 % rule, run only when
 * the batch's own probe shows there is something to delete (so an ordinary overwrite pays
 * nothing more). Failures are logged, not thrown: the write has committed, and the cron and the
 * orphan collector finish the job.
 */
export async function settleReplaced(env: Env, owner: string, quota: number | null, now: number, outcome: ReplaceOutcome): Promise<void> {
  try {
    if (!outcome.made) {
      await deleteBlobs(env.FILES, outcome.replaced.map(([k]) => k));
      return;
    }
    const fileid = outcome.fileVersions[0]?.fileid;
    if (fileid === undefined) return;
    const thin = thinnedOut(outcome.fileVersions, now).length > 0;
    const t = outcome.totals;
    const overCap = quota !== null && t !== null && t.versions > Math.floor(Math.max(0, quota - t.used) / 2);
    if (thin || overCap) await expireOwnerVersions(env, owner, quota, now, { fileid });
  } catch (e) {
    console.error(`version clean-up after a write of ${owner} failed (the write stands):`, e);
  }
}
