import type { DavResource, PropertyDef, ReportDef } from '../backend';
import { DavError } from '../errors';
import { hrefOf } from '../locks';
import { multistatusResponse, statusLine } from '../multistatus';
import { clark, NS } from '../namespaces';
import type { DavRequest } from '../request';
import { child, elements, escapeXml, tagFor, type XmlElement } from '../xml';
import { registryOf } from './propfind';

const ALLOW = 'OPTIONS, GET, HEAD, DELETE, PROPFIND, PUT, PROPPATCH, COPY, MOVE, LOCK, UNLOCK, MKCOL';

/** REPORT (RFC 3253 §3.6): dispatched to the backend's report named by the body's root element. */
export async function report(r: DavRequest): Promise<Response> {
  const reports = r.backend.reports;
  if (!reports) throw new DavError(405, 'REPORT is not allowed here', { headers: { Allow: ALLOW } });
  const body = await r.xmlBody();
  if (!body) throw new DavError(400, 'REPORT needs a body');
  const target = await r.backend.resolve(r.path);
  if (!target) throw new DavError(404, 'Resource not found');
  await r.checkIfHeader(target);
  const name = clark(body.ns, body.local);
  const def = reports.find((d) => d.name === name && d.appliesTo(target));
  if (!def) throw new DavError(403, `The report ${name} is not supported on this resource`, { condition: 'supported-report' });
  return def.run(r, target, body);
}

/** DAV:supported-report-set (RFC 3253 §3.1.5) listing the reports that apply to each resource. */
export function supportedReportSet<R extends DavResource>(reports: () => readonly ReportDef<R>[]): PropertyDef<R> {
  return {
    name: clark(NS.DAV, 'supported-report-set'),
    get: (res) => reports().filter((d) => d.appliesTo(res))
      .map((d) => `<d:supported-report><d:report>${tagFor(d.name).empty}</d:report></d:supported-report>`).join(''),
  };
}

/** A value a report computes itself for a requested property (e.g. calendar-data with expand). */
export type PropOverride<R> = (resource: R) => string | undefined;

/** The Clark names and elements of a report body's DAV:prop (empty without one). */
export function requestedProps(body: XmlElement): XmlElement[] {
  const prop = child(body, NS.DAV, 'prop');
  return prop ? elements(prop) : [];
}

/**
 * Serialized DAV:response elements with the requested properties of each resource, as PROPFIND
 * renders them (404 propstats unless the client prefers minimal answers). Live properties only:
 * reports ask for data and ETags, never for dead properties.
 */
export async function propResponses<R extends DavResource>(
  r: DavRequest<R>, resources: readonly R[], props: readonly XmlElement[], overrides: Map<string, PropOverride<R>> = new Map(),
): Promise<string[]> {
  const registry = registryOf(r as unknown as DavRequest);
  const names = props.map((p) => clark(p.ns, p.local));
  const states = new Map<string, unknown>();
  if (resources.length > 0) {
    await Promise.all(names.map(async (n) => {
      const def = registry.get(n);
      if (def?.prepare && !overrides.has(n)) states.set(n, await def.prepare(resources as unknown as DavResource[], r.ctx, r.backend as never));
    }));
  }
  const minimal = r.wantsMinimal;
  return resources.map((res) => {
    let found = '';
    let missing = '';
    for (const name of names) {
      const tag = tagFor(name);
      const override = overrides.get(name);
      const def = registry.get(name);
      const value = override ? override(res) : def ? def.get(res, states.get(name), r.ctx) : undefined;
      if (value === undefined) missing += tag.empty;
      else found += value === '' ? tag.empty : tag.open + value + tag.close;
    }
    let out = `<d:response><d:href>${hrefOf(r.ctx, res.path, res.isCollection)}</d:href>`;
    if (found) out += `<d:propstat><d:prop>${found}</d:prop><d:status>${statusLine(200)}</d:status></d:propstat>`;
    if (missing && !minimal) out += `<d:propstat><d:prop>${missing}</d:prop><d:status>${statusLine(404)}</d:status></d:propstat>`;
    return out + '</d:response>';
  });
}

/** A DAV:response carrying only a status (a member that is gone, or a truncation marker). */
export function statusResponse(href: string, status: number, error = ''): string {
  return `<d:response><d:href>${href}</d:href><d:status>${statusLine(status)}</d:status>${error ? `<d:error>${error}</d:error>` : ''}</d:response>`;
}

/**
 * The members a multiget (RFC 4791 §7.9, RFC 6352 §8.7) names by DAV:href: each resolved inside
 * this mount and below `target`; hrefs that name nothing there come back as `missing` (404s).
 */
export async function resolveHrefs<R extends DavResource>(r: DavRequest<R>, target: R, body: XmlElement): Promise<{ found: R[]; missing: string[] }> {
  const hrefs = elements(body).filter((e) => e.ns === NS.DAV && e.local === 'href').map((e) => textOfHref(e));
  if (hrefs.length > 1000) throw new DavError(400, 'Too many hrefs in one multiget (at most 1000)');
  const found: R[] = [];
  const missing: string[] = [];
  for (const href of hrefs) {
    let path: string | null = null;
    try {
      path = r.pathFromHref(href);
    } catch (e) {
      if (!(e instanceof DavError)) throw e;
    }
    const inside = path !== null && (target.path === '' || path === target.path || path.startsWith(target.path + '/'));
    const res = inside ? await r.backend.resolve(path!) : null;
    if (res) found.push(res);
    else missing.push(escapeXml(href));
  }
  return { found, missing };
}

function textOfHref(el: XmlElement): string {
  return el.children.filter((c): c is string => typeof c === 'string').join('').trim();
}

/** What a backend's change log says about a collection since a sync token (RFC 6578). */
export interface SyncChanges<R> {
  /** The token for the state after these changes. */
  token: string;
  /** Members added or changed (as they are now). */
  changed: R[];
  /** Paths of members removed. */
  removed: string[];
  /** More changes remain beyond `limit`: the client asks again with `token`. */
  truncated: boolean;
}

/** A backend that keeps a change log per collection (SabreDAV's SyncSupport). */
export interface SyncSource<R extends DavResource> {
  /** Changes since `token` (null = initial sync: every member); null when the token is not valid here. */
  changesSince(collection: R, token: string | null, limit: number | null): Promise<SyncChanges<R> | null>;
}

/** Largest number of changes one sync-collection answer carries; more are sent on the next round. */
const SYNC_PAGE = 1000;

/** The sync-collection report (RFC 6578 §3) over a backend's change log. */
export function syncCollectionReport<R extends DavResource>(source: SyncSource<R>, appliesTo: (res: R) => boolean): ReportDef<R> {
  return {
    name: clark(NS.DAV, 'sync-collection'),
    appliesTo,
    async run(r, target, body) {
      // §3.3: the level is in the body and Depth must be 0 (absent counts as 0). Depth 1 is taken
      // as 0 too: python-caldav sends it with every REPORT, and the body says what to list.
      if (r.depth(0) === 'infinity') throw new DavError(400, 'sync-collection needs Depth: 0');
      const tokenEl = child(body, NS.DAV, 'sync-token');
      const token = tokenEl ? textOfHref(tokenEl) : '';
      const level = child(body, NS.DAV, 'sync-level');
      const levelText = level ? textOfHref(level) : '1';
      if (levelText !== '1' && levelText !== 'infinite') throw new DavError(400, 'DAV:sync-level must be 1 or infinite');
      if (!child(body, NS.DAV, 'prop')) throw new DavError(400, 'sync-collection needs DAV:prop');
      const limitEl = child(body, NS.DAV, 'limit');
      let limit: number | null = null;
      if (limitEl) {
        const n = child(limitEl, NS.DAV, 'nresults');
        const text = n ? textOfHref(n) : '';
        if (!/^\d{1,9}$/.test(text) || Number(text) < 1) throw new DavError(400, 'DAV:limit needs a positive DAV:nresults');
        limit = Number(text);
      }
      const changes = await source.changesSince(target, token === '' ? null : token, Math.min(limit ?? SYNC_PAGE, SYNC_PAGE));
      if (!changes) throw new DavError(403, 'The sync token is not valid for this collection', { condition: 'valid-sync-token' });
      const parts = await propResponses(r, changes.changed, requestedProps(body));
      for (const path of changes.removed) parts.push(statusResponse(hrefOf(r.ctx, path, false), 404));
      if (changes.truncated) {
        // §3.6: more results than the client's limit (or our page) → 507 on the collection itself.
        parts.push(statusResponse(hrefOf(r.ctx, target.path, true), 507, '<d:number-of-matches-within-limits/>'));
      }
      return multistatusOf(r, parts, `<d:sync-token>${escapeXml(changes.token)}</d:sync-token>`);
    },
  };
}

/** A 207 of already serialized responses, with an optional tail (RFC 6578 sync-token). */
export function multistatusOf(r: DavRequest<any>, parts: string[], tail = ''): Response {
  return multistatusResponse(parts, r.wantsMinimal ? { 'Preference-Applied': 'return=minimal' } : {}, tail);
}
