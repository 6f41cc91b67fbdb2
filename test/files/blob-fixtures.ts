/** Plants blobs and metadata rows straight into R2 and D1, for the orphan and fsck tests. */
import { env } from 'cloudflare:test';
import { newBlobKey } from '../../worker/files/blobs';
import { TRASH_ROOT } from '../../worker/files/tree';

export const HOUR = 3600 * 1000;

/** Puts a blob of `size` bytes under a fresh key (R2 dates it now) and returns the key. */
export async function plantBlob(size = 8): Promise<string> {
  const key = newBlobKey();
  await env.FILES.put(key, new Uint8Array(size).fill(7));
  return key;
}

/** True when R2 holds the key. */
export async function blobExists(key: string): Promise<boolean> {
  return (await env.FILES.head(key)) !== null;
}

/**
 * Inserts a `files` row (a folder when `segments` is null); returns its fileid. The parent is
 * looked up by path unless given. Sizes are taken as given: nothing propagates.
 */
export async function plantRow(owner: string, path: string, opts: { segments?: [string, number][] | null; size?: number; parentId?: number | null; rawSegments?: string } = {}): Promise<number> {
  const segments = opts.rawSegments ?? (opts.segments ? JSON.stringify(opts.segments) : null);
  const size = opts.size ?? (opts.segments ?? []).reduce((n, [, s]) => n + s, 0);
  const slash = path.lastIndexOf('/');
  const parentPath = slash < 0 ? '' : path.slice(0, slash);
  const name = path.slice(slash + 1);
  const parentId = opts.parentId !== undefined ? opts.parentId
    : (await env.DB.prepare('SELECT fileid FROM files WHERE owner = ? AND path = ?').bind(owner, parentPath).first<{ fileid: number }>())?.fileid ?? null;
  const row = await env.DB.prepare(`INSERT INTO files (owner, path, parent_id, name, is_dir, size, mtime, created_at, etag, content_type, segments)
    VALUES (?, ?, ?, ?, ?, ?, 0, 0, 'planted0etag', ?, ?) RETURNING fileid`)
    .bind(owner, path, parentId, name, segments === null ? 1 : 0, size,
      segments === null ? 'httpd/unix-directory' : 'application/octet-stream', segments)
    .first<{ fileid: number }>();
  return row!.fileid;
}

/** The owner's trash root row (as the trash makes it), created when missing; returns its fileid. */
export async function plantTrashRoot(owner: string): Promise<number> {
  await env.DB.prepare(`INSERT INTO files (owner, path, parent_id, name, is_dir, size, mtime, created_at, etag, content_type)
    VALUES (?, ?, NULL, '', 1, 0, 0, 0, 'trashroot', 'httpd/unix-directory') ON CONFLICT DO NOTHING`).bind(owner, TRASH_ROOT).run();
  return (await env.DB.prepare('SELECT fileid FROM files WHERE owner = ? AND path = ?').bind(owner, TRASH_ROOT).first<{ fileid: number }>())!.fileid;
}

/** A file_versions row of `fileid` pointing at `segments`. */
export async function plantVersion(owner: string, fileid: number, segments: [string, number][], opts: { size?: number; timestamp?: number } = {}): Promise<void> {
  const size = opts.size ?? segments.reduce((n, [, s]) => n + s, 0);
  await env.DB.prepare(`INSERT INTO file_versions (fileid, owner, timestamp, mtime, etag, size, content_type, segments)
    VALUES (?, ?, ?, 0, 'v', ?, 'application/octet-stream', ?)`)
    .bind(fileid, owner, opts.timestamp ?? 1000, size, JSON.stringify(segments)).run();
}

/** An upload with one chunk pointing at `segments`. */
export async function plantChunk(owner: string, uploadId: string, segments: [string, number][]): Promise<void> {
  await env.DB.batch([
    env.DB.prepare('INSERT INTO uploads (owner, id, created_at, updated_at) VALUES (?, ?, ?, ?)').bind(owner, uploadId, Date.now(), Date.now()),
    env.DB.prepare('INSERT INTO upload_chunks (owner, upload_id, name, segments, size) VALUES (?, ?, ?, ?, ?)')
      .bind(owner, uploadId, '00001', JSON.stringify(segments), segments.reduce((n, [, s]) => n + s, 0)),
  ]);
}

/** Runs a statement straight on D1 (damage that no code path of ours would write). */
export async function d1(query: string, ...params: unknown[]): Promise<void> {
  await env.DB.prepare(query).bind(...params).run();
}
