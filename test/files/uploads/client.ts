import { env } from 'cloudflare:test';
import type { DavClient } from '../../helpers';

/** Chunked-upload requests (`/remote.php/dav/uploads/{user}/…`) on top of a user's DAV client. */
export function uploadsOf(client: DavClient, asUser = client.user) {
  const base = `http://localhost/remote.php/dav/uploads/${encodeURIComponent(asUser)}`;
  const url = (id: string, name?: string) => `${base}/${encodeURIComponent(id)}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
  return {
    base,
    url,
    mkcol: (id: string, headers: Record<string, string> = {}) => client.request('MKCOL', url(id), { headers }),
    put: (id: string, name: string, body: BodyInit, headers: Record<string, string> = {}) => client.request('PUT', url(id, name), { body, headers }),
    del: (id: string, name?: string) => client.request('DELETE', url(id, name)),
    propfind: (id: string) => client.request('PROPFIND', url(id), {
      headers: { Depth: '1', 'Content-Type': 'application/xml' },
      body: '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/><d:getcontentlength/></d:prop></d:propfind>',
    }),
    /** MOVE of `.file` to a path below the user's files (as a full URL, unless `destination` is given verbatim). */
    finish: (id: string, dest: string, headers: Record<string, string> = {}) =>
      client.request('MOVE', url(id, '.file'), { headers: { Destination: client.base + dest, ...headers } }),
  };
}

/** Rows of an upload's chunks straight from D1 (name → its blob keys, comma-joined). */
export async function chunkRows(owner: string, id: string): Promise<Map<string, string>> {
  const { results } = await env.DB.prepare('SELECT name, segments FROM upload_chunks WHERE owner = ? AND upload_id = ? ORDER BY name')
    .bind(owner, id).all<{ name: string; segments: string }>();
  return new Map(results.map((r) => [r.name, (JSON.parse(r.segments) as [string, number][]).map(([k]) => k).join(',')]));
}

/** Every blob key of an upload's chunks. */
export async function chunkBlobKeys(owner: string, id: string): Promise<string[]> {
  return [...(await chunkRows(owner, id)).values()].flatMap((v) => (v ? v.split(',') : []));
}

/** Number of upload rows of an owner. */
export async function uploadCount(owner: string): Promise<number> {
  return (await env.DB.prepare('SELECT count(*) AS n FROM uploads WHERE owner = ?').bind(owner).first<{ n: number }>())!.n;
}

export const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.byteLength; }
  return out;
};

export const same = (a: Uint8Array, b: Uint8Array) => a.byteLength === b.byteLength && a.every((x, i) => x === b[i]);
