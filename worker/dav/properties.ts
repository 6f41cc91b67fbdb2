import type { DavLock, DavResource, PropertyDef } from './backend';
import { activeLockXml, locksOn, SUPPORTED_LOCK_XML } from './locks';
import { clark, NS } from './namespaces';
import { baseName } from './paths';
import { escapeXml } from './xml';

const D = (local: string) => clark(NS.DAV, local);

const DAYS = ['Thu', 'Fri', 'Sat', 'Sun', 'Mon', 'Tue', 'Wed']; // 1970-01-01 was a Thursday
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const DAY_MS = 86_400_000;

/**
 * RFC 1123 date, the format of getlastmodified: what Date#toUTCString gives, built from parts
 * because listings format one per row and this is about twice as fast. Years outside 1000–9999
 * (never a real mtime) take the slow path.
 */
export function httpDate(ms: number): string {
  const days = Math.floor(ms / DAY_MS);
  const date = new Date(days * DAY_MS);
  const year = date.getUTCFullYear();
  if (year < 1000 || year > 9999 || !Number.isFinite(ms)) return new Date(ms).toUTCString();
  const seconds = Math.floor((ms - days * DAY_MS) / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return `${DAYS[((days % 7) + 7) % 7]}, ${TWO_DIGITS[date.getUTCDate()]} ${MONTHS[date.getUTCMonth()]} ${year} `
    + `${TWO_DIGITS[h]}:${TWO_DIGITS[m]}:${TWO_DIGITS[seconds % 60]} GMT`;
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
