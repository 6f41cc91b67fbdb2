import type { CollectionSpec, DavBackend, DavResource, PropertyDef, WriteOptions } from '../dav/backend';
import type { DavRequest } from '../dav/request';
import { DavError } from '../dav/errors';
import { MkcolRefused } from '../dav/methods/mkcol';
import { syncCollectionReport } from '../dav/methods/report';
import { dispatchXmlPost } from '../dav/methods/post';
import { clark, NS } from '../dav/namespaces';
import { parseCalendarObject } from './ical/index';
import { calendarProperties, parseCalendarField } from './dav-properties';
import { calendarReports } from './reports';
import { publishingPostHandlers } from './publishing';
import { BIRTHDAY_URI, MAX_OBJECT_BYTES, type CalendarFields, type CalendarRow, type CalendarService, type ObjectRow } from './service';
import { deletedCalendarNodes, purgeFromTrash, resolveTrash, restoreFromTrash, trashbinNode, trashChildren, TRASHBIN } from './trash';
import { createSubscription, isSubscriptionSpec } from './subscriptions';
import { deleteScheduling, isSchedulingPath, resolveScheduling, schedulingBoxes, schedulingChildren } from './scheduling/dav';
import type { Scheduler } from './scheduling/scheduler';
import { groupwareDavError, noLocks, parseSyncToken, readUtf8Body, syncToken } from '../dav/groupware';
import { calendarSharing, SHARED_MARK, type CalendarAccess } from './sharing';
import { DavShares } from '../dav-sharing/shares';

const CALDAV = (local: string) => clark(NS.CALDAV, local);

/** The calendar home (''), a calendar ('work'), or an object in it ('work/x.ics'). */
export class CalendarNode implements DavResource {
  constructor(
    readonly path: string,
    /** trashbin, trash-objects, trash-object, restore, deleted-calendar: the calendar trash bin (trash.ts). */
    readonly kind: 'home' | 'calendar' | 'object' | 'trashbin' | 'trash-objects' | 'trash-object' | 'restore' | 'deleted-calendar'
      /** inbox, outbox, inbox-message: the scheduling boxes (scheduling/dav.ts). */
      | 'inbox' | 'outbox' | 'inbox-message',
    readonly calendar: CalendarRow | null = null,
    readonly object: ObjectRow | null = null,
  ) {}
  get isCollection() { return this.kind !== 'object' && this.kind !== 'trash-object' && this.kind !== 'inbox-message'; }
  get etag() { return this.object?.etag ?? (this.calendar ? `${this.calendar.id}-${this.calendar.synctoken}` : 'calendar-home'); }
  get lastModifiedMs() { return this.object?.lastModified ?? this.calendar?.createdAt ?? 0; }
  get createdMs() { return this.object?.createdAt ?? this.calendar?.createdAt ?? 0; }
  get contentLength() { return this.object?.size ?? 0; }
  get contentType() {
    return this.object ? `text/calendar; charset=utf-8; component=${this.object.component.toLowerCase()}` : 'httpd/unix-directory';
  }
}

/** RFC 6578 sync tokens of calendars. */
export function syncTokenOf(cal: CalendarRow, n = cal.synctoken): string {
  return syncToken('sync', cal.id, n);
}

const toDav = (e: unknown, collectionHref: string) => groupwareDavError(e, collectionHref, NS.CALDAV);

/** A PUT may send text/calendar only (RFC 4791 §5.3.2 supported-calendar-data); a missing type is accepted. */
function checkContentType(type: string | null): void {
  if (type === null) return;
  const mime = type.split(';')[0].trim().toLowerCase();
  if (mime !== 'text/calendar' && mime !== 'application/octet-stream') {
    throw new DavError(415, 'Calendar objects must be text/calendar', { condition: CALDAV('supported-calendar-data') });
  }
}

/** Status of each CalDAV precondition a parse can fail (RFC 4791 §5.3.2.1). */
/** Subscriptions and the birthday calendar are generated: clients read them, never write their objects. */
export function isReadOnly(cal: CalendarRow): boolean {
  return cal.source !== null || cal.uri === BIRTHDAY_URI;
}

/** Names in the home that are not the user's to create (trash bin, birthdays, scheduling boxes). */
const RESERVED = new Set([TRASHBIN, BIRTHDAY_URI, 'inbox', 'outbox']);

const needPrivileges = (message: string) => new DavError(403, message, { condition: clark(NS.DAV, 'need-privileges') });

const PRECONDITION_STATUS: Record<string, number> = {
  'valid-calendar-data': 400, 'valid-calendar-object-resource': 403, 'supported-calendar-component': 403, 'max-resource-size': 403,
};

/**
 * The DAV backend of `/remote.php/dav/calendars/{user}/`: the home lists the user's calendars
 * (creating "Personal" on first use); calendars are created by extended MKCOL (or MKCALENDAR),
 * changed by PROPPATCH, deleted by DELETE; objects are PUT/GET/DELETE with ETag preconditions.
 */
export class CalendarsDavBackend implements DavBackend<CalendarNode> {
  readonly properties: readonly PropertyDef<CalendarNode, any>[];
  readonly reports;
  readonly locks = noLocks('Calendars');
  readonly davClasses = ['access-control', 'calendar-access'];
  /** PROPPATCH stages validated values here; patchDeadProperties (called last) writes them at once. */
  readonly staged = new Map<number, CalendarFields>();

  constructor(readonly service: CalendarService, readonly owner: string, readonly homeHref: string, readonly scheduler: Scheduler | null = null) {
    this.properties = calendarProperties(this);
    this.postHandlers = new Map([...publishingPostHandlers(this), ...calendarSharing.postHandlers(this)]);
    this.reports = [
      ...calendarReports(this),
      syncCollectionReport<CalendarNode>({
        changesSince: async (node, token, limit) => {
          const cal = node.calendar!;
          const since = token === null ? null : parseSyncToken('sync', cal.id, token);
          if (token !== null && since === null) return null;
          const changes = await this.service.changesSince(cal, since, limit ?? 1000);
          if (!changes) return null;
          return {
            token: syncTokenOf(cal, changes.token),
            changed: changes.changed.map((o) => this.objectNode(cal, o)),
            removed: changes.removed.map((uri) => this.objectPath(cal, uri)),
            truncated: changes.truncated,
          };
        },
      }, (n) => n.kind === 'calendar'),
    ];
  }

  /** Where an object lives below the mount (the public read-only view mounts one calendar at its root). */
  objectPath(cal: CalendarRow, uri: string): string {
    return `${cal.uri}/${uri}`;
  }

  objectNode(cal: CalendarRow, o: ObjectRow): CalendarNode {
    return new CalendarNode(this.objectPath(cal, o.uri), 'object', cal, o);
  }

  /** Calendars shared with this user (sharing.ts), loaded once per request when first needed. */
  private received: Promise<Map<string, { cal: CalendarRow; access: CalendarAccess }>> | null = null;

  /** POST bodies by root element: calendarserver publish/unpublish and the share requests. */
  readonly postHandlers;

  /** The shared calendars of this user's home, by their URI there (`{uri}_shared_by_{owner}`). */
  sharedWithMe(): Promise<Map<string, { cal: CalendarRow; access: CalendarAccess }>> {
    return (this.received ??= calendarSharing.received(this.service.env, this.owner));
  }

  /** The user's access to a calendar: 'owner', or what a share grants. */
  async accessTo(cal: CalendarRow): Promise<CalendarAccess> {
    if (cal.owner === this.owner) return 'owner';
    for (const shared of (await this.sharedWithMe()).values()) if (shared.cal.id === cal.id) return shared.access;
    return 'read';
  }

  /** A calendar of the home by URI: the user's own, or one shared with them. */
  async calendarAt(uri: string): Promise<CalendarRow | null> {
    const own = await this.service.get(uri);
    if (own || !uri.includes(SHARED_MARK)) return own;
    return (await this.sharedWithMe()).get(uri)?.cal ?? null;
  }

  /** Refuses a change of objects where the user may only read (generated calendars, read-only shares). */
  private async assertWritable(cal: CalendarRow): Promise<void> {
    if (isReadOnly(cal)) throw needPrivileges('This calendar is read-only');
    if (await this.accessTo(cal) === 'read') throw needPrivileges('This calendar is shared with you read-only');
  }

  /** POST on a calendar: an XML body whose root element names the request (SabreDAV's method:POST plugins). */
  async post(r: DavRequest<CalendarNode>, target: CalendarNode): Promise<Response> {
    if (target.kind === 'outbox' && this.scheduler) return this.scheduler.outboxPost(r.req);
    return dispatchXmlPost(r, target, this.postHandlers);
  }

  async resolve(path: string): Promise<CalendarNode | null> {
    if (path === '') return new CalendarNode('', 'home');
    if (path === TRASHBIN || path.startsWith(`${TRASHBIN}/`)) return resolveTrash(this.service, path);
    if (this.scheduler && isSchedulingPath(path)) return resolveScheduling(this, path);
    const [uri, name, ...rest] = path.split('/');
    if (rest.length > 0) return null;
    const cal = await this.calendarAt(uri);
    if (!cal) {
      const trashed = name === undefined ? await this.service.trashedCalendar(uri) : null;
      return trashed ? new CalendarNode(uri, 'deleted-calendar', trashed) : null;
    }
    if (name === undefined) return new CalendarNode(uri, 'calendar', cal);
    const obj = await this.service.object(cal, name);
    return obj ? this.objectNode(cal, obj) : null;
  }

  async children(c: CalendarNode): Promise<CalendarNode[]> {
    if (c.kind === 'home') {
      const live = (await this.service.list()).map((cal) => new CalendarNode(cal.uri, 'calendar', cal));
      const shared = [...(await this.sharedWithMe()).values()].map(({ cal }) => new CalendarNode(cal.uri, 'calendar', cal));
      return [...live, ...shared, trashbinNode(), ...(this.scheduler ? schedulingBoxes() : []), ...await deletedCalendarNodes(this.service)];
    }
    if (c.kind === 'calendar') return (await this.service.objects(c.calendar!)).map((o) => this.objectNode(c.calendar!, o));
    if (c.kind === 'inbox' || c.kind === 'outbox') return schedulingChildren(this, c);
    return trashChildren(this.service, c);
  }

  async deadProperties(): Promise<Map<string, Map<string, string>>> { return new Map(); }

  async patchDeadProperties(resource: CalendarNode, set: Map<string, string>, remove: string[]): Promise<void> {
    const staged = resource.calendar ? this.staged.get(resource.calendar.id) : undefined;
    if (set.size > 0 || remove.length > 0) throw new DavError(403, 'Only the documented calendar properties can be set');
    if (!staged || !resource.calendar) return;
    if (resource.calendar.owner === this.owner) return this.service.update(resource.calendar, staged);
    // A sharee renames, recolours and reorders their own view only; the rest is the owner's.
    if (Object.keys(staged).some((k) => k !== 'displayname' && k !== 'color' && k !== 'order')) throw needPrivileges('Only the owner changes this property of a shared calendar');
    await new DavShares(this.service.env, 'calendar', this.service.now).setView(resource.calendar.id, this.owner, { ...staged });
  }

  async read(resource: CalendarNode): Promise<ReadableStream<Uint8Array>> {
    if (!resource.object) throw new DavError(405, 'Collections have no content');
    return new Response(resource.object.data).body!;
  }

  async write(path: string, body: ReadableStream<Uint8Array> | null, opts: WriteOptions): Promise<{ resource: CalendarNode; created: boolean; transformed?: boolean }> {
    const [uri, name, ...rest] = path.split('/');
    if (name === undefined || rest.length > 0) throw new DavError(403, 'Only calendar objects can be stored, inside a calendar');
    if (isSchedulingPath(path)) throw new DavError(403, 'The scheduling inbox and outbox take no PUT: the server delivers to them');
    const cal = await this.calendarAt(uri);
    if (!cal) throw new DavError(409, 'The calendar does not exist');
    await this.assertWritable(cal);
    checkContentType(opts.contentType);
    if (opts.length !== null && opts.length > MAX_OBJECT_BYTES) {
      throw new DavError(403, `The object is larger than ${MAX_OBJECT_BYTES} bytes`, { condition: CALDAV('max-resource-size') });
    }
    const text = await readUtf8Body(body, MAX_OBJECT_BYTES, NS.CALDAV, 'valid-calendar-data', 'object');
    const parsed = parseCalendarObject(text, { maxBytes: MAX_OBJECT_BYTES, allowed: cal.components.split(',') as never });
    if (!parsed.ok) throw new DavError(PRECONDITION_STATUS[parsed.precondition] ?? 400, parsed.message, { condition: CALDAV(parsed.precondition) });
    const existing = await this.service.object(cal, name);
    try {
      // Implicit scheduling (RFC 6638 §3.2): the organizer's copy may gain SCHEDULE-STATUS / room PARTSTATs.
      // Only the owner's writes schedule: a sharee's edit sends no invitations.
      const scheduling = this.scheduler && cal.owner === this.owner ? await this.scheduler.beforePut(existing, text) : null;
      const stored = scheduling?.text ?? text;
      const { row, created } = await this.service.put(cal, name, stored, parsed.info, existing, opts.expectEtag);
      if (scheduling) await this.scheduler!.runAfter(scheduling.after);
      return { resource: this.objectNode(cal, row), created, transformed: stored !== text };
    } catch (e) {
      throw toDav(e, `${this.homeHref}${encodeURIComponent(cal.uri)}/`);
    }
  }

  async createCollection(): Promise<never> {
    throw new DavError(403, 'Only calendars can be created here: use extended MKCOL with a calendar resourcetype', { condition: 'valid-resourcetype' });
  }

  async createExtendedCollection(path: string, spec: CollectionSpec): Promise<CalendarNode> {
    if (path.includes('/')) throw new DavError(403, 'Calendars can only be created in the calendar home', { condition: 'valid-resourcetype' });
    if (RESERVED.has(path) || /-deleted-\d+$/.test(path) || path.includes(SHARED_MARK)) throw new DavError(403, 'This name is reserved', { condition: 'valid-resourcetype' });
    if (isSubscriptionSpec(spec)) return createSubscription(this, path, spec);
    const types = new Set(spec.resourceTypes);
    if (!types.has(CALDAV('calendar')) || ![...types].every((t) => t === CALDAV('calendar') || t === clark(NS.DAV, 'collection'))) {
      throw new DavError(403, 'Only calendar collections can be created here', { condition: 'valid-resourcetype' });
    }
    const fields: CalendarFields = {};
    const failed = new Map<string, string>();
    for (const [name, el] of spec.props) {
      const r = parseCalendarField(name, el, true);
      if (r === 'ignored') continue;
      if (r === null) failed.set(name, 'not settable');
      else Object.assign(fields, r);
    }
    if (failed.size > 0) throw new MkcolRefused(failed);
    try {
      return new CalendarNode(path, 'calendar', await this.service.create(path, fields));
    } catch (e) {
      throw toDav(e, this.homeHref);
    }
  }

  async delete(resource: CalendarNode): Promise<void> {
    try {
      if (resource.kind === 'calendar') {
        const cal = resource.calendar!;
        // DELETE of a calendar shared with me is "unshare from me"; the owner's calendar stays.
        if (cal.owner !== this.owner) return await new DavShares(this.service.env, 'calendar', this.service.now).leave(cal.id, this.owner);
        if (cal.uri === BIRTHDAY_URI) throw new DavError(403, 'The birthday calendar is generated from contacts');
        await this.service.remove(cal);
      } else if (resource.kind === 'object') {
        await this.assertWritable(resource.calendar!);
        await this.service.deleteObject(resource.calendar!, resource.object!);
        if (this.scheduler && resource.calendar!.owner === this.owner) await this.scheduler.runAfter(() => this.scheduler!.afterDelete(resource.object!));
      } else if (resource.kind === 'inbox' || resource.kind === 'outbox' || resource.kind === 'inbox-message') {
        await deleteScheduling(this, resource);
      } else if (resource.kind === 'home') throw new DavError(403, 'The calendar home cannot be deleted');
      else await purgeFromTrash(this.service, resource);
    } catch (e) {
      throw toDav(e, this.homeHref);
    }
  }

  async copy(): Promise<never> { throw new DavError(403, 'COPY is not supported for calendars'); }
  /** MOVE restores from the trash bin (into trashbin/restore/, as Nextcloud's clients do); nothing else moves. */
  async move(source: CalendarNode, dest: string): Promise<CalendarNode> { return restoreFromTrash(this.service, source, dest); }
}
