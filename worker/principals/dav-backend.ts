import { getGroup, listUserGroups } from '../accounts/groups';
import { getUser, type UserRecord } from '../accounts/users';
import type { DavBackend, DavResource, LockStore, PropertyDef } from '../dav/backend';
import { DavError } from '../dav/errors';
import { principalReports } from './search';
import { principalProperties } from './dav-properties';
import { getResource, RESOURCE_COLLECTIONS, type ResourceKind, type ResourceRow } from './resources';

const RESOURCE_KINDS = new Map(Object.entries(RESOURCE_COLLECTIONS).map(([kind, dir]) => [dir, kind as ResourceKind]));

/** The DAV root, the principal collections, or one principal (a user or a group). */
export type PrincipalKind = 'root' | 'principals' | 'users' | 'groups' | 'user' | 'group'
  /** calendar-rooms/ or calendar-resources/, and one room or resource in them (scheduling). */
  | 'resources' | 'resource';

/** A node of `/remote.php/dav/` down to `/remote.php/dav/principals/{users,groups}/{id}/`. */
export class PrincipalNode implements DavResource {
  constructor(
    readonly path: string,
    readonly kind: PrincipalKind,
    /** The user (kind 'user') or the group's id and name (kind 'group'). */
    readonly user: UserRecord | null = null,
    readonly group: { id: string; displayName: string } | null = null,
    readonly resource: ResourceRow | null = null,
  ) {}
  get isCollection() { return true; }
  get etag() { return `principal-${this.path}`; }
  get lastModifiedMs() { return 0; }
  get createdMs() { return 0; }
  get contentLength() { return 0; }
  get contentType() { return 'httpd/unix-directory'; }
}

/** Principals are read-only here: no locks, nothing to write. */
const NO_LOCKS: LockStore = {
  locksAround: async () => [],
  create: async () => { throw new DavError(405, 'Principals cannot be locked'); },
  refresh: async () => null,
  remove: async () => {},
  removeAtOrBelow: async () => {},
};

const readOnly = () => new DavError(403, 'Principals are read-only');

/**
 * The DAV root and the principals tree (RFC 3744 §4, RFC 4791 §6, RFC 6352 §7): what DAVx5 and
 * iOS walk from the bare server URL to find the calendar and address-book homes. Every user may
 * see every principal (attendee lookup needs it); private properties answer only for oneself.
 */
export class PrincipalsDavBackend implements DavBackend<PrincipalNode> {
  readonly properties: readonly PropertyDef<PrincipalNode, any>[];
  readonly reports;
  readonly locks = NO_LOCKS;
  readonly davClasses = ['access-control', 'calendar-access', 'addressbook', 'calendarserver-principal-property-search'];

  constructor(readonly env: Env, readonly me: { id: string; email: string | null }) {
    this.properties = principalProperties(this);
    this.reports = principalReports(this);
  }

  async resolve(path: string): Promise<PrincipalNode | null> {
    const segs = path === '' ? [] : path.split('/');
    if (segs.length === 0) return new PrincipalNode('', 'root');
    if (segs[0] !== 'principals') return null;
    if (segs.length === 1) return new PrincipalNode(path, 'principals');
    const resourceKind = RESOURCE_KINDS.get(segs[1]);
    if (segs.length === 2) return segs[1] === 'users' ? new PrincipalNode(path, 'users') : segs[1] === 'groups' ? new PrincipalNode(path, 'groups') : resourceKind ? new PrincipalNode(path, 'resources') : null;
    if (segs.length !== 3) return null;
    if (resourceKind) {
      const resource = await getResource(this.env, resourceKind, segs[2]);
      return resource ? new PrincipalNode(path, 'resource', null, null, resource) : null;
    }
    if (segs[1] === 'users') {
      const user = await getUser(this.env, segs[2]);
      return user ? new PrincipalNode(path, 'user', user) : null;
    }
    if (segs[1] === 'groups') {
      const group = await getGroup(this.env, segs[2]);
      return group ? new PrincipalNode(path, 'group', null, { id: group.id, displayName: group.displayName || group.id }) : null;
    }
    return null;
  }

  /** Lists oneself and one's own groups only: other principals are found by search, not enumerated. */
  async children(c: PrincipalNode): Promise<PrincipalNode[]> {
    switch (c.kind) {
      case 'root': return [new PrincipalNode('principals', 'principals')];
      case 'principals': return [new PrincipalNode('principals/users', 'users'), new PrincipalNode('principals/groups', 'groups')];
      case 'users': {
        const me = await getUser(this.env, this.me.id);
        return me ? [new PrincipalNode(`principals/users/${me.id}`, 'user', me)] : [];
      }
      case 'groups': {
        const ids = await listUserGroups(this.env, this.me.id);
        const groups = await Promise.all(ids.map((id) => getGroup(this.env, id)));
        return groups.filter((g) => g !== null).map((g) => new PrincipalNode(`principals/groups/${g.id}`, 'group', null, { id: g.id, displayName: g.displayName || g.id }));
      }
      default: return [];
    }
  }

  /** Whether a node is the caller's own principal (private properties answer only there). */
  isMe(node: PrincipalNode): boolean {
    return node.kind === 'user' && node.user?.id === this.me.id;
  }

  async deadProperties(): Promise<Map<string, Map<string, string>>> { return new Map(); }
  async patchDeadProperties(): Promise<void> { throw readOnly(); }
  async read(): Promise<ReadableStream<Uint8Array>> { throw new DavError(405, 'Principals have no content'); }
  async write(): Promise<never> { throw readOnly(); }
  async createCollection(): Promise<never> { throw readOnly(); }
  async delete(): Promise<void> { throw readOnly(); }
  async copy(): Promise<never> { throw readOnly(); }
  async move(): Promise<never> { throw readOnly(); }
}
