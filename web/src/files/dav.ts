/**
 * The Files app's WebDAV client: PROPFIND Depth 1 on /remote.php/dav/files/{user}/{path}, as the
 * desktop and mobile clients list a folder, parsed namespace-aware (clients may use any prefix).
 */
import { apiFetch } from '../api';
import { DAV, DavError, davUrl, NC, OC, okResponses, propText as text } from '../dav';

export { DavError, davUrl, parentOf } from '../dav';

/** One entry of a folder listing. */
export interface FileEntry {
  name: string;
  /** Path below the user's root, starting with "/" ("/a/b.txt"). */
  path: string;
  isFolder: boolean;
  /** Bytes (folders: the size of their content). */
  size: number;
  /** Milliseconds since the epoch. */
  modified: number;
  contentType: string;
  fileId: string;
  /** As the server sends it (quoted); changes with the content. */
  etag: string;
  favorite: boolean;
}

const PROPFIND_BODY = `<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns">
  <d:prop>
    <d:resourcetype/><d:getcontentlength/><d:getlastmodified/><d:getcontenttype/><d:getetag/>
    <oc:size/><oc:fileid/><oc:favorite/>
  </d:prop>
</d:propfind>`;

/** The children of a folder (without the folder itself). */
export async function listFolder(user: string, path: string, signal?: AbortSignal): Promise<FileEntry[]> {
  const res = await apiFetch(davUrl(user, path.endsWith('/') ? path : `${path}/`), {
    method: 'PROPFIND',
    headers: { Depth: '1', 'Content-Type': 'application/xml; charset=utf-8' },
    body: PROPFIND_BODY,
    signal,
  });
  if (res.status !== 207) throw new DavError(res.status);
  return parseEntries(user, await res.text(), path.replace(/\/+$/, '') || '/');
}

/** The entries of a multistatus answer about a user's files (without `skip`, the folder asked about). */
function parseEntries(user: string, body: string, skip: string | null): FileEntry[] {
  const root = `/remote.php/dav/files/${encodeURIComponent(user)}`;
  const entries: FileEntry[] = [];
  for (const { href, prop } of okResponses(body)) {
    // Cumulus sends paths; a URL object per entry costs 10 ms per 1,000 entries.
    const hrefPath = href.startsWith('/') && !/[?#]/.test(href) ? href : new URL(href, location.origin).pathname;
    if (!hrefPath.startsWith(root)) continue;
    const decoded = decodeURIComponent(hrefPath.slice(root.length));
    const entryPath = decoded.replace(/\/+$/, '') || '/';
    if (entryPath === skip || entryPath === '/') continue;
    const isFolder = prop.isCollection;
    const size = Number(text(prop, OC, 'size') ?? text(prop, DAV, 'getcontentlength') ?? 0);
    const modified = Date.parse(text(prop, DAV, 'getlastmodified') ?? '');
    entries.push({
      name: entryPath.slice(entryPath.lastIndexOf('/') + 1),
      path: entryPath,
      isFolder,
      size: Number.isFinite(size) ? size : 0,
      modified: Number.isFinite(modified) ? modified : 0,
      contentType: text(prop, DAV, 'getcontenttype') ?? (isFolder ? 'httpd/unix-directory' : ''),
      fileId: text(prop, OC, 'fileid') ?? '',
      etag: text(prop, DAV, 'getetag') ?? '',
      favorite: (text(prop, OC, 'favorite') ?? '0').trim() === '1',
    });
  }
  return entries;
}

/** A WebDAV request with the session; throws DavError unless the status is one of `ok`. */
async function request(method: string, url: string, init: { headers?: Record<string, string>; body?: BodyInit; signal?: AbortSignal } = {}, ok = [200, 201, 204, 207]): Promise<Response> {
  const res = await apiFetch(url, { method, ...init });
  if (!ok.includes(res.status)) throw new DavError(res.status);
  return res;
}

/** A child path ("/" + "x" → "/x"). */
export function joinPath(folder: string, name: string): string {
  return `${folder.replace(/\/+$/, '')}/${name}`;
}

export function createFolder(user: string, path: string): Promise<Response> {
  return request('MKCOL', davUrl(user, path), {}, [201]);
}

/** Creates an empty file; refuses to replace one (If-None-Match: *). */
export function createEmptyFile(user: string, path: string): Promise<Response> {
  return request('PUT', davUrl(user, path), { headers: { 'If-None-Match': '*', 'Content-Type': 'text/plain' }, body: '' }, [201, 204]);
}

/** MOVE or COPY to another path; never overwrites (a clash is DavError 412). */
export function transfer(user: string, method: 'MOVE' | 'COPY', from: string, to: string): Promise<Response> {
  return request(method, davUrl(user, from), {
    headers: { Destination: new URL(davUrl(user, to), location.origin).href, Overwrite: 'F' },
  }, [201, 204]);
}

/** Deletes (into the trash bin). */
export function deleteItem(user: string, path: string): Promise<Response> {
  return request('DELETE', davUrl(user, path), {}, [204]);
}

export function setFavorite(user: string, path: string, favorite: boolean): Promise<Response> {
  return request('PROPPATCH', davUrl(user, path), {
    headers: { 'Content-Type': 'application/xml; charset=utf-8' },
    body: `<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:set><d:prop><oc:favorite>${favorite ? 1 : 0}</oc:favorite></d:prop></d:set></d:propertyupdate>`,
  }, [207]);
}

const PROPS = '<d:resourcetype/><d:getcontentlength/><d:getlastmodified/><d:getcontenttype/><d:getetag/><oc:size/><oc:fileid/><oc:favorite/>';

/** Every favorite of the user (REPORT oc:filter-files on the root). */
export async function listFavorites(user: string, signal?: AbortSignal): Promise<FileEntry[]> {
  const res = await request('REPORT', davUrl(user, '/'), {
    headers: { 'Content-Type': 'application/xml; charset=utf-8', Depth: 'infinity' },
    body: `<?xml version="1.0"?><oc:filter-files xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:prop>${PROPS}</d:prop><oc:filter-rules><oc:favorite>1</oc:favorite></oc:filter-rules></oc:filter-files>`,
    signal,
  }, [207]);
  return parseEntries(user, await res.text(), null);
}

/**
 * A basicsearch over the user's whole tree (SEARCH on /remote.php/dav/, RFC 5323, as Nextcloud's
 * web app sends it): `where` and `orderBy` are the inner XML of d:where and d:orderby. `truncated`
 * says the server stopped at its own cap: it ends such an answer with a 507 response for the scope
 * (RFC 5323 §2.5).
 */
export async function searchFiles(user: string, where: string, orderBy: string, limit: number, signal?: AbortSignal): Promise<{ entries: FileEntry[]; truncated: boolean }> {
  const body = '<?xml version="1.0"?><d:searchrequest xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:basicsearch>'
    + `<d:select><d:prop>${PROPS}</d:prop></d:select>`
    + `<d:from><d:scope><d:href>/files/${escapeXml(user)}</d:href><d:depth>infinity</d:depth></d:scope></d:from>`
    + `<d:where>${where}</d:where><d:orderby>${orderBy}</d:orderby>`
    + `<d:limit><d:nresults>${limit}</d:nresults></d:limit></d:basicsearch></d:searchrequest>`;
  const res = await request('SEARCH', '/remote.php/dav/', { headers: { 'Content-Type': 'text/xml; charset=utf-8' }, body, signal }, [207]);
  const text = await res.text();
  return { entries: parseEntries(user, text, null), truncated: /<(?:[\w.-]+:)?status>\s*HTTP\/\d\.\d\s+507\b/.test(text) };
}

/** How many results the search of all folders by name (searchByName.ts) shows at most; the server's own cap is 1,000 too. */
export const NAME_SEARCH_CAP = 1000;

/** Files modified in the last `days` days, newest first (SEARCH, as Nextcloud's "Recent"). */
export async function listRecent(user: string, days = 14, limit = 100, signal?: AbortSignal): Promise<FileEntry[]> {
  const since = Math.floor(Date.now() / 1000) - days * 86400;
  const { entries } = await searchFiles(user,
    `<d:and><d:not><d:is-collection/></d:not><d:gt><d:prop><d:getlastmodified/></d:prop><d:literal>${since}</d:literal></d:gt></d:and>`,
    '<d:order><d:prop><d:getlastmodified/></d:prop><d:descending/></d:order>', limit, signal);
  return entries;
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The URL of a ZIP of some entries of one folder (a plain link: GET with the cookie). */
export function zipUrl(user: string, folder: string, names: string[]): string {
  const base = davUrl(user, folder === '/' ? '/' : `${folder}/`);
  return `${base}?accept=zip&files=${encodeURIComponent(JSON.stringify(names))}`;
}

/** One item of the trash bin. */
export interface TrashEntry { item: string; name: string; originalLocation: string; deleted: number; isFolder: boolean; size: number }

function trashUrl(user: string, rest = ''): string {
  return `/remote.php/dav/trashbin/${encodeURIComponent(user)}/${rest}`;
}

export async function listTrash(user: string, signal?: AbortSignal): Promise<TrashEntry[]> {
  const res = await request('PROPFIND', trashUrl(user, 'trash/'), {
    headers: { Depth: '1', 'Content-Type': 'application/xml; charset=utf-8' },
    body: '<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns"><d:prop><d:resourcetype/><d:getcontentlength/><oc:size/><nc:trashbin-filename/><nc:trashbin-original-location/><nc:trashbin-deletion-time/></d:prop></d:propfind>',
    signal,
  }, [207]);
  const entries: TrashEntry[] = [];
  for (const response of okResponses(await res.text())) {
    const href = new URL(response.href, location.origin).pathname.replace(/\/+$/, '');
    const item = decodeURIComponent(href.slice(href.lastIndexOf('/') + 1));
    if (href.endsWith('/trash') || !item) continue;
    const { prop } = response;
    entries.push({
      item,
      name: text(prop, NC, 'trashbin-filename') ?? item,
      originalLocation: text(prop, NC, 'trashbin-original-location') ?? '',
      deleted: Number(text(prop, NC, 'trashbin-deletion-time') ?? 0) * 1000,
      isFolder: prop.isCollection,
      size: Number(text(prop, OC, 'size') ?? text(prop, DAV, 'getcontentlength') ?? 0) || 0,
    });
  }
  return entries;
}

export function restoreTrash(user: string, item: string): Promise<Response> {
  return request('MOVE', trashUrl(user, `trash/${encodeURIComponent(item)}`), {
    headers: { Destination: new URL(trashUrl(user, `restore/${encodeURIComponent(item)}`), location.origin).href },
  }, [201, 204]);
}

export function deleteTrash(user: string, item: string): Promise<Response> {
  return request('DELETE', trashUrl(user, `trash/${encodeURIComponent(item)}`), {}, [204]);
}

export function emptyTrash(user: string): Promise<Response> {
  return request('DELETE', trashUrl(user, 'trash'), {}, [204]);
}
