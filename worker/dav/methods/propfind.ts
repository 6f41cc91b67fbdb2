import type { DavResource, PropertyDef } from '../backend';
import { DavError } from '../errors';
import { hrefOf } from '../locks';
import { multistatusResponse, statusLine, type MultistatusEntry, type PropEntry } from '../multistatus';
import { clark, NS } from '../namespaces';
import { encodeSegment } from '../paths';
import { coreProperties } from '../properties';
import type { DavRequest } from '../request';
import { child, elements, isElement, tagFor, type XmlElement } from '../xml';

type Mode = { kind: 'allprop'; include: string[] } | { kind: 'propname' } | { kind: 'prop'; names: string[] };

/** The live-property registry of a request: the core DAV set plus the backend's own. */
export function registryOf(r: DavRequest): Map<string, PropertyDef<DavResource, any>> {
  const map = new Map<string, PropertyDef<DavResource, any>>();
  for (const p of coreProperties) map.set(p.name, p);
  for (const p of r.backend.properties) map.set(p.name, p as PropertyDef<DavResource, any>);
  return map;
}

function parseMode(body: XmlElement | null): Mode {
  if (body === null) return { kind: 'allprop', include: [] };
  if (!isElement(body, NS.DAV, 'propfind')) throw new DavError(400, 'Expected a DAV:propfind body');
  const include = child(body, NS.DAV, 'include');
  if (child(body, NS.DAV, 'allprop')) {
    return { kind: 'allprop', include: include ? elements(include).map((e) => clark(e.ns, e.local)) : [] };
  }
  if (child(body, NS.DAV, 'propname')) return { kind: 'propname' };
  const prop = child(body, NS.DAV, 'prop');
  if (prop) return { kind: 'prop', names: elements(prop).map((e) => clark(e.ns, e.local)) };
  throw new DavError(400, 'DAV:propfind needs prop, allprop or propname');
}

/**
 * PROPFIND (RFC 4918 §9.1). Depth infinity is answered as Depth 1, as Nextcloud does: walking a
 * whole tree in one request is unbounded work.
 */
export async function propfind(r: DavRequest): Promise<Response> {
  const depth = r.depth('infinity') === 0 ? 0 : 1;
  const mode = parseMode(await r.xmlBody());
  const target = await r.backend.resolve(r.path);
  if (!target) throw new DavError(404, 'Resource not found');
  await r.checkIfHeader(target);
  const resources = depth === 1 && target.isCollection ? [target, ...(await r.backend.children(target))] : [target];
  const registry = registryOf(r);

  let liveNames: string[];
  let wantDead: 'all' | 'names' | 'none';
  if (mode.kind === 'prop') {
    liveNames = mode.names.filter((n) => registry.has(n));
    wantDead = liveNames.length < mode.names.length ? 'names' : 'none';
  } else if (mode.kind === 'allprop') {
    liveNames = [...registry.values()].filter((p) => p.inAllprop || mode.include.includes(p.name)).map((p) => p.name);
    wantDead = 'all';
  } else {
    liveNames = [...registry.values()].filter((p) => p.inAllprop).map((p) => p.name);
    wantDead = 'all';
  }
  const dead = wantDead === 'none' ? new Map<string, Map<string, string>>() : await r.backend.deadProperties(target, depth);
  const states = new Map<string, unknown>();
  if (mode.kind !== 'propname') {
    await Promise.all(liveNames.map(async (n) => {
      const p = registry.get(n)!;
      if (p.prepare) states.set(n, await p.prepare(resources, r.ctx, r.backend));
    }));
  }
  const minimal = r.wantsMinimal;

  const names = mode.kind === 'prop' ? mode.names : liveNames;
  const wanted = names.map((name) => ({ name, def: registry.get(name), state: states.get(name), tag: tagFor(name) }));
  const ok = `<d:status>${statusLine(200)}</d:status></d:propstat>`;
  const notFound = `<d:status>${statusLine(404)}</d:status></d:propstat>`;

  // The hot path of every sync client: responses are built as strings directly, one per resource.
  // Direct children share the target's href: only their last segment is encoded per row.
  const childPrefix = hrefOf(r.ctx, target.path, true);
  const parentPart = target.path === '' ? '' : `${target.path}/`;
  const hrefOfResource = (res: DavResource) => (res !== target && res.path.startsWith(parentPart) && res.path.indexOf('/', parentPart.length) < 0
    ? childPrefix + encodeSegment(res.path.slice(parentPart.length)) + (res.isCollection ? '/' : '')
    : hrefOf(r.ctx, res.path, res.isCollection));
  function* entries(): Generator<MultistatusEntry | string> {
    for (const res of resources) {
      const href = hrefOfResource(res);
      const deadProps = dead.get(res.path);
      if (mode.kind === 'propname') {
        const props: PropEntry[] = liveNames.map((name) => ({ name }));
        for (const name of deadProps?.keys() ?? []) props.push({ name });
        yield { href, propstats: [{ status: 200, props }] };
        continue;
      }
      let found = '';
      let missing = '';
      for (const w of wanted) {
        const value = w.def ? w.def.get(res, w.state, r.ctx) : deadProps?.get(w.name);
        if (value === undefined) missing += w.tag.empty;
        else found += value === '' ? w.tag.empty : w.tag.open + value + w.tag.close;
      }
      if (mode.kind === 'allprop' && deadProps) {
        for (const [name, value] of deadProps) {
          if (registry.has(name)) continue;
          const tag = tagFor(name);
          found += value === '' ? tag.empty : tag.open + value + tag.close;
        }
      }
      let out = `<d:response><d:href>${href}</d:href>`;
      if (found) out += `<d:propstat><d:prop>${found}</d:prop>${ok}`;
      if (missing && !minimal && mode.kind === 'prop') out += `<d:propstat><d:prop>${missing}</d:prop>${notFound}`;
      yield out + '</d:response>';
    }
  }
  return multistatusResponse(entries(), minimal ? { 'Preference-Applied': 'return=minimal' } : {});
}
