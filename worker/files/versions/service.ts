import { and, desc, eq, gte, sql } from 'drizzle-orm';
import { drizzle, type DrizzleD1Database } from 'drizzle-orm/d1';
import { files, fileVersions } from '../../../schema';
import { BadInput, NotFound } from '../../errors';
import { deleteBlobs, parseSegments, readSegments } from '../blobs';
import type { FilesService } from '../service';
import { FIRST_USER_PATH_CHAR, guard, type FileRow } from '../tree';
import { expireOwnerVersions } from './expire';

/** A previous content of a file (a row of file_versions). */
export type VersionRow = typeof fileVersions.$inferSelect;

/** Longest version label we keep, in characters. */
export const MAX_LABEL_LENGTH = 250;

/**
 * The versions of one owner's files: list, read, restore, label, delete, expire. Versions are
 * made by FilesService's writes (keep.ts), never here. Protocol-neutral; throws domain errors.
 */
export class VersionsService {
  private readonly db: DrizzleD1Database;

  constructor(
    private readonly env: Env,
    readonly owner: string,
    /** The owner's quota in bytes; null = unlimited (no 50 % rule). */
    private readonly quota: number | null,
    private readonly clock: () => number = Date.now,
  ) {
    this.db = drizzle(env.DB);
  }

  private nowSeconds(): number {
    return Math.floor(this.clock() / 1000);
  }

  /**
   * A file of the owner's home by fileid, or null: folders have no versions, and a trashed file
   * shows its versions again only once restored (its rows wait, keyed by fileid).
   */
  async file(fileid: number): Promise<FileRow | null> {
    const row = await this.db.select().from(files)
      .where(and(eq(files.fileid, fileid), eq(files.owner, this.owner), gte(files.path, FIRST_USER_PATH_CHAR), eq(files.isDir, false))).get();
    return row ?? null;
  }

  /** The versions of a file, newest first. */
  list(fileid: number): Promise<VersionRow[]> {
    return this.db.select().from(fileVersions)
      .where(and(eq(fileVersions.fileid, fileid), eq(fileVersions.owner, this.owner))).orderBy(desc(fileVersions.timestamp));
  }

  /** One version by its name (timestamp), or null. */
  async get(fileid: number, timestamp: number): Promise<VersionRow | null> {
    const row = await this.db.select().from(fileVersions)
      .where(and(eq(fileVersions.fileid, fileid), eq(fileVersions.owner, this.owner), eq(fileVersions.timestamp, timestamp))).get();
    return row ?? null;
  }

  read(version: VersionRow, range?: { offset: number; length: number }): Promise<ReadableStream<Uint8Array>> {
    return readSegments(this.env.FILES, parseSegments(version.segments), range);
  }

  /**
   * Makes a version the file's content again, as metadata only: in one batch the current
   * content becomes a version (always, whatever the two-minute rule says, as Nextcloud's
   * rollback does), the chosen version's row goes and its blobs become the file's. A new ETag
   * propagates like any write; the quota applies (QuotaExceeded). The file must still have the
   * ETag it had when read, so a concurrent write or rename fails the restore instead of being
   * lost (PreconditionFailed); a version deleted meanwhile fails it too (Conflict).
   */
  async restore(filesService: FilesService, file: FileRow, version: VersionRow): Promise<FileRow> {
    if (version.fileid !== file.fileid) throw new NotFound('No such version of this file');
    const { row } = await filesService.commitSegments(file.path, parseSegments(version.segments), {
      // Nextcloud gives a restored file the modification time of that content.
      mtime: version.mtime,
      checksums: version.checksums,
      expectEtag: file.etag,
      alwaysKeepReplaced: true,
      alsoRun: [
        guard('sourceUnchanged', sql`EXISTS (SELECT 1 FROM file_versions AS v WHERE v.id = ${version.id} AND v.fileid = ${file.fileid})`),
        sql`DELETE FROM file_versions WHERE id = ${version.id}`,
      ],
    });
    return row;
  }

  /** Sets (or with null or '', removes) a version's label; labelled versions are never thinned out. */
  async setLabel(version: VersionRow, label: string | null): Promise<void> {
    const value = label === null || label.trim() === '' ? null : label.trim();
    if (value !== null && [...value].length > MAX_LABEL_LENGTH) throw new BadInput(`A version label has at most ${MAX_LABEL_LENGTH} characters`);
    if (value !== null && /[\u0000-\u001f\u007f]/.test(value)) throw new BadInput('A version label cannot hold control characters');
    const done = await this.db.update(fileVersions).set({ label: value })
      .where(and(eq(fileVersions.id, version.id), eq(fileVersions.owner, this.owner))).returning({ id: fileVersions.id });
    if (done.length === 0) throw new NotFound('The version is gone');
  }

  /** Deletes one version for good: its row, then its blobs. */
  async delete(version: VersionRow): Promise<void> {
    const gone = await this.db.delete(fileVersions)
      .where(and(eq(fileVersions.id, version.id), eq(fileVersions.owner, this.owner))).returning({ segments: fileVersions.segments });
    if (gone.length === 0) throw new NotFound('The version is gone');
    await deleteBlobs(this.env.FILES, gone.flatMap((g) => parseSegments(g.segments).map(([k]) => k)));
  }

  /** Applies the thinning schedule to every file of the owner and the 50 % rule; returns how many versions went. */
  expire(): Promise<number> {
    return expireOwnerVersions(this.env, this.owner, this.quota, this.nowSeconds());
  }
}
