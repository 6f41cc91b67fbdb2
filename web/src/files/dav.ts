/**
 * The Files app's WebDAV client: PROPFIND Depth 1 on /remote.php/dav/files/{user}/{path}, as the
 * desktop and mobile clients list a folder, parsed namespace-aware (clients may use any prefix).
 */
import { apiFetch } from '../api';

const DAV = 'DAV:';
const OC = 'http://owncloud.org/ns';

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
}

const PROPFIND_BODY = `<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns">
  <d:prop>
    <d:resourcetype/><d:getcontentlength/><d:getlastmodified/><d:getcontenttype/><d:getetag/>
    <oc:size/><oc:fileid/>
  </d:prop>
</d:propfind>`;

/** The WebDAV URL of a path of a user's files (each segment percent-encoded). */
export function davUrl(user: string, path: string): string {
  const segments = path.split('/').filter(Boolean).map(encodeURIComponent);
  return `/remote.php/dav/files/${encodeURIComponent(user)}/${segments.join('/')}${segments.length && path.endsWith('/') ? '/' : ''}`;
}

export class DavError extends Error {
  constructor(readonly status: number) {
    super(`WebDAV answered ${status}`);
  }
}

/** The children of a folder (without the folder itself). */
export async function listFolder(user: string, path: string, signal?: AbortSignal): Promise<FileEntry[]> {
  const res = await apiFetch(davUrl(user, path.endsWith('/') ? path : `${path}/`), {
    method: 'PROPFIND',
    headers: { Depth: '1', 'Content-Type': 'application/xml; charset=utf-8' },
    body: PROPFIND_BODY,
    signal,
  });
  if (res.status !== 207) throw new DavError(res.status);
  const xml = new DOMParser().parseFromString(await res.text(), 'application/xml');
  const root = `/remote.php/dav/files/${encodeURIComponent(user)}`;
  const entries: FileEntry[] = [];
  for (const response of Array.from(xml.getElementsByTagNameNS(DAV, 'response'))) {
    const href = text(response, DAV, 'href');
    if (href === null) continue;
    const hrefPath = new URL(href, location.origin).pathname;
    const decoded = decodeURIComponent(hrefPath.startsWith(root) ? hrefPath.slice(root.length) : hrefPath);
    const entryPath = decoded.replace(/\/+$/, '') || '/';
    if (entryPath === (path.replace(/\/+$/, '') || '/')) continue;
    const prop = okProp(response);
    if (!prop) continue;
    const isFolder = prop.getElementsByTagNameNS(DAV, 'collection').length > 0;
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
    });
  }
  return entries;
}

/** The <d:prop> of the 200 propstat of a response. */
function okProp(response: Element): Element | null {
  for (const propstat of Array.from(response.getElementsByTagNameNS(DAV, 'propstat'))) {
    if (/\s200\s/.test(` ${text(propstat, DAV, 'status') ?? ''} `)) {
      return propstat.getElementsByTagNameNS(DAV, 'prop')[0] ?? null;
    }
  }
  return null;
}

function text(parent: Element, ns: string, name: string): string | null {
  const el = parent.getElementsByTagNameNS(ns, name)[0];
  return el ? el.textContent : null;
}
