import { checkConditionalHeaders, quoteEtag } from '../conditions';
import { DavError } from '../errors';
import { parentPath } from '../paths';
import type { DavRequest } from '../request';

/**
 * The first second of year 10000: later times have no RFC 1123 date (getlastmodified,
 * Last-Modified would read "Invalid Date" or carry a 5-digit year that clients cannot parse).
 */
const MAX_MTIME = 253_402_300_800;

/**
 * X-OC-Mtime: decimal seconds, fractional from iOS (truncated). Non-numeric (hex included, as
 * Nextcloud's MtimeSanitizer), ≤ 0, or past year 9999 is a 400.
 */
export function parseMtime(raw: string | null): number | null {
  if (raw === null) return null;
  const text = raw.trim();
  const v = /^\d+(?:\.\d*)?(?:e[+-]?\d+)?$/i.test(text) ? Number(text) : NaN;
  if (!(v > 0 && v < MAX_MTIME)) throw new DavError(400, 'Invalid X-OC-Mtime header');
  return Math.floor(v);
}

export function parseLength(raw: string | null): number | null {
  if (raw === null) return null;
  if (!/^\d+$/.test(raw.trim())) throw new DavError(400, 'Invalid Content-Length');
  return Number(raw);
}

/**
 * The ETag a write must still find, from If-Match / If-None-Match: *, for an atomic check in its
 * batch: the ETag, null (the file must not exist) or undefined (no such header). `whole` says
 * whether that check is all the two headers ask; when not (a list, If-None-Match with ETags,
 * both headers), checkConditionalHeaders must judge them against the target read first.
 */
export function etagPrecondition(headers: Headers): { expectEtag: string | null | undefined; whole: boolean } {
  const ifNoneMatch = headers.get('If-None-Match')?.trim();
  const ifMatch = headers.get('If-Match')?.trim();
  const m = ifMatch !== undefined ? /^(?:W\/)?"([^"]*)"$/.exec(ifMatch) : null;
  const expectEtag = ifNoneMatch === '*' ? null : m ? m[1] : undefined;
  const whole = ifMatch === undefined ? ifNoneMatch === undefined || ifNoneMatch === '*' : ifNoneMatch === undefined && m !== null;
  return { expectEtag, whole };
}

/** PUT (RFC 9110 §9.3.4, RFC 4918 §9.7): streamed into storage, never buffered whole. */
export async function put(r: DavRequest): Promise<Response> {
  if (r.path === '') throw new DavError(405, 'Cannot PUT to the root collection', { headers: { Allow: 'OPTIONS, PROPFIND' } });
  if (r.header('Content-Range')) throw new DavError(400, 'Partial PUT (Content-Range) is not supported');
  const mtime = parseMtime(r.header('X-OC-Mtime'));
  const length = parseLength(r.header('Content-Length'));
  const existing = await r.backend.resolve(r.path);
  if (existing?.isCollection) throw new DavError(405, 'Cannot PUT to a collection');
  await r.checkIfHeader(existing);
  checkConditionalHeaders(r.req, existing);
  if (!existing) {
    const parent = await r.backend.resolve(parentPath(r.path)!);
    if (!parent || !parent.isCollection) throw new DavError(409, 'The parent collection does not exist');
  }
  await r.assertUnlocked([{ path: r.path, changesMembership: !existing, recursive: false }]);
  const { resource, created, transformed } = await r.backend.write(r.path, r.req.body, {
    length,
    contentType: r.header('Content-Type'),
    mtime,
    checksum: r.header('OC-Checksum'),
    expectEtag: etagPrecondition(r.req.headers).expectEtag,
  });
  return putAnswer(resource.etag, created, { transformed, mtimeAccepted: mtime !== null, headers: r.backend.writeHeaders?.(resource) });
}

/** A PUT's answer: 201 or 204, the new ETag, X-OC-MTime when the client's mtime was taken, and the backend's own headers. */
export function putAnswer(etag: string, created: boolean, opts: { transformed?: boolean; mtimeAccepted: boolean; headers?: Record<string, string> }): Response {
  // A client that gets an ETag believes its own body is what is stored (RFC 4918 §9.7.1): none when it is not.
  const headers: Record<string, string> = { ...(opts.transformed ? {} : { ETag: quoteEtag(etag) }), ...opts.headers };
  if (opts.mtimeAccepted) headers['X-OC-MTime'] = 'accepted';
  return new Response(null, { status: created ? 201 : 204, headers });
}
