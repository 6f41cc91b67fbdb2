import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import { createUser } from '../worker/accounts/users';
import worker from '../worker/index';

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
    head: (path: string, headers: Record<string, string> = {}) => request('HEAD', path, { headers }),
    options: (path: string) => request('OPTIONS', path),
    proppatch: (path: string, body: string, headers: Record<string, string> = {}) =>
      request('PROPPATCH', path, { body, headers: { 'Content-Type': 'application/xml', ...headers } }),
    lock: (path: string, body: string | null, headers: Record<string, string> = {}) =>
      request('LOCK', path, { body, headers: { 'Content-Type': 'application/xml', ...headers } }),
    unlock: (path: string, token: string) => request('UNLOCK', path, { headers: { 'Lock-Token': `<${token}>` } }),
    /** The absolute (decoded) href of a path below this user's files, as multistatus keys use it. */
    href: (path: string) => decodeURIComponent(new URL(base).pathname) + path,
  };
}

/**
 * Calls the worker in this isolate, not over the loopback: a body stream that errors reaches the
 * handler as an error, which is how the runtime reports a client that went away mid-upload.
 */
export async function callWorkerDirectly(request: Request): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(request as Request<unknown, IncomingRequestCfProperties>, env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** The properties of a path (Depth 0) or of it and its children (Depth 1), keyed by decoded href. */
export async function propsOf(client: DavClient, path: string, names: string[], depth: '0' | '1' = '0'): Promise<Map<string, string>> {
  const res = await client.propfind(path, propBody(...names), depth);
  if (res.status !== 207) throw new Error(`PROPFIND ${path} → ${res.status}: ${await res.text()}`);
  return responses(await res.text());
}

/** One property of one path (its 200 propstat value), or undefined when not found. */
export async function propOf(client: DavClient, path: string, name: string): Promise<string | undefined> {
  const m = /^\{(.*)\}(.*)$/.exec(name)!;
  const prefix = ({ 'DAV:': 'd', 'http://owncloud.org/ns': 'oc', 'http://nextcloud.org/ns': 'nc' } as Record<string, string>)[m[1]];
  const all = await propsOf(client, path, [name]);
  return propValue([...all.values()][0], `${prefix}:${m[2]}`);
}

/** The quoted ETag PROPFIND reports for a path. */
export async function etagOf(client: DavClient, path: string): Promise<string | undefined> {
  return (await propOf(client, path, '{DAV:}getetag'))?.replaceAll('&quot;', '"');
}

/** A DAV:lockinfo body for a write lock. */
export function lockInfo(scope: 'exclusive' | 'shared' = 'exclusive', owner = '<d:href>mailto:alice@example.org</d:href>'): string {
  return `<?xml version="1.0" encoding="utf-8"?><d:lockinfo xmlns:d="DAV:"><d:lockscope><d:${scope}/></d:lockscope>` +
    `<d:locktype><d:write/></d:locktype><d:owner>${owner}</d:owner></d:lockinfo>`;
}

/** The token a LOCK response hands out (from its Lock-Token header, without the angle brackets). */
export function lockTokenOf(res: Response): string {
  const m = /^<(.+)>$/.exec(res.headers.get('Lock-Token') ?? '');
  if (!m) throw new Error(`no Lock-Token in a ${res.status} response`);
  return m[1];
}

/** `n` deterministic, non-repeating-looking bytes (so a misplaced range shows). */
export function patternBytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A body of unknown length (no Content-Length: sent chunked) delivering `data` in `chunk`-sized pieces. */
export function streamOf(data: Uint8Array, chunk = 64 * 1024): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= data.byteLength) return controller.close();
      controller.enqueue(data.slice(offset, offset + chunk));
      offset += chunk;
    },
  });
}

/** A body that delivers `sent` and then fails: a client that disconnects halfway through. */
export function disconnectingStream(sent: Uint8Array): ReadableStream<Uint8Array> {
  let done = false;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (done) return controller.error(new Error('client disconnected'));
      controller.enqueue(sent);
      done = true;
    },
  });
}

/** Lower-case hex digest of bytes or text ('SHA-1', 'MD5', 'SHA-256'). */
export async function digestHex(algorithm: 'SHA-1' | 'MD5' | 'SHA-256', data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const buf = await crypto.subtle.digest(algorithm, bytes);
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The file-cache rows of a user (path → row), straight from D1: what "no stray metadata" is checked against. */
export async function fileRows(owner: string): Promise<Map<string, { fileid: number; size: number; etag: string }>> {
  const { results } = await env.DB.prepare('SELECT path, fileid, size, etag FROM files WHERE owner = ? ORDER BY path')
    .bind(owner).all<{ path: string; fileid: number; size: number; etag: string }>();
  return new Map(results.map((r) => [r.path, { fileid: r.fileid, size: r.size, etag: r.etag }]));
}

/** Every key in the FILES bucket: what "no stray blobs" is checked against. */
export async function blobKeys(): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.FILES.list({ cursor });
    keys.push(...page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return keys.sort();
}

/** PROPFIND body asking for the given Clark-named properties. */
export function propBody(...names: string[]): string {
  const props = names.map((n, i) => {
    const m = /^\{(.*)\}(.*)$/.exec(n)!;
    return m[1] === '' ? `<${m[2]} xmlns=""/>` : `<x${i}:${m[2]} xmlns:x${i}="${m[1]}"/>`;
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
