import { env } from 'cloudflare:test';
import { FilesService } from '../../../worker/files/service';
import { propBody, propValue, responses, type DavClient } from '../../helpers';

const NC = 'http://nextcloud.org/ns';
const OC = 'http://owncloud.org/ns';

/** What a trash listing shows of one item. */
export interface TrashItem {
  /** The URL segment below /trash (`<name>.d<time>` for an entry). */
  name: string;
  href: string;
  filename: string;
  originalLocation: string;
  deletionTime: number;
  fileid: number;
  size: number;
  isDir: boolean;
  etag: string;
  contentLength: string | undefined;
  contentType: string | undefined;
  lastModified: string;
  displayName: string;
  permissions: string;
}

export const ITEM_PROPS = [
  `{${NC}}trashbin-filename`, `{${NC}}trashbin-original-location`, `{${NC}}trashbin-deletion-time`,
  `{${OC}}fileid`, `{${OC}}size`, `{${OC}}permissions`, '{DAV:}getetag', '{DAV:}resourcetype', '{DAV:}getcontentlength',
  '{DAV:}getcontenttype', '{DAV:}getlastmodified', '{DAV:}displayname',
];

/** A client for `owner`'s `/remote.php/dav/trashbin/{owner}/`, sending `client`'s credentials (another user's: to try a refusal). */
export function trashbinOf(client: DavClient, owner = client.user) {
  const base = `http://localhost/remote.php/dav/trashbin/${encodeURIComponent(owner)}`;
  const enc = (p: string) => p.split('/').map(encodeURIComponent).join('/');
  const url = (p: string) => base + enc(p);
  const request = (method: string, path: string, headers: Record<string, string> = {}, body: BodyInit | null = null) =>
    client.request(method, url(path), { headers, body });

  /** The items directly inside a trash collection (`/trash` or a trashed folder), without the collection itself. */
  async function list(path = '/trash'): Promise<TrashItem[]> {
    const res = await request('PROPFIND', path, { Depth: '1', 'Content-Type': 'application/xml' }, propBody(...ITEM_PROPS));
    if (res.status !== 207) throw new Error(`PROPFIND ${path} → ${res.status}: ${await res.text()}`);
    const self = decodeURIComponent(new URL(url(path)).pathname).replace(/\/$/, '');
    const out: TrashItem[] = [];
    for (const [href, block] of responses(await res.text())) {
      if (href.replace(/\/$/, '') === self) continue;
      out.push({
        name: href.replace(/\/$/, '').split('/').pop()!,
        href,
        filename: propValue(block, 'nc:trashbin-filename')!,
        originalLocation: propValue(block, 'nc:trashbin-original-location')!,
        deletionTime: Number(propValue(block, 'nc:trashbin-deletion-time')),
        fileid: Number(propValue(block, 'oc:fileid')),
        size: Number(propValue(block, 'oc:size')),
        isDir: (propValue(block, 'd:resourcetype') ?? '').includes('collection'),
        etag: propValue(block, 'd:getetag')!,
        contentLength: propValue(block, 'd:getcontentlength'),
        contentType: propValue(block, 'd:getcontenttype'),
        lastModified: propValue(block, 'd:getlastmodified')!,
        displayName: propValue(block, 'd:displayname')!,
        permissions: propValue(block, 'oc:permissions')!,
      });
    }
    return out;
  }

  /** The one top-level entry whose trashbin-filename is `filename` (throws when there is not exactly one). */
  async function entry(filename: string): Promise<TrashItem> {
    const found = (await list()).filter((i) => i.filename === filename);
    if (found.length !== 1) throw new Error(`${found.length} trash entries named ${filename}`);
    return found[0];
  }

  return {
    base, url, request, list, entry,
    /** MOVE to restore/ (Nextcloud's restore). */
    restore: (item: string, destination = `/restore/${item}`) => request('MOVE', `/trash/${item}`, { Destination: url(destination) }),
    del: (item: string) => request('DELETE', `/trash/${item}`),
    empty: () => request('DELETE', '/trash'),
    get: (item: string) => request('GET', `/trash/${item}`),
  };
}

/** Deletes `path` of `owner`'s files through the service with a clock stopped at `at` (ms): a deletion at a chosen time. */
export async function deleteAt(owner: string, quota: number | null, path: string, at: number): Promise<void> {
  const service = new FilesService(env, owner, quota, () => at);
  const row = await service.get(path);
  if (!row) throw new Error(`nothing at ${path}`);
  await service.delete(row);
}

/** The blob keys of a user's rows at or below `path` (in the home or the trash), straight from D1. */
export async function blobsOf(owner: string, fileids: number[]): Promise<string[]> {
  if (fileids.length === 0) return [];
  const { results } = await env.DB.prepare(`SELECT segments FROM files WHERE owner = ? AND fileid IN (${fileids.map(() => '?').join(',')})`)
    .bind(owner, ...fileids).all<{ segments: string | null }>();
  return results.flatMap((r) => (JSON.parse(r.segments ?? '[]') as [string, number][]).map(([k]) => k));
}

/** The fileid a write response names (OC-FileId is the fileid padded to 8 digits + the instance id). */
export function fileidOf(res: Response): number {
  return Number(res.headers.get('OC-FileId')!.slice(0, 8));
}
