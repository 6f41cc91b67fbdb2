import { env } from 'cloudflare:test';
import { FilesService } from '../../../worker/files/service';
import { propBody, responses, type DavClient } from '../../helpers';

/** Seconds since the epoch at a week boundary: every slot of the thinning schedule starts here. */
export const T0 = 2800 * 604800;
export const MINUTE = 60;
export const HOUR = 3600;
export const DAY = 86400;

/** The properties Nextcloud's web UI asks for when it lists versions. */
export const LISTING_PROPS = [
  '{DAV:}getcontentlength', '{DAV:}getcontenttype', '{DAV:}getlastmodified', '{DAV:}getetag',
  '{http://nextcloud.org/ns}version-label', '{http://nextcloud.org/ns}version-author', '{http://nextcloud.org/ns}has-preview',
];

/** Requests below `/remote.php/dav/versions/{user}/` on top of a user's DAV client. */
export function versionsOf(client: DavClient, asUser = client.user) {
  const base = `http://localhost/remote.php/dav/versions/${encodeURIComponent(asUser)}`;
  const url = (path: string) => `${base}/${path}`;
  return {
    base,
    url,
    list: (fileid: number | string, depth: '0' | '1' = '1', names = LISTING_PROPS) =>
      client.request('PROPFIND', url(`versions/${fileid}`), { body: propBody(...names), headers: { Depth: depth, 'Content-Type': 'application/xml' } }),
    get: (fileid: number | string, ts: number | string, headers: Record<string, string> = {}) => client.request('GET', url(`versions/${fileid}/${ts}`), { headers }),
    restore: (fileid: number | string, ts: number | string, destination = `${base}/restore/target`, headers: Record<string, string> = {}) =>
      client.request('MOVE', url(`versions/${fileid}/${ts}`), { headers: { Destination: destination, ...headers } }),
    del: (fileid: number | string, ts: number | string) => client.request('DELETE', url(`versions/${fileid}/${ts}`)),
    label: (fileid: number | string, ts: number | string, label: string | null) => client.request('PROPPATCH', url(`versions/${fileid}/${ts}`), {
      headers: { 'Content-Type': 'application/xml' },
      body: '<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:nc="http://nextcloud.org/ns">' +
        (label === null ? '<d:remove><d:prop><nc:version-label/></d:prop></d:remove>' : `<d:set><d:prop><nc:version-label>${label}</nc:version-label></d:prop></d:set>`) +
        '</d:propertyupdate>',
    }),
  };
}

/** The version names (timestamps) a Depth 1 listing shows, newest first as the server orders them. */
export async function listedTimestamps(client: DavClient, fileid: number): Promise<number[]> {
  const res = await versionsOf(client).list(fileid);
  if (res.status !== 207) throw new Error(`PROPFIND versions/${fileid} → ${res.status}: ${await res.text()}`);
  return [...responses(await res.text()).keys()]
    .map((href) => /\/versions\/\d+\/(\d+)$/.exec(href)?.[1])
    .filter((t): t is string => t !== undefined)
    .map(Number);
}

/** Version rows of a file straight from D1, oldest first. */
export async function versionRows(fileid: number) {
  const { results } = await env.DB.prepare('SELECT id, timestamp, mtime, etag, size, segments, label, author FROM file_versions WHERE fileid = ? ORDER BY timestamp')
    .bind(fileid).all<{ id: number; timestamp: number; mtime: number; etag: string; size: number; segments: string; label: string | null; author: string | null }>();
  return results;
}

/** The timestamps of a file's versions, oldest first. */
export async function versionTimes(fileid: number): Promise<number[]> {
  return (await versionRows(fileid)).map((r) => r.timestamp);
}

/** The file row at a path, straight from D1. */
export async function fileRow(owner: string, path: string) {
  return env.DB.prepare('SELECT fileid, etag, size, mtime, segments FROM files WHERE owner = ? AND path = ?')
    .bind(owner, path).first<{ fileid: number; etag: string; size: number; mtime: number; segments: string }>();
}

/** Blob keys of a segments JSON column. */
export function keysOf(segments: string): string[] {
  return (JSON.parse(segments) as [string, number][]).map(([k]) => k);
}

/** A FilesService whose clock reads `at()` (seconds): tests play weeks in milliseconds. */
export function filesAt(owner: string, at: () => number, quota: number | null = null): FilesService {
  return new FilesService(env, owner, quota, () => at() * 1000);
}

/** Writes `text` at `path` through a service at time `t` (seconds). */
export async function writeAt(owner: string, path: string, text: string, t: number, quota: number | null = null) {
  const body = new Response(text).body;
  return filesAt(owner, () => t, quota).writeFile(path, body, { length: new TextEncoder().encode(text).byteLength, mtime: null, checksum: null });
}
