import type { DavRequest } from '../request';

const ALLOW_EXISTING = 'OPTIONS, GET, HEAD, DELETE, PROPFIND, PUT, PROPPATCH, COPY, MOVE, LOCK, UNLOCK';
const ALLOW_COLLECTION = 'OPTIONS, GET, HEAD, DELETE, PROPFIND, PROPPATCH, COPY, MOVE, LOCK, UNLOCK';
const ALLOW_UNMAPPED = 'OPTIONS, MKCOL, PUT, LOCK';

/** OPTIONS (RFC 4918 §10.1): compliance classes 1, 2 (locking) and 3. */
export async function options(r: DavRequest): Promise<Response> {
  const target = await r.backend.resolve(r.path);
  return new Response(null, {
    status: 200,
    headers: {
      DAV: ['1, 2, 3', ...(r.backend.createExtendedCollection ? ['extended-mkcol'] : []), ...(r.backend.davClasses ?? [])].join(', '),
      'MS-Author-Via': 'DAV',
      Allow: (target ? (target.isCollection ? ALLOW_COLLECTION : ALLOW_EXISTING) : ALLOW_UNMAPPED) + (target && r.backend.reports ? ', REPORT' : ''),
      'Accept-Ranges': 'bytes',
      'Content-Length': '0',
    },
  });
}
