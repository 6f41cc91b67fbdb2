import { env } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import { createUser } from '../worker/accounts/users';

/** Creates a user straight through the accounts service and returns a client bound to it. */
export async function makeUser(id: string, password = 'correct horse battery', extra: { quota?: number } = {}) {
  await createUser(env, { id, password, displayName: id.toUpperCase(), ...(extra.quota !== undefined ? { quota: extra.quota } : {}) });
  return davClient(id, password);
}

export type DavClient = ReturnType<typeof davClient>;

/** A small DAV client over the worker's fetch, with Basic auth and paths below the user's files. */
export function davClient(user: string, password: string) {
  const auth = 'Basic ' + btoa(unescape(encodeURIComponent(`${user}:${password}`)));
  const base = `http://localhost/remote.php/dav/files/${encodeURIComponent(user)}`;
  const request = (method: string, path: string, init: { headers?: Record<string, string>; body?: BodyInit | null } = {}) =>
    exports.default.fetch(new Request(path.startsWith('http') ? path : base + path, {
      method,
      headers: { Authorization: auth, ...init.headers },
      body: init.body ?? null,
    }));
  return {
    user, base, auth, request,
    put: (path: string, body: BodyInit, headers: Record<string, string> = {}) => request('PUT', path, { body, headers }),
    get: (path: string, headers: Record<string, string> = {}) => request('GET', path, { headers }),
    mkcol: (path: string) => request('MKCOL', path),
    del: (path: string, headers: Record<string, string> = {}) => request('DELETE', path, { headers }),
    propfind: (path: string, body: string | null, depth: '0' | '1' | 'infinity' = '0', headers: Record<string, string> = {}) =>
      request('PROPFIND', path, { body, headers: { Depth: depth, 'Content-Type': 'application/xml', ...headers } }),
    move: (from: string, to: string, headers: Record<string, string> = {}) => request('MOVE', from, { headers: { Destination: base + to, ...headers } }),
    copy: (from: string, to: string, headers: Record<string, string> = {}) => request('COPY', from, { headers: { Destination: base + to, ...headers } }),
  };
}

/** PROPFIND body asking for the given Clark-named properties. */
export function propBody(...names: string[]): string {
  const props = names.map((n, i) => {
    const m = /^\{(.*)\}(.*)$/.exec(n)!;
    return `<x${i}:${m[2]} xmlns:x${i}="${m[1]}"/>`;
  }).join('');
  return `<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop>${props}</d:prop></d:propfind>`;
}

/** Pulls `<d:response>` blocks out of a multistatus, keyed by decoded href. */
export function responses(xml: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of xml.matchAll(/<d:response><d:href>([^<]*)<\/d:href>(.*?)<\/d:response>/gs)) {
    out.set(decodeURIComponent(m[1]), m[2]);
  }
  return out;
}

/** The text value of one property element (by prefixed name) in a response block. */
export function propValue(block: string | undefined, tag: string): string | undefined {
  if (!block) return undefined;
  const ok = block.split('<d:propstat>').find((ps) => ps.includes('HTTP/1.1 200'));
  if (!ok) return undefined;
  const m = new RegExp(`<${tag}(?: [^>]*)?(?:/>|>(.*?)</${tag}>)`, 's').exec(ok);
  return m ? (m[1] ?? '') : undefined;
}
