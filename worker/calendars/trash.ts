import { drizzle } from 'drizzle-orm/d1';
import { and, isNotNull, lt } from 'drizzle-orm';
import { calendarObjects, calendars } from '../../schema';
import type { PropertyDef } from '../dav/backend';
import { DavError } from '../dav/errors';
import { clark, NS } from '../dav/namespaces';
import { escapeXml } from '../dav/xml';
import { AlreadyExists, NotFound } from '../errors';
import { CalendarNode } from './dav-backend';
import type { CalendarService } from './service';

// The calendar trash bin, laid out as Nextcloud's CalDAV trashbin plugin exposes it (and its web
// calendar reads it): `trashbin/` (resourcetype nc:trash-bin, nc:trash-bin-retention-duration),
// `trashbin/objects/{id}.ics` for objects deleted one by one (nc:calendar-uri, nc:deleted-at),
// deleted calendars in the calendar home itself as `{uri}-deleted-{ms}` (nc:deleted-calendar,
// nc:deleted-at), restore = MOVE of either into `trashbin/restore/…`, DELETE = gone for good.

export const TRASHBIN = 'trashbin';
const DAY_MS = 24 * 3600 * 1000;
const NC = (l: string) => clark(NS.NC_COM, l);

/** Retention in days: CALENDAR_TRASH_RETENTION_DAYS, 30 by default (Nextcloud's default too). */
export function retentionDays(env: Env): number {
  const n = Number((env as unknown as Record<string, unknown>).CALENDAR_TRASH_RETENTION_DAYS);
  return Number.isFinite(n) && n >= 1 ? n : 30;
}

export function trashbinNode(): CalendarNode { return new CalendarNode(TRASHBIN, 'trashbin'); }

/** Resolves `trashbin`, `trashbin/objects[/{id}.ics]`, `trashbin/restore`. */
export async function resolveTrash(service: CalendarService, path: string): Promise<CalendarNode | null> {
  const parts = path.split('/');
  if (parts.length === 1) return trashbinNode();
  if (parts.length === 2 && parts[1] === 'objects') return new CalendarNode(path, 'trash-objects');
  if (parts.length === 2 && parts[1] === 'restore') return new CalendarNode(path, 'restore');
  if (parts.length === 3 && parts[1] === 'objects') {
    const m = /^(\d+)\.ics$/.exec(parts[2]);
    const found = m ? await service.trashedObject(Number(m[1])) : null;
    return found ? new CalendarNode(path, 'trash-object', found.calendar, found.object) : null;
  }
  return null;
}

export async function trashChildren(service: CalendarService, node: CalendarNode): Promise<CalendarNode[]> {
  if (node.kind === 'trashbin') return [new CalendarNode(`${TRASHBIN}/objects`, 'trash-objects'), new CalendarNode(`${TRASHBIN}/restore`, 'restore')];
  if (node.kind === 'trash-objects') {
    return (await service.trashedObjects()).map(({ object, calendar }) => new CalendarNode(`${TRASHBIN}/objects/${object.id}.ics`, 'trash-object', calendar, object));
  }
  return [];
}

/** The trashed calendars, listed in the home next to the live ones. */
export async function deletedCalendarNodes(service: CalendarService): Promise<CalendarNode[]> {
  return (await service.trashedCalendars()).map((cal) => new CalendarNode(cal.uri, 'deleted-calendar', cal));
}

/** MOVE into `trashbin/restore/`: the only MOVE calendars accept. Conflicts are 409, as Nextcloud answers. */
export async function restoreFromTrash(service: CalendarService, source: CalendarNode, dest: string): Promise<CalendarNode> {
  if (!dest.startsWith(`${TRASHBIN}/restore/`) || (source.kind !== 'trash-object' && source.kind !== 'deleted-calendar')) {
    throw new DavError(403, 'Only trashed calendars and objects can be moved, into trashbin/restore/');
  }
  try {
    if (source.kind === 'deleted-calendar') {
      const row = await service.restoreCalendar(source.calendar!);
      return new CalendarNode(row.uri, 'calendar', row);
    }
    await service.restoreObject(source.calendar!, source.object!);
    return new CalendarNode(`${source.calendar!.uri}/${source.object!.uri}`, 'object', source.calendar, source.object);
  } catch (e) {
    if (e instanceof AlreadyExists) throw new DavError(409, e.message);
    if (e instanceof NotFound) throw new DavError(404, e.message);
    throw e;
  }
}

export async function purgeFromTrash(service: CalendarService, node: CalendarNode): Promise<void> {
  if (node.kind === 'trash-object') await service.purgeObject(node.object!);
  else if (node.kind === 'deleted-calendar') await service.purgeCalendar(node.calendar!);
  else throw new DavError(403, 'The trash bin itself cannot be deleted');
}

export const TRASH_RESOURCETYPES: Partial<Record<CalendarNode['kind'], string>> = {
  trashbin: '<d:collection/><x2:trash-bin/>',
  'trash-objects': '<d:collection/>',
  restore: '<d:collection/>',
  'deleted-calendar': '<d:collection/><x2:deleted-calendar/>',
};

const iso = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString() : undefined);

export function trashProperties(env: Env): PropertyDef<CalendarNode>[] {
  return [
    { name: NC('trash-bin-retention-duration'), get: (n) => (n.kind === 'trashbin' ? String(retentionDays(env) * 86400) : undefined) },
    {
      name: NC('deleted-at'),
      get: (n) => (n.kind === 'trash-object' ? iso(n.object!.deletedAt) : n.kind === 'deleted-calendar' ? iso(n.calendar!.deletedAt) : undefined),
    },
    { name: NC('calendar-uri'), get: (n) => (n.kind === 'trash-object' ? escapeXml(n.calendar!.uri) : undefined) },
  ];
}

/** Cron job: deletes for good what sat in the trash longer than the retention (objects and calendars). */
export async function purgeCalendarTrash(env: Env, now: Date): Promise<void> {
  const cutoff = now.getTime() - retentionDays(env) * DAY_MS;
  const db = drizzle(env.DB);
  await db.delete(calendarObjects).where(and(isNotNull(calendarObjects.deletedAt), lt(calendarObjects.deletedAt, cutoff)));
  // Objects and change log of a purged calendar go with it (foreign keys cascade).
  await db.delete(calendars).where(and(isNotNull(calendars.deletedAt), lt(calendars.deletedAt, cutoff)));
}
