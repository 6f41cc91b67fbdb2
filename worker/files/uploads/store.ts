import { and, asc, desc, eq, exists, lt, sql } from 'drizzle-orm';
import { drizzle, type DrizzleD1Database } from 'drizzle-orm/d1';
import { uploadChunks, uploads } from '../../../schema';
import { AlreadyExists, BadInput, Conflict, NotFound } from '../../errors';
import { runStatements, type Statement } from '../batch';
import { deleteBlobs, IncompleteBody, parseSegments, storeBody } from '../blobs';
import { guard, translateBatchError } from '../tree';
import type { RunningSha1 } from './running-sha1';

export type UploadRow = typeof uploads.$inferSelect;
export type ChunkRow = typeof uploadChunks.$inferSelect;

/** Nextcloud's own limit (chunked upload v2); it also bounds the segment list the final file gets. */
export const MAX_CHUNKS = 10_000;

/** Blob keys of chunks (rows, or `segments` columns as RETURNING gives them). */
export function blobKeysOf(chunks: readonly { segments: string }[]): string[] {
  return chunks.flatMap((c) => parseSegments(c.segments).map(([k]) => k));
}

/**
 * Chunked uploads of one owner: the only code that writes the `uploads` and `upload_chunks`
 * tables. Chunks are stored as they come, each its own immutable blob; completing an upload is
 * FilesService.commitSegments with `commitStatements` in the same batch.
 */
export class UploadStore {
  readonly db: DrizzleD1Database;

  constructor(private readonly env: Env, readonly owner: string, private readonly clock: () => number = Date.now) {
    this.db = drizzle(env.DB);
  }

  private is(id: string) {
    return and(eq(uploads.owner, this.owner), eq(uploads.id, id))!;
  }

  private chunksOf(id: string) {
    return and(eq(uploadChunks.owner, this.owner), eq(uploadChunks.uploadId, id))!;
  }

  async get(id: string): Promise<UploadRow | null> {
    return (await this.db.select().from(uploads).where(this.is(id)))[0] ?? null;
  }

  list(): Promise<UploadRow[]> {
    return this.db.select().from(uploads).where(eq(uploads.owner, this.owner)).orderBy(asc(uploads.id));
  }

  chunks(id: string): Promise<ChunkRow[]> {
    return this.db.select().from(uploadChunks).where(this.chunksOf(id));
  }

  async chunk(id: string, name: string): Promise<ChunkRow | null> {
    return (await this.db.select().from(uploadChunks).where(and(this.chunksOf(id), eq(uploadChunks.name, name))))[0] ?? null;
  }

  /** Number and total size of an upload's chunks. */
  async usage(id: string): Promise<{ count: number; bytes: number }> {
    const [r] = await this.db.select({ count: sql<number>`count(*)`, bytes: sql<number>`coalesce(sum(${uploadChunks.size}), 0)` })
      .from(uploadChunks).where(this.chunksOf(id));
    return { count: Number(r.count), bytes: Number(r.bytes) };
  }

  /**
   * The chunk just before the numbered chunk `name` (numeric order, which is natural order for
   * names of digits), for the running SHA-1 (chained-sha1.ts); one indexed row, not the list.
   */
  async chunkBefore(id: string, name: string): Promise<ChunkRow | null> {
    const number = sql`CAST(${uploadChunks.name} AS INTEGER)`;
    return (await this.db.select().from(uploadChunks)
      .where(and(this.chunksOf(id), sql`${uploadChunks.name} NOT GLOB '*[^0-9]*'`, sql`${number} < ${Number(name)}`))
      .orderBy(desc(number)).limit(1))[0] ?? null;
  }

  async create(id: string, opts: { destination: string | null; totalLength: number | null }): Promise<UploadRow> {
    const now = this.clock();
    const rows = await this.db.insert(uploads)
      .values({ owner: this.owner, id, destination: opts.destination, totalLength: opts.totalLength, createdAt: now, updatedAt: now })
      .onConflictDoNothing().returning();
    if (!rows[0]) throw new AlreadyExists('The upload folder exists already');
    return rows[0];
  }

  /**
   * Stores one chunk in new blobs, then one batch swaps the chunk row (a re-sent chunk replaces
   * the earlier one) and bumps the upload's version; the replaced blobs are deleted afterwards.
   * A `checksum` (the chunk's own OC-Checksum) is verified on the way; `chain` is the upload's
   * running SHA-1 this chunk continues (chained-sha1.ts), fed on the way and kept with the row.
   */
  async putChunk(upload: UploadRow, name: string, body: ReadableStream<Uint8Array> | null, length: number,
    checksum: { algo: string; value: string } | null, chain: { hash: RunningSha1; after: string } | null): Promise<ChunkRow> {
    const algorithms = checksum && (checksum.algo === 'SHA1' || checksum.algo === 'MD5') ? [checksum.algo] : [];
    let stored;
    try {
      stored = await storeBody(this.env.FILES, body, length, algorithms, { alsoHash: chain?.hash });
    } catch (e) {
      if (e instanceof IncompleteBody) throw new BadInput(e.message);
      throw e;
    }
    const dropNew = () => deleteBlobs(this.env.FILES, stored.segments.map(([k]) => k));
    if (algorithms.length && stored.digests[checksum!.algo] !== checksum!.value) {
      await dropNew();
      throw new BadInput(`The ${checksum!.algo} checksum does not match the chunk`);
    }
    const row: ChunkRow = {
      owner: this.owner, uploadId: upload.id, name, segments: JSON.stringify(stored.segments), size: stored.size,
      sha1State: chain ? chain.hash.save() : null, sha1After: chain ? chain.after : null,
    };
    const stmts: Statement[] = [
      guard('sourceUnchanged', sql`EXISTS (SELECT 1 FROM uploads AS u2 WHERE u2.owner = ${this.owner} AND u2.id = ${upload.id})`),
      this.db.delete(uploadChunks).where(and(this.chunksOf(upload.id), eq(uploadChunks.name, name))).returning({ segments: uploadChunks.segments }),
      this.db.insert(uploadChunks).values(row),
      this.db.update(uploads).set({ version: sql`${uploads.version} + 1`, updatedAt: this.clock() }).where(this.is(upload.id)),
    ];
    let results;
    try {
      results = await runStatements(this.env.DB, stmts);
    } catch (e) {
      await dropNew();
      const err = translateBatchError(e);
      throw err instanceof Conflict ? new NotFound('The upload folder is gone') : err;
    }
    await deleteBlobs(this.env.FILES, blobKeysOf(results[1].results as { segments: string }[]));
    return row;
  }

  /** Removes one chunk and its blobs. */
  async deleteChunk(upload: UploadRow, name: string): Promise<void> {
    const results = await runStatements(this.env.DB, [
      this.db.delete(uploadChunks).where(and(this.chunksOf(upload.id), eq(uploadChunks.name, name))).returning({ segments: uploadChunks.segments }),
      this.db.update(uploads).set({ version: sql`${uploads.version} + 1`, updatedAt: this.clock() }).where(this.is(upload.id)),
    ]);
    await deleteBlobs(this.env.FILES, blobKeysOf(results[0].results as { segments: string }[]));
  }

  /** Removes an upload with its chunks and their blobs (abort, or DELETE of the upload folder). */
  async remove(id: string): Promise<void> {
    const results = await runStatements(this.env.DB, [
      this.db.delete(uploadChunks).where(this.chunksOf(id)).returning({ segments: uploadChunks.segments }),
      this.db.delete(uploads).where(this.is(id)),
    ]);
    await deleteBlobs(this.env.FILES, blobKeysOf(results[0].results as { segments: string }[]));
  }

  /**
   * Statements that complete an upload inside the file's commit batch: abort unless no chunk
   * changed since `upload` was read (its version), then drop the upload's rows. Their blobs now
   * belong to the file, so they are not deleted.
   */
  commitStatements(upload: UploadRow): Statement[] {
    return [
      guard('sourceUnchanged',
        sql`EXISTS (SELECT 1 FROM uploads AS u2 WHERE u2.owner = ${this.owner} AND u2.id = ${upload.id} AND u2.version = ${upload.version})`),
      this.db.delete(uploadChunks).where(this.chunksOf(upload.id)),
      this.db.delete(uploads).where(this.is(upload.id)),
    ];
  }
}

/**
 * Removes every upload of any owner with no chunk change since `cutoffMs`, with its blobs; at
 * most `limit` uploads. Each removal re-checks staleness inside its batch, so a chunk arriving
 * meanwhile keeps its upload alive. Returns how many uploads were removed.
 */
export async function removeStaleUploads(env: Env, cutoffMs: number, limit: number): Promise<number> {
  const db = drizzle(env.DB);
  const stale = await db.select({ owner: uploads.owner, id: uploads.id }).from(uploads).where(lt(uploads.updatedAt, cutoffMs)).limit(limit);
  if (stale.length === 0) return 0;
  const stmts: Statement[] = [];
  for (const u of stale) {
    const same = and(eq(uploads.owner, u.owner), eq(uploads.id, u.id), lt(uploads.updatedAt, cutoffMs));
    stmts.push(db.delete(uploadChunks)
      .where(and(eq(uploadChunks.owner, u.owner), eq(uploadChunks.uploadId, u.id), exists(db.select({ one: sql`1` }).from(uploads).where(same))))
      .returning({ segments: uploadChunks.segments }));
    stmts.push(db.delete(uploads).where(same));
  }
  const results = await runStatements(env.DB, stmts);
  const returned = results.flatMap((r, i) => (i % 2 === 0 ? (r.results as { segments: string }[]) : []));
  await deleteBlobs(env.FILES, blobKeysOf(returned));
  return stale.length;
}
