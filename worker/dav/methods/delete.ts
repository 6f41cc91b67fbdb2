import { checkConditionalHeaders } from '../conditions';
import { DavError } from '../errors';
import type { DavRequest } from '../request';

/** DELETE (RFC 4918 §9.6): a collection goes with everything below it; its locks go too. */
export async function del(r: DavRequest): Promise<Response> {
  const target = await r.backend.resolve(r.path);
  if (!target) throw new DavError(404, 'Resource not found');
  if (r.path === '') throw new DavError(403, 'The root collection cannot be deleted');
  if (target.isCollection && r.depth('infinity') !== 'infinity') throw new DavError(400, 'DELETE of a collection needs Depth: infinity');
  await r.checkIfHeader(target);
  checkConditionalHeaders(r.req, target);
  await r.assertUnlocked([{ path: r.path, changesMembership: true, recursive: target.isCollection }]);
  await r.backend.delete(target);
  await r.backend.locks.removeAtOrBelow(r.path);
  return new Response(null, { status: 204 });
}
