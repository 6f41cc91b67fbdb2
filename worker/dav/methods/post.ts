import type { DavResource } from '../backend';
import { DavError } from '../errors';
import { clark } from '../namespaces';
import type { DavRequest } from '../request';
import type { XmlElement } from '../xml';

const ALLOW = 'OPTIONS, GET, HEAD, DELETE, PROPFIND, PUT, PROPPATCH, COPY, MOVE, LOCK, UNLOCK, MKCOL';

/** POST (RFC 9110 §9.3.3) on a DAV resource: what it means is the backend's (SabreDAV's method:POST plugins). */
export async function post(r: DavRequest): Promise<Response> {
  if (!r.backend.post) throw new DavError(405, 'POST is not allowed here', { headers: { Allow: ALLOW } });
  const target = await r.backend.resolve(r.path);
  if (!target) throw new DavError(404, 'Resource not found');
  await r.checkIfHeader(target);
  return r.backend.post(r, target);
}

/** A handler of one kind of XML POST body, by its root element (publish-calendar, share, …). */
export type XmlPostHandler<R extends DavResource> = (r: DavRequest<R>, target: R, body: XmlElement) => Promise<Response>;

/** The usual body of a groupware POST: an XML document whose root element names the request. */
export async function dispatchXmlPost<R extends DavResource>(r: DavRequest<R>, target: R, handlers: ReadonlyMap<string, XmlPostHandler<R>>): Promise<Response> {
  const type = (r.header('Content-Type') ?? '').split(';')[0].trim().toLowerCase();
  if (type !== '' && type !== 'application/xml' && type !== 'text/xml') throw new DavError(415, 'POST takes an XML body here');
  const body = await r.xmlBody();
  if (!body) throw new DavError(400, 'POST needs an XML body');
  const handler = handlers.get(clark(body.ns, body.local));
  if (!handler) throw new DavError(400, `Unsupported POST request ${clark(body.ns, body.local)}`);
  return handler(r, target, body);
}
