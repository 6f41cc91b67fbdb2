/**
 * Folder downloads as a ZIP, streamed: GET on a folder with `Accept: application/zip`, as
 * Nextcloud (30+) answers it, optionally narrowed to some of its entries with
 * `?files=["a.txt","sub"]` (a JSON list of names in that folder) — what the web app's bulk
 * download sends. client-zip writes the archive (ZIP64 past 4 GiB, CRC-32 while streaming); the
 * files are read from R2 one after another as the archive is consumed, so nothing is buffered
 * whole, and Content-Length is known in advance from the sizes, so clients show progress.
 */
import { downloadZip, predictLength } from 'client-zip';
import { DavError } from '../dav/errors';
import { quoteEtag } from '../dav/conditions';
import { attachment } from '../http/attachment';
import type { FilesService } from './service';
import type { FileRow } from './tree';

/** More entries than this in one archive is refused (the list is held in memory while zipping). */
export const MAX_ZIP_ENTRIES = 100_000;

/**
 * Accept: application/zip, or `?accept=zip` (Nextcloud's query form, for a plain link in a page,
 * which cannot set headers).
 */
export function acceptsZip(request: Request): boolean {
  const query = new URL(request.url).searchParams.get('accept');
  if (query === 'zip' || query === 'application/zip') return true;
  return /(^|,)\s*application\/zip\s*(;|,|$)/i.test(request.headers.get('Accept') ?? '');
}

/** `?files=[…]`: names of entries of the folder; absent = the whole folder. */
function selectedNames(request: Request): string[] | null {
  const raw = new URL(request.url).searchParams.get('files');
  if (raw === null) return null;
  let names: unknown;
  try {
    names = JSON.parse(raw);
  } catch {
    throw new DavError(400, 'files must be a JSON list of names');
  }
  if (typeof names === 'string') names = [names];
  if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === 'string' && n !== '' && !n.includes('/') && n !== '.' && n !== '..')) {
    throw new DavError(400, 'files must be a non-empty JSON list of names in this folder');
  }
  return [...new Set(names as string[])];
}

/** The ZIP of `folder` (or of the named entries in it), as the response to a GET. */
export async function zipResponse(service: FilesService, folder: FileRow, request: Request, head: boolean): Promise<Response> {
  const names = selectedNames(request);
  const all = await service.descendants(folder);
  const prefix = folder.path === '' ? '' : `${folder.path}/`;
  let rows = all;
  if (names) {
    const chosen = new Set(names);
    rows = all.filter((r) => chosen.has(r.path.slice(prefix.length).split('/')[0]));
    const present = new Set(rows.map((r) => r.path.slice(prefix.length).split('/')[0]));
    const missing = names.find((n) => !present.has(n.normalize('NFC')));
    if (missing !== undefined) throw new DavError(404, `${missing} is not in this folder`);
  }
  if (rows.length > MAX_ZIP_ENTRIES) throw new DavError(400, `A ZIP holds at most ${MAX_ZIP_ENTRIES} entries: download fewer at once`);
  // A whole folder unpacks into a folder of its own name; a selection unpacks as it is.
  const root = names || folder.path === '' ? '' : `${folder.name}/`;
  const entryName = (r: FileRow) => root + r.path.slice(prefix.length) + (r.isDir ? '/' : '');
  const meta = rows.map((r) => (r.isDir
    ? { name: entryName(r), lastModified: new Date(r.mtime * 1000) }
    : { name: entryName(r), lastModified: new Date(r.mtime * 1000), size: r.size }));
  const length = predictLength(meta);
  const archiveName = `${names && names.length === 1 ? names[0] : folder.path === '' ? 'download' : folder.name}.zip`;
  const headers = {
    'Content-Type': 'application/zip',
    'Content-Disposition': attachment(archiveName),
    'Content-Length': String(length),
    ETag: quoteEtag(folder.etag),
  };
  if (head) return new Response(null, { headers });
  async function* inputs() {
    for (const row of rows) {
      const entry = { name: entryName(row), lastModified: new Date(row.mtime * 1000) };
      // Each file's content is opened only when the archive reaches it.
      if (row.isDir) yield entry;
      else yield { ...entry, size: row.size, input: await service.read(row) };
    }
  }
  // A FixedLengthStream makes the runtime send Content-Length instead of chunked encoding.
  const { readable, writable } = new FixedLengthStream(Number(length));
  downloadZip(inputs(), { length }).body!.pipeTo(writable).catch(() => {}); // a failure aborts the download
  return new Response(readable, { headers });
}
