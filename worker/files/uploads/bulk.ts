import type { Context } from 'hono';
import { DavError } from '../../dav/errors';
import { parseMtime } from '../../dav/methods/put';
import { decodeRelativePath } from '../../dav/paths';
import { BadInput, DomainError } from '../../errors';
import type { AppEnv } from '../../http/env';
import { ocId } from '../dav-properties';
import { FilesService } from '../service';
import { boundaryOf, MultipartError, MultipartReader } from './multipart';

/** One entry of the answer, keyed by X-File-Path as sent (the desktop client looks it up verbatim). */
type PartResult = { error: false; etag: string; fileid: string; permissions: string } | { error: true; message: string };

/** X-File-Path is a plain (not percent-encoded) path below the user's home, with a leading slash. */
function pathOf(raw: string): string {
  let encoded: string;
  try {
    encoded = raw.split('/').map((s) => encodeURIComponent(s)).join('/');
  } catch {
    throw new BadInput('X-File-Path is not valid Unicode');
  }
  const path = decodeRelativePath(encoded);
  if (path === '') throw new BadInput('X-File-Path names no file');
  return path;
}

/**
 * The checksum a part must match. OC-Checksum carries `TYPE:hex` (the type in any case; the
 * desktop client writes `md5:`); X-File-MD5 carries the bare MD5 (Nextcloud's own parser).
 */
function checksumOf(headers: Map<string, string>): string | null {
  const oc = headers.get('oc-checksum');
  if (oc) return oc;
  const md5 = headers.get('x-file-md5');
  if (!md5) return null;
  return md5.includes(':') ? md5 : `MD5:${md5}`;
}

async function storePart(files: () => FilesService, headers: Map<string, string>, body: ReadableStream<Uint8Array>, length: number): Promise<PartResult> {
  try {
    const raw = headers.get('x-file-path');
    if (!raw) throw new BadInput('X-File-Path is missing');
    const mtime = parseMtime(headers.get('x-file-mtime') ?? headers.get('x-oc-mtime') ?? null);
    // Like Nextcloud's BulkUploadPlugin, a part replaces whatever is at its path (no If-Match).
    const { row } = await files().writeFile(pathOf(raw), body, { length, mtime, checksum: checksumOf(headers), expectEtag: undefined });
    return { error: false, etag: row.etag, fileid: ocId(row.fileid), permissions: 'RGDNVW' };
  } catch (e) {
    if (e instanceof DomainError || e instanceof DavError) return { error: true, message: e.message };
    throw e;
  }
}

/** Parts up to this size are read whole and stored concurrently; larger ones stream through one at a time. */
const SMALL_PART = 1024 * 1024;
/** Small parts stored at once: R2 and D1 round trips overlap, memory stays under 8 MiB. */
const CONCURRENT_PARTS = 8;

function streamOfBytes(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({ start(c) { if (bytes.byteLength) c.enqueue(bytes); c.close(); } });
}

/**
 * `POST /remote.php/dav/bulk` (Nextcloud's bulk upload, desktop ≥ 3.4): a multipart/related body,
 * one part per file with X-File-Path, X-File-Mtime, a checksum and Content-Length. Parts are
 * read as they stream in and never the whole request at once: small ones are stored a few at a
 * time, large ones streamed straight into R2. Each part gets its own result, so one refused part
 * (wrong checksum, missing folder, quota) does not fail the others. A body that breaks the
 * multipart framing ends the request with 400 and the results of the parts before it.
 */
export async function bulkUpload(c: Context<AppEnv>): Promise<Response> {
  const user = c.get('user');
  const boundary = boundaryOf(c.req.header('Content-Type') ?? null);
  if (!boundary) throw new DavError(400, 'The body must be multipart/related with a boundary');
  if (!c.req.raw.body) throw new DavError(400, 'The body is empty');
  const parts = new MultipartReader(c.req.raw.body.getReader(), boundary);
  // One service per part: a FilesService memoises rows per request and is not meant to be
  // shared by writes running at the same time (a write clears the memo under the others' feet).
  const files = () => new FilesService(c.env, user.id, user.quota);
  const order: string[] = [];
  const outcomes = new Map<string, PartResult>();
  /** The last task per path: parts for the same path are stored in request order. */
  const latest = new Map<string, Promise<void>>();
  const running = new Set<Promise<void>>();
  const answer = (status: 200 | 400) => c.json(Object.fromEntries(order.map((k) => [k, outcomes.get(k)!])), status);
  try {
    for (let headers = await parts.nextPart(); headers; headers = await parts.nextPart()) {
      const lengthRaw = headers.get('content-length') ?? '';
      if (!/^\d{1,16}$/.test(lengthRaw)) throw new MultipartError('Every part needs a Content-Length');
      const length = Number(lengthRaw);
      const key = headers.get('x-file-path') ?? '';
      if (!order.includes(key)) order.push(key);
      if (length > SMALL_PART) {
        await Promise.all(running);
        outcomes.set(key, await storePart(files, headers, parts.body(length), length));
        await parts.skipBody();
        continue;
      }
      const bytes = await parts.bytes(length);
      const before = latest.get(key);
      const task = (async () => {
        await before;
        outcomes.set(key, await storePart(files, headers, streamOfBytes(bytes), length));
      })();
      latest.set(key, task);
      running.add(task);
      task.then(() => running.delete(task), () => running.delete(task));
      while (running.size >= CONCURRENT_PARTS) await Promise.race(running);
    }
    await Promise.all(running);
  } catch (e) {
    await Promise.allSettled(running);
    if (!(e instanceof MultipartError)) throw e;
    // Nextcloud's shape: the results so far and a 400; the reason goes to the log.
    console.warn(`bulk upload of ${user.id} refused: ${e.message}`);
    return answer(400);
  }
  return answer(200);
}
