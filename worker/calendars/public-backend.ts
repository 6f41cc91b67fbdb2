import type { PropertyDef } from '../dav/backend';
import { DavError } from '../dav/errors';
import { PUBLIC_PRIVILEGES } from '../dav/privileges';
import { clark, NS } from '../dav/namespaces';
import { CalendarNode, CalendarsDavBackend } from './dav-backend';
import { calendarProperties } from './dav-properties';
import type { CalendarRow, CalendarService } from './service';

const readOnly = () => new DavError(403, 'A published calendar is read-only');
/** Who the calendar is shared with is the owner's business, not the public's. */
const PRIVATE = new Set([clark(NS.OC, 'invite'), clark(NS.CS, 'invite'), clark(NS.CS, 'allowed-sharing-modes')]);

/**
 * The read-only view of one published calendar at `/remote.php/dav/public-calendars/{token}/`:
 * the calendar is the mount root, its objects are below it. Reads reuse the calendar backend
 * (PROPFIND, GET, calendar-query, multiget, sync-collection); every write is a 403.
 */
export class PublicCalendarBackend extends CalendarsDavBackend {
  override readonly properties: readonly PropertyDef<CalendarNode, any>[];

  constructor(service: CalendarService, readonly published: CalendarRow, mountHref: string) {
    super(service, published.owner, `${mountHref}/`);
    // Everything protected (PROPPATCH → 403 per property); the anonymous caller may only read.
    this.properties = calendarProperties(this).filter((p) => !PRIVATE.has(p.name)).map((p): PropertyDef<CalendarNode, any> => {
      if (p.name === clark(NS.DAV, 'current-user-privilege-set')) return { name: p.name, get: () => PUBLIC_PRIVILEGES };
      if (p.name === clark(NS.DAV, 'current-user-principal')) return { name: p.name, get: () => '<d:unauthenticated/>' };
      return { name: p.name, inAllprop: p.inAllprop, prepare: p.prepare, get: p.get };
    });
  }

  override objectPath(_cal: CalendarRow, uri: string): string {
    return uri;
  }

  override async resolve(path: string): Promise<CalendarNode | null> {
    if (path === '') return new CalendarNode('', 'calendar', this.published);
    if (path.includes('/')) return null;
    const obj = await this.service.object(this.published, path);
    return obj ? this.objectNode(this.published, obj) : null;
  }

  override async children(c: CalendarNode): Promise<CalendarNode[]> {
    if (c.kind !== 'calendar') return [];
    return (await this.service.objects(this.published)).map((o) => this.objectNode(this.published, o));
  }

  override async patchDeadProperties(): Promise<never> { throw readOnly(); }
  override async write(): Promise<never> { throw readOnly(); }
  override async createExtendedCollection(): Promise<never> { throw readOnly(); }
  override async createCollection(): Promise<never> { throw readOnly(); }
  override async delete(): Promise<never> { throw readOnly(); }
  override async post(): Promise<never> { throw readOnly(); }
}
