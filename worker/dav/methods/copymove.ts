import { checkConditionalHeaders } from '../conditions';
import { DavError } from '../errors';
import { isSameOrBelow, parentPath } from '../paths';
import type { DavRequest } from '../request';

/** COPY and MOVE (RFC 4918 §9.8–9.9). MOVE is metadata only: the backend renames, never copies. */
export async function copyOrMove(r: DavRequest): Promise<Response> {
  const isMove = r.req.method === 'MOVE';
  const destHeader = r.header('Destination');
  if (!destHeader) throw new DavError(400, 'The Destination header is missing');
  const dest = r.pathFromHref(destHeader);
  if (dest === null) throw new DavError(403, 'The destination is outside this tree');
  const overwriteRaw = (r.header('Overwrite') ?? 'T').trim().toUpperCase();
  if (overwriteRaw !== 'T' && overwriteRaw !== 'F') throw new DavError(400, 'Invalid Overwrite header');

  const source = await r.backend.resolve(r.path);
  if (!source) throw new DavError(404, 'Resource not found');
  if (r.path === '') throw new DavError(403, 'The root collection cannot be moved or copied');
  const depth = r.depth('infinity');
  if (depth === 1 || (isMove && source.isCollection && depth !== 'infinity')) throw new DavError(400, 'Invalid Depth for ' + r.req.method);
  if (dest === r.path) throw new DavError(403, 'Source and destination are the same');
  if (dest === '' || isSameOrBelow(dest, r.path)) throw new DavError(409, 'Cannot copy or move into itself');

  await r.checkIfHeader(source);
  checkConditionalHeaders(r.req, source);
  const destParent = await r.backend.resolve(parentPath(dest)!);
  if (!destParent || !destParent.isCollection) throw new DavError(409, 'The destination collection does not exist');
  const existing = await r.backend.resolve(dest);
  if (existing && overwriteRaw === 'F') throw new DavError(412, 'The destination exists and Overwrite is F');
  // Overwriting would first delete the destination (§9.8.4), and with it the source inside it.
  if (existing && isSameOrBelow(r.path, dest)) throw new DavError(409, 'The destination collection contains the source');

  const targets = [{ path: dest, changesMembership: true, recursive: existing?.isCollection ?? false }];
  if (isMove) targets.unshift({ path: r.path, changesMembership: true, recursive: source.isCollection });
  await r.assertUnlocked(targets);

  const result = isMove
    ? await r.backend.move(source, dest, { replace: existing })
    : await r.backend.copy(source, dest, { depth: depth === 0 ? 0 : 'infinity', replace: existing });
  if (isMove) await r.backend.locks.removeAtOrBelow(r.path);
  return new Response(null, { status: existing ? 204 : 201, headers: { ...r.backend.writeHeaders?.(result) } });
}
