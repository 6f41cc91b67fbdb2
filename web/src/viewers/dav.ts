/**
 * The viewer's WebDAV calls: PROPFIND Depth 0 of one file, the versions of a file
 * (/remote.php/dav/versions/{user}/versions/{fileid}, as Nextcloud's files_versions serves them),
 * and restoring one (MOVE to …/restore/target). Parsed namespace-aware.
 */
import { apiFetch } from '../api';
import { baseName, DAV, DavError, davUrl as fileUrl, NC, OC, okResponses, propText as prop } from '../dav';

export interface FileInfo {
  /** Path below the user's root ("/a/b.txt"). */
  path: string;
  name: string;
  size: number;
  /** Milliseconds since the epoch. */
  modified: number;
  contentType: string;
  /** As the server sends it, with quotes: what If-Match needs. */
  etag: string;
  fileId: string;
}

export interface VersionInfo {
  /** The version's URL (GET downloads it, MOVE restores it). */
  href: string;
  size: number;
  modified: number;
  label: string;
  author: string;
}

export { baseName, DavError, davUrl as fileUrl, parentOf } from '../dav';

const FILE_PROPS = `<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns">
  <d:prop><d:getcontenttype/><d:getcontentlength/><d:getlastmodified/><d:getetag/><oc:fileid/><d:resourcetype/></d:prop>
</d:propfind>`;

/** PROPFIND Depth 0 of a file; a folder answers DavError(409) (the viewer shows files only). */
export async function statFile(user: string, path: string): Promise<FileInfo> {
  const res = await apiFetch(fileUrl(user, path), {
    method: 'PROPFIND',
    headers: { Depth: '0', 'Content-Type': 'application/xml; charset=utf-8' },
    body: FILE_PROPS,
  });
  if (res.status !== 207) throw new DavError(res.status);
  const [first] = okResponses(await res.text());
  if (!first) throw new DavError(404);
  const p = first.prop;
  if (p.isCollection) throw new DavError(409);
  return {
    path,
    name: baseName(path),
    size: Number(prop(p, DAV, 'getcontentlength') ?? 0),
    modified: Date.parse(prop(p, DAV, 'getlastmodified') ?? '') || 0,
    contentType: (prop(p, DAV, 'getcontenttype') ?? 'application/octet-stream').split(';')[0].trim().toLowerCase(),
    etag: prop(p, DAV, 'getetag') ?? '',
    fileId: prop(p, OC, 'fileid') ?? '',
  };
}

const VERSION_PROPS = `<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:" xmlns:nc="http://nextcloud.org/ns">
  <d:prop><d:getcontentlength/><d:getlastmodified/><d:getcontenttype/><nc:version-label/><nc:version-author/></d:prop>
</d:propfind>`;

export function versionsUrl(user: string, fileId: string): string {
  return `/remote.php/dav/versions/${encodeURIComponent(user)}/versions/${encodeURIComponent(fileId)}`;
}

/** The older versions of a file, newest first (the collection itself, without a content type, is left out). */
export async function listVersions(user: string, fileId: string): Promise<VersionInfo[]> {
  const res = await apiFetch(versionsUrl(user, fileId), {
    method: 'PROPFIND',
    headers: { Depth: '1', 'Content-Type': 'application/xml; charset=utf-8' },
    body: VERSION_PROPS,
  });
  if (res.status !== 207) throw new DavError(res.status);
  const versions = okResponses(await res.text())
    .filter(({ prop: props }) => prop(props, DAV, 'getcontenttype') !== null)
    .map(({ href, prop: props }) => ({
      href,
      size: Number(prop(props, DAV, 'getcontentlength') ?? 0),
      modified: Date.parse(prop(props, DAV, 'getlastmodified') ?? '') || 0,
      label: prop(props, NC, 'version-label') ?? '',
      author: prop(props, NC, 'version-author') ?? '',
      name: Number(href.replace(/\/$/, '').split('/').pop()) || 0,
    }));
  // Named by the time they were replaced: the newest name first.
  versions.sort((a, b) => b.name - a.name);
  return versions.map(({ name: _name, ...v }) => v);
}

/** Restores a version: MOVE to /remote.php/dav/versions/{user}/restore/target (Nextcloud's way). */
export async function restoreVersion(user: string, href: string): Promise<void> {
  const destination = new URL(`/remote.php/dav/versions/${encodeURIComponent(user)}/restore/target`, location.origin).href;
  const res = await apiFetch(href, { method: 'MOVE', headers: { Destination: destination } });
  if (!res.ok) throw new DavError(res.status);
}
