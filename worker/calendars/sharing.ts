/**
 * Calendars shared with users and groups (worker/dav-sharing/ does the work for both kinds).
 * A calendar shared with me appears in my calendar home as `{uri}_shared_by_{owner}`, Nextcloud's
 * name for it, with my own display name, colour and order when I set them.
 */
import { and, inArray, isNull } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { calendars } from '../../schema';
import { sharePostHandlers, sharingProperties, type SharingAdapter } from '../dav-sharing/dav';
import { DavShares, type Access } from '../dav-sharing/shares';
import type { CalendarNode, CalendarsDavBackend } from './dav-backend';
import { BIRTHDAY_URI, type CalendarRow } from './service';

export { SHARED_MARK } from '../dav-sharing/alias';
export type CalendarAccess = 'owner' | Access;

/** Why a calendar can never be shared (it is generated from data held elsewhere), or null. */
export function calendarShareRefusal(cal: CalendarRow): string | null {
  return cal.source !== null || cal.uri === BIRTHDAY_URI ? 'Subscriptions and the birthday calendar cannot be shared' : null;
}

const adapter: SharingAdapter<CalendarNode> = {
  kind: 'calendar',
  collectionOf: (n) => (n.kind === 'calendar' && n.calendar ? { id: n.calendar.id, owner: n.calendar.owner } : null),
  unshareable: (n) => calendarShareRefusal(n.calendar!),
};

export const calendarSharing = {
  postHandlers: (b: CalendarsDavBackend) => sharePostHandlers(b.service.env, adapter),
  properties: (env: Env) => sharingProperties(env, adapter),

  /**
   * The live calendars shared with `user`, keyed by their URI in the user's home, each as a row
   * whose uri/displayname/color/order are the user's view (the id and owner stay the owner's).
   */
  async received(env: Env, user: string): Promise<Map<string, { cal: CalendarRow; access: CalendarAccess }>> {
    const rows = await new DavShares(env, 'calendar').receivedRows<CalendarRow>(
      user,
      (ids) => drizzle(env.DB).select().from(calendars).where(and(inArray(calendars.id, ids), isNull(calendars.deletedAt))),
      (row, view) => ({ displayname: view.displayname ?? row.displayname, color: view.color ?? row.color, order: view.order ?? row.order }),
    );
    return new Map([...rows].map(([uri, { row, access }]) => [uri, { cal: row, access }]));
  },
};
