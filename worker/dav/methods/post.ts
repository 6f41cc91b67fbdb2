import { DavError } from '../errors';
import type { DavRequest } from '../request';

const ALLOW = 'OPTIONS, GET, HEAD, DELETE, PROPFIND, PUT, PROPPATCH, COPY, MOVE, LOCK, UNLOCK, MKCOL';

/** POST (RFC 9110 §9.3.3) on a DAV resource: what it means is the backend's (SabreDAV's method:POST plugins). */
export async function post(r: DavRequest): Promise<Response> {
  if (!r.backend.post) throw new DavError(405, 'POST is not allowed here', { headers: { Allow: ALLOW } });
  const target = await r.backend.resolve(r.path);
  if (!target) throw new DavError(404, 'Resource not found');
  await r.checkIfHeader(target);
  return r.backend.post(r, target);
}
