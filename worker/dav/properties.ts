import type { DavLock, DavResource, PropertyDef } from './backend';
import { activeLockXml, locksOn, SUPPORTED_LOCK_XML } from './locks';
import { clark, NS } from './namespaces';
import { baseName } from './paths';
import { escapeXml } from './xml';

const D = (local: string) => clark(NS.DAV, local);

/** RFC 1123 date, the format of getlastmodified. */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/** The DAV properties every resource has (RFC 4918 §15), computed from DavResource fields. */
export const coreProperties: readonly PropertyDef<DavResource, any>[] = [
  { name: D('resourcetype'), inAllprop: true, get: (r) => (r.isCollection ? '<d:collection/>' : '') },
  { name: D('getetag'), inAllprop: true, get: (r) => `&quot;${escapeXml(r.etag)}&quot;` },
  { name: D('getlastmodified'), inAllprop: true, get: (r) => httpDate(r.lastModifiedMs) },
  { name: D('creationdate'), inAllprop: true, get: (r) => new Date(r.createdMs).toISOString().replace(/\.\d{3}Z$/, 'Z') },
  { name: D('getcontentlength'), inAllprop: true, get: (r) => (r.isCollection ? undefined : String(r.contentLength)) },
  { name: D('getcontenttype'), inAllprop: true, get: (r) => (r.isCollection ? undefined : escapeXml(r.contentType)) },
  { name: D('displayname'), inAllprop: true, get: (r) => escapeXml(baseName(r.path)) },
  { name: D('supportedlock'), inAllprop: true, get: () => SUPPORTED_LOCK_XML },
  {
    name: D('lockdiscovery'),
    inAllprop: true,
    // One lock query for the whole response: the target's locks and those below it.
    prepare: (resources, ctx, backend) => backend.locks.locksAround(resources[0].path, { descendants: true, now: ctx.now }),
    get(r, locks: DavLock[], ctx) {
      return locksOn(locks, r).map((l) => activeLockXml(l, ctx, l.path === r.path ? r.isCollection : true)).join('');
    },
  },
];
