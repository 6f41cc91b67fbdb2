/**
 * Sharing over DAV, for calendars and address books alike: the share POST (calendarserver's
 * `cs:share` and Nextcloud's `oc:share`, the same body in two namespaces), and the properties
 * clients read to show who a collection is shared with and whose it is.
 */
import { inArray } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { users } from '../../schema';
import type { DavResource, PropertyDef } from '../dav/backend';
import { DavError } from '../dav/errors';
import { hrefOf } from '../dav/locks';
import { clark, NS } from '../dav/namespaces';
import type { XmlPostHandler } from '../dav/methods/post';
import { child, elements, escapeXml, textOf, type XmlElement } from '../dav/xml';
import { BadInput } from '../errors';
import { DavShares, type Access, type Share, type Sharee, type ShareKind } from './shares';

/** What the sharing code needs to know of a backend's node. */
export interface SharingAdapter<N extends DavResource> {
  kind: ShareKind;
  /** The collection a node is (id, owner), or null when the node is not a shareable collection kind. */
  collectionOf(node: N): { id: number; owner: string } | null;
  /** Why this collection cannot be shared at all (a subscription, the birthday calendar), or null. */
  unshareable(node: N): string | null;
}


/**
 * A sharee's href as clients write it: `principal:principals/users/bob` (Nextcloud),
 * `/remote.php/dav/principals/groups/g/` or a full URL to it, or `mailto:bob@example.com`
 * (calendarserver clients), which names the user with that e-mail address.
 */
export async function shareeOfHref(env: Env, href: string): Promise<Sharee> {
  const h = href.trim();
  if (/^mailto:/i.test(h)) {
    const email = decodeURIComponent(h.slice(7)).trim().toLowerCase();
    const rows = await drizzle(env.DB).select({ id: users.id, email: users.email }).from(users).where(inArray(users.email, [email])).limit(2);
    if (rows.length !== 1) throw new BadInput(`No single user has the address ${email}`);
    return { type: 'user', id: rows[0].id };
  }
  let path = h.replace(/^principal:/i, '');
  if (/^https?:\/\//i.test(path)) path = new URL(path).pathname;
  const m = /(?:^|\/)principals\/(users|groups)\/([^/]+)\/?$/.exec(path);
  if (!m) throw new BadInput(`Not a user or group principal: ${h}`);
  let id: string;
  try {
    id = decodeURIComponent(m[2]);
  } catch {
    throw new BadInput(`Malformed principal: ${h}`);
  }
  return { type: m[1] === 'users' ? 'user' : 'group', id };
}

/** Parses the children of a share body: `set` (href, read-write or not) and `remove` (href). */
async function parseShareBody(env: Env, body: XmlElement): Promise<{ set: { sharee: Sharee; access: Access }[]; remove: Sharee[] }> {
  const set: { sharee: Sharee; access: Access }[] = [];
  const remove: Sharee[] = [];
  for (const el of elements(body)) {
    if (el.ns !== body.ns || (el.local !== 'set' && el.local !== 'remove')) continue;
    const href = child(el, NS.DAV, 'href');
    if (!href) throw new BadInput(`${el.local} needs a DAV:href`);
    const sharee = await shareeOfHref(env, textOf(href));
    if (el.local === 'remove') remove.push(sharee);
    else set.push({ sharee, access: child(el, body.ns, 'read-write') ? 'read-write' : 'read' });
  }
  if (set.length === 0 && remove.length === 0) throw new BadInput('The share request names no sharee');
  return { set, remove };
}

/** The share POST handlers by root element (cs:share and oc:share), for a backend's POST table. */
export function sharePostHandlers<N extends DavResource>(env: Env, adapter: SharingAdapter<N>): Map<string, XmlPostHandler<N>> {
  const handler: XmlPostHandler<N> = async (r, target, body) => {
    const collection = adapter.collectionOf(target);
    if (!collection) throw new DavError(403, 'Only calendars and address books can be shared');
    if (collection.owner !== r.ctx.principal) {
      throw new DavError(403, 'Only the owner can share this collection', {
        condition: 'need-privileges',
        conditionBody: `<d:resource><d:href>${hrefOf(r.ctx, target.path, true)}</d:href><d:privilege><d:share/></d:privilege></d:resource>`,
      });
    }
    const refusal = adapter.unshareable(target);
    if (refusal) throw new DavError(403, refusal);
    try {
      const { set, remove } = await parseShareBody(env, body);
      await new DavShares(env, adapter.kind, r.ctx.now).apply(collection.id, collection.owner, set, remove);
    } catch (e) {
      if (e instanceof BadInput) throw new DavError(400, e.message);
      throw e;
    }
    return new Response(null, { status: 200, headers: { 'X-Sabre-Status': 'everything-went-well' } });
  };
  return new Map([[clark(NS.CS, 'share'), handler], [clark(NS.OC, 'share'), handler]]);
}

const ACCESS_XML = (prefix: string, access: Access) => `<${prefix}:access><${prefix}:${access}/></${prefix}:access>`;
const principalRef = (s: Sharee) => `principal:principals/${s.type === 'user' ? 'users' : 'groups'}/${encodeURIComponent(s.id)}`;

/** Loaded once per PROPFIND: each listed collection's shares and its owner's display name. */
interface SharingState { shares: Map<number, Share[]>; ownerNames: Map<string, string> }

/**
 * oc:invite (Nextcloud's web apps), cs:invite (calendarserver clients), oc:owner-principal and
 * nc:owner-displayname on every collection the adapter recognises.
 */
export function sharingProperties<N extends DavResource>(env: Env, adapter: SharingAdapter<N>): PropertyDef<N, SharingState>[] {
  const prepare = async (resources: readonly N[]): Promise<SharingState> => {
    const collections = resources.map((n) => adapter.collectionOf(n)).filter((c) => c !== null);
    const shares = new Map<number, Share[]>();
    const service = new DavShares(env, adapter.kind);
    for (const c of collections) if (!shares.has(c.id)) shares.set(c.id, await service.list(c.id));
    const owners = [...new Set(collections.map((c) => c.owner))].slice(0, 90);
    const ownerNames = new Map<string, string>();
    if (owners.length > 0) {
      for (const u of await drizzle(env.DB).select({ id: users.id, name: users.displayName }).from(users).where(inArray(users.id, owners))) {
        ownerNames.set(u.id, u.name || u.id);
      }
    }
    return { shares, ownerNames };
  };
  const on = (get: (c: { id: number; owner: string }, s: SharingState) => string | undefined) =>
    (n: N, s: SharingState) => { const c = adapter.collectionOf(n); return c ? get(c, s) : undefined; };
  return [
    {
      name: clark(NS.OC, 'invite'), prepare,
      get: on((c, s) => (s.shares.get(c.id) ?? []).map((x) => `<oc:user><d:href>${escapeXml(principalRef(x.sharee))}</d:href>`
        + `<oc:common-name>${escapeXml(x.displayName)}</oc:common-name><oc:invite-accepted/>${ACCESS_XML('oc', x.access)}</oc:user>`).join('')),
    },
    {
      name: clark(NS.CS, 'invite'), prepare,
      get: on((c, s) => `<cs:organizer><d:href>${escapeXml(principalRef({ type: 'user', id: c.owner }))}</d:href>`
        + `<cs:common-name>${escapeXml(s.ownerNames.get(c.owner) ?? c.owner)}</cs:common-name></cs:organizer>`
        + (s.shares.get(c.id) ?? []).map((x) => `<cs:user><d:href>${escapeXml(principalRef(x.sharee))}</d:href>`
          + `<cs:common-name>${escapeXml(x.displayName)}</cs:common-name><cs:invite-accepted/>${ACCESS_XML('cs', x.access)}</cs:user>`).join('')),
    },
    { name: clark(NS.OC, 'owner-principal'), get: on((c) => escapeXml(`principals/users/${c.owner}`)) },
    { name: clark(NS.NC_COM, 'owner-displayname'), prepare, get: on((c, s) => escapeXml(s.ownerNames.get(c.owner) ?? c.owner)) },
  ];
}
