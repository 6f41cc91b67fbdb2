import { DavError } from '../errors';
import { parentPath } from '../paths';
import type { DavRequest } from '../request';

/** MKCOL (RFC 4918 §9.3). A body (extended MKCOL) is not supported for files: 415. */
export async function mkcol(r: DavRequest): Promise<Response> {
  const body = await r.req.arrayBuffer();
  if (body.byteLength > 0) throw new DavError(415, 'MKCOL with a body is not supported here');
  if (r.path === '' || (await r.backend.resolve(r.path))) {
    throw new DavError(405, 'The resource already exists', { headers: { Allow: 'OPTIONS, GET, HEAD, DELETE, PROPFIND, PROPPATCH, COPY, MOVE, LOCK, UNLOCK' } });
  }
  const parent = await r.backend.resolve(parentPath(r.path)!);
  if (!parent || !parent.isCollection) throw new DavError(409, 'The parent collection does not exist');
  await r.checkIfHeader(null);
  await r.assertUnlocked([{ path: r.path, changesMembership: true, recursive: false }]);
  const created = await r.backend.createCollection(r.path);
  return new Response(null, { status: 201, headers: { ...r.backend.writeHeaders?.(created) } });
}
