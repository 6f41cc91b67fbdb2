import { and, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { calendarResources } from '../../schema';
import { encodeRelativePath } from '../dav/paths';

// Rooms and resources as principals (calendar-user-type ROOM / RESOURCE). Their rows are written
// by the admin API and booked by scheduling in worker/calendars/scheduling/resources.ts.

export type ResourceRow = typeof calendarResources.$inferSelect;
export type ResourceKind = ResourceRow['kind'];

/** The principal collection of each kind (Nextcloud's layout). */
export const RESOURCE_COLLECTIONS: Record<ResourceKind, string> = { room: 'calendar-rooms', resource: 'calendar-resources' };
export const resourcePrincipalHref = (r: ResourceRow) => `/remote.php/dav/principals/${RESOURCE_COLLECTIONS[r.kind]}/${encodeRelativePath(r.id)}/`;

export async function getResource(env: Env, kind: ResourceKind, id: string): Promise<ResourceRow | null> {
  return (await drizzle(env.DB).select().from(calendarResources).where(and(eq(calendarResources.id, id), eq(calendarResources.kind, kind))).get()) ?? null;
}

/**
 * Where a user's invitations land (schedule-default-calendar-URL), answered by the calendar
 * module, which registers itself here (principals must not import calendars/).
 */
type DefaultCalendarResolver = (env: Env, user: string, now: number) => Promise<string | null>;
let defaultCalendarResolver: DefaultCalendarResolver = async () => null;
export function setDefaultCalendarResolver(fn: DefaultCalendarResolver): void { defaultCalendarResolver = fn; }
export function defaultCalendarHref(env: Env, user: string, now: number): Promise<string | null> { return defaultCalendarResolver(env, user, now); }
