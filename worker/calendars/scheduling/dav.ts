import type { PropertyDef } from '../../dav/backend';
import { DavError } from '../../dav/errors';
import { clark, NS } from '../../dav/namespaces';
import { escapeXml } from '../../dav/xml';
import { CalendarNode, type CalendarsDavBackend } from '../dav-backend';
import { calendarHomeHref } from '../../principals/hrefs';
import { setDefaultCalendarResolver } from '../../principals/resources';
import { BIRTHDAY_URI, CalendarService } from '../service';
import { inboxObject, ScheduleInbox } from './inbox';

// The scheduling inbox and outbox of a calendar home (RFC 6638 §2.1, §2.2), at
// /remote.php/dav/calendars/{u}/inbox/ and outbox/ as Nextcloud lays them out. The inbox lists the
// iTIP messages delivered to the user (GET, DELETE); the outbox is empty and takes free-busy POSTs.

export const INBOX = 'inbox';
export const OUTBOX = 'outbox';

export const isSchedulingPath = (path: string) => path === INBOX || path === OUTBOX || path.startsWith(`${INBOX}/`) || path.startsWith(`${OUTBOX}/`);

export const SCHEDULING_RESOURCETYPES: Partial<Record<CalendarNode['kind'], string>> = {
  inbox: '<d:collection/><cal:schedule-inbox/>',
  outbox: '<d:collection/><cal:schedule-outbox/>',
};

export async function resolveScheduling(b: CalendarsDavBackend, path: string): Promise<CalendarNode | null> {
  if (path === INBOX) return new CalendarNode(INBOX, 'inbox');
  if (path === OUTBOX) return new CalendarNode(OUTBOX, 'outbox');
  const [box, name, ...rest] = path.split('/');
  if (box !== INBOX || !name || rest.length > 0) return null;
  const row = await new ScheduleInbox(b.service.env, b.owner).get(name);
  return row ? new CalendarNode(path, 'inbox-message', null, inboxObject(row)) : null;
}

export function schedulingBoxes(): CalendarNode[] {
  return [new CalendarNode(INBOX, 'inbox'), new CalendarNode(OUTBOX, 'outbox')];
}

export async function schedulingChildren(b: CalendarsDavBackend, node: CalendarNode): Promise<CalendarNode[]> {
  if (node.kind !== 'inbox') return [];
  return (await new ScheduleInbox(b.service.env, b.owner).list()).map((row) => new CalendarNode(`${INBOX}/${row.uri}`, 'inbox-message', null, inboxObject(row)));
}

/** DELETE in the boxes: a message leaves the inbox (the client processed it); the boxes themselves stay. */
export async function deleteScheduling(b: CalendarsDavBackend, node: CalendarNode): Promise<void> {
  if (node.kind !== 'inbox-message') throw new DavError(403, 'The scheduling inbox and outbox cannot be deleted');
  const inbox = new ScheduleInbox(b.service.env, b.owner);
  const row = await inbox.get(node.path.slice(INBOX.length + 1));
  if (row) await inbox.remove(row);
}

/** schedule-default-calendar-URL (RFC 6638 §9.2) on the inbox: where invitations land. */
export function schedulingProperties(b: CalendarsDavBackend): PropertyDef<CalendarNode>[] {
  return [{
    name: clark(NS.CALDAV, 'schedule-default-calendar-URL'),
    prepare: async (nodes) => (nodes.some((n) => n.kind === 'inbox') ? defaultCalendarUri(b) : null),
    get: (n, uri: string | null) => (n.kind === 'inbox' && uri ? `<d:href>${escapeXml(`${b.homeHref}${encodeURIComponent(uri)}/`)}</d:href>` : undefined),
  }];
}

// The principal's schedule-default-calendar-URL asks this module (principals must not import calendars/).
setDefaultCalendarResolver(async (env, user, now) => {
  const uri = await defaultCalendarUri({ service: new CalendarService(env, user, now) });
  return uri === null ? null : `${calendarHomeHref(user)}${encodeURIComponent(uri)}/`;
});

/** The user's first own calendar that takes events: invitations are placed there. */
export async function defaultCalendarUri(b: { service: { list(): Promise<{ uri: string; components: string; source: string | null }[]> } }): Promise<string | null> {
  return (await b.service.list()).find((c) => c.components.split(',').includes('VEVENT') && c.source === null && c.uri !== BIRTHDAY_URI)?.uri ?? null;
}
