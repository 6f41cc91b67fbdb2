import { DavError } from '../errors';
import { hrefOf } from '../locks';
import { multistatusResponse, type PropEntry } from '../multistatus';
import { clark, NS } from '../namespaces';
import type { DavRequest } from '../request';
import { child, elements, isElement, serializeChildren, type XmlElement } from '../xml';
import { registryOf } from './propfind';

interface Op { name: string; el: XmlElement | null }

/**
 * PROPPATCH (RFC 4918 §9.2): instructions apply in document order, all or nothing. A protected
 * property fails the whole request (403 for it, 424 for the rest) and nothing is written.
 */
export async function proppatch(r: DavRequest): Promise<Response> {
  const body = await r.xmlBody();
  if (!body || !isElement(body, NS.DAV, 'propertyupdate')) throw new DavError(400, 'Expected a DAV:propertyupdate body');
  const target = await r.backend.resolve(r.path);
  if (!target) throw new DavError(404, 'Resource not found');
  await r.checkIfHeader(target);
  await r.assertUnlocked([{ path: r.path, changesMembership: false, recursive: false }]);

  const ops: Op[] = [];
  for (const instr of elements(body)) {
    const isSet = isElement(instr, NS.DAV, 'set');
    if (!isSet && !isElement(instr, NS.DAV, 'remove')) throw new DavError(400, 'Unknown PROPPATCH instruction');
    const prop = child(instr, NS.DAV, 'prop');
    if (!prop) throw new DavError(400, 'PROPPATCH instruction without DAV:prop');
    for (const el of elements(prop)) ops.push({ name: clark(el.ns, el.local), el: isSet ? el : null });
  }
  const registry = registryOf(r);
  const protectedNames = ops.filter((o) => registry.has(o.name) && !registry.get(o.name)!.set).map((o) => o.name);
  const href = hrefOf(r.ctx, target.path, target.isCollection);
  const entries = (status: number, failed: string[]) => {
    const props: PropEntry[] = ops.filter((o) => !failed.includes(o.name)).map((o) => ({ name: o.name }));
    const propstats = [{ status, props }];
    if (failed.length) propstats.unshift({ status: 403, props: failed.map((name) => ({ name })) });
    return [{ href, propstats }];
  };
  if (protectedNames.length > 0) return multistatusResponse(entries(424, protectedNames));

  // The last instruction for a name wins (document order).
  const deadSet = new Map<string, string>();
  const deadRemove = new Set<string>();
  for (const op of ops) {
    const live = registry.get(op.name);
    if (live) {
      await live.set!(target, op.el, r.ctx);
    } else if (op.el) {
      deadSet.set(op.name, serializeChildren(op.el));
      deadRemove.delete(op.name);
    } else {
      deadRemove.add(op.name);
      deadSet.delete(op.name);
    }
  }
  await r.backend.patchDeadProperties(target, deadSet, [...deadRemove]);
  return multistatusResponse(entries(200, []));
}
