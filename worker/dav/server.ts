import type { DavResource } from './backend';
import { DavError } from './errors';
import { copyOrMove } from './methods/copymove';
import { del } from './methods/delete';
import { get } from './methods/get';
import { lock, unlock } from './methods/lock';
import { mkcalendar, mkcol } from './methods/mkcol';
import { options } from './methods/options';
import { post } from './methods/post';
import { propfind } from './methods/propfind';
import { proppatch } from './methods/proppatch';
import { put } from './methods/put';
import { report } from './methods/report';
import { DavRequest, type DavMount } from './request';

type Handler = (r: DavRequest) => Promise<Response>;

const HANDLERS: Record<string, Handler> = {
  OPTIONS: options,
  PROPFIND: propfind,
  PROPPATCH: proppatch,
  MKCOL: mkcol,
  GET: get,
  HEAD: get,
  PUT: put,
  DELETE: del,
  COPY: copyOrMove,
  MOVE: copyOrMove,
  LOCK: lock,
  UNLOCK: unlock,
  // Both answer 405 on backends without reports / extended collections, as before they existed.
  REPORT: report,
  MKCALENDAR: mkcalendar,
  // 405 on backends without a post hook, as before it existed.
  POST: post,
};

/** Methods HTTP knows that this server deliberately does not implement. */
const KNOWN_UNSUPPORTED = new Set(['PATCH', 'TRACE', 'CONNECT', 'SEARCH', 'ACL', 'BIND', 'UNBIND', 'REBIND']);

/**
 * Serves one request on a mount: `path` is the relative path below the mount (already decoded and
 * validated). Dispatches by method; unknown methods get 501, known unsupported ones 405.
 */
export function serveDav<R extends DavResource>(mount: DavMount<R>, path: string): Promise<Response> {
  const method = mount.ctx.request.method.toUpperCase();
  const handler = HANDLERS[method];
  if (!handler) {
    if (KNOWN_UNSUPPORTED.has(method)) {
      throw new DavError(405, `${method} is not allowed here`, { headers: { Allow: 'OPTIONS, GET, HEAD, DELETE, PROPFIND, PUT, PROPPATCH, COPY, MOVE, LOCK, UNLOCK, MKCOL' } });
    }
    throw new DavError(501, `${method} is not implemented`);
  }
  return handler(new DavRequest(mount as unknown as DavMount, path));
}
