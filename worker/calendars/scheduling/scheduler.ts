import { drizzle } from 'drizzle-orm/d1';
import { and, eq, isNull, ne, sql } from 'drizzle-orm';
import { calendarObjects, calendars, users } from '../../../schema';
import { getUser, userColumns, type UserRecord } from '../../accounts/users';
import { mailerFor, type Mailer } from '../../mail/index';
import { userPrincipalHref } from '../../principals/hrefs';
import { busyPeriods, parseCalendarObject } from '../ical/index';
import { BIRTHDAY_URI, CalendarService, type CalendarRow, type ObjectRow } from '../service';
import { ScheduleInbox } from './inbox';
import {
  applyReply, asMessage, attendeeCopy, emailOf, normalizeAddress, partstatsOf, replyMessage, schedulingInfo,
  setAttendeeParams, significantFingerprint, type ItipMethod, type SchedulingInfo,
} from './itip';
import { outboxPost } from './outbox';
import { book, resourceByEmail, unbook, type ResourceRow } from './resources';

// Implicit scheduling (RFC 6638 §3.2): the server sends iTIP messages when an organizer or an
// attendee stores or deletes a scheduling object, as SabreDAV's Schedule plugin does. Local users
// get the message in their inbox and the event in their calendar; rooms and resources decide at
// once; everyone else gets iMIP e-mail (RFC 6047) through worker/mail.

/** Who a calendar address is on this server. */
export type Recipient =
  | { kind: 'user'; user: UserRecord }
  | { kind: 'resource'; resource: ResourceRow }
  | { kind: 'external'; email: string }
  | { kind: 'unknown' };

/** RFC 6638 §3.2.9 SCHEDULE-STATUS codes we set on the organizer's ATTENDEE lines. */
const DELIVERED = '1.2', SENT = '1.1', INVALID_USER = '3.7';

const noop = async () => {};

/** The address form of a user principal href, when a client writes ATTENDEE:/remote.php/dav/principals/users/x/. */
const PRINCIPAL_HREF = /^(?:https?:\/\/[^/]+)?\/remote\.php\/dav\/principals\/users\/([^/]+)\/?$/;

export class Scheduler {
  private readonly mailer: Mailer;
  private meCache: Promise<UserRecord | null> | null = null;

  constructor(private readonly env: Env, readonly owner: string, private readonly now: number) {
    this.mailer = mailerFor(env);
  }

  /**
   * Runs the sends of a write that is already stored: a failed delivery must not turn the
   * organizer's successful PUT into an error (SabreDAV records it in SCHEDULE-STATUS instead).
   */
  async runAfter(after: () => Promise<void>): Promise<void> {
    try {
      await after();
    } catch (e) {
      console.error('scheduling delivery failed', e);
    }
  }

  /** POST to the outbox: free-busy (outbox.ts). */
  outboxPost(request: Request): Promise<Response> {
    return outboxPost(this.env, this.owner, request, this.now);
  }

  private me(): Promise<UserRecord | null> {
    return (this.meCache ??= getUser(this.env, this.owner));
  }

  /** The calendar user addresses of a user (calendar-user-address-set): mailto:email and the principal href. */
  static addressesOf(user: UserRecord): Set<string> {
    const out = new Set<string>([userPrincipalHref(user.id)]);
    if (user.email) out.add(normalizeAddress(`mailto:${user.email}`));
    return out;
  }

  async resolve(address: string): Promise<Recipient> {
    const href = PRINCIPAL_HREF.exec(address);
    if (href) {
      const user = await getUser(this.env, decodeURIComponent(href[1]));
      return user?.enabled ? { kind: 'user', user } : { kind: 'unknown' };
    }
    const email = emailOf(address);
    if (!email) return { kind: 'unknown' };
    const user = await drizzle(this.env.DB).select(userColumns).from(users).where(sql`lower(${users.email}) = ${email.toLowerCase()}`).get();
    if (user) return user.enabled ? { kind: 'user', user } : { kind: 'unknown' };
    const resource = await resourceByEmail(this.env, email);
    if (resource) return { kind: 'resource', resource };
    return { kind: 'external', email };
  }

  /**
   * Called before the owner stores `text` (replacing `existing`) in `cal`: returns the text to
   * store (the organizer's copy gains SCHEDULE-STATUS, rooms' PARTSTAT) and what to send once it
   * is stored. Only the organizer sends requests; an attendee's change of PARTSTAT sends a REPLY;
   * an object whose ORGANIZER is someone else's address sends nothing on their behalf.
   */
  async beforePut(existing: ObjectRow | null, text: string): Promise<{ text: string; after: () => Promise<void> }> {
    const next = schedulingInfo(text);
    const prev = existing ? schedulingInfo(existing.data) : null;
    if (!next.organizer || (next.attendees.length === 0 && (prev?.attendees.length ?? 0) === 0)) return { text, after: noop };
    const me = await this.me();
    if (!me) return { text, after: noop };
    const mine = Scheduler.addressesOf(me);
    if (mine.has(next.organizer)) return this.asOrganizer(me, mine, existing, prev, next, text);
    const myAddress = next.attendees.find((a) => mine.has(a.address))?.address;
    if (!myAddress || !existing || prev?.organizer !== next.organizer) return { text, after: noop };
    const before = partstatsOf(existing.data, myAddress);
    const after = partstatsOf(text, myAddress);
    const changed = [...after].some(([k, v]) => v !== (before.get(k) ?? before.get('') ?? 'NEEDS-ACTION'));
    if (!changed) return { text, after: noop };
    return { text, after: () => this.reply(me, myAddress, next, text, null) };
  }

  private async asOrganizer(me: UserRecord, mine: Set<string>, existing: ObjectRow | null, prev: SchedulingInfo | null, next: SchedulingInfo, text: string) {
    const targets = next.attendees.filter((a) => !mine.has(a.address) && !a.clientScheduled);
    const removed = prev && prev.organizer === next.organizer
      ? prev.attendees.filter((a) => !mine.has(a.address) && !a.clientScheduled && !next.attendees.some((b) => b.address === a.address)) : [];
    // Nothing an attendee would notice changed (e.g. the client re-saved after a reply): send nothing again.
    if (existing && removed.length === 0 && significantFingerprint(existing.data) === significantFingerprint(text)) return { text, after: noop };
    const params = new Map<string, Record<string, string | null>>();
    const recipients: { address: string; to: Recipient }[] = [];
    const parsed = parseCalendarObject(text);
    for (const a of targets) {
      const to = await this.resolve(a.address);
      if (to.kind === 'resource' && parsed.ok && parsed.info.firstStart !== null) {
        const span = eventSpan(text, parsed.info.firstStart, parsed.info.lastEnd);
        const status = await book(this.env, to.resource, { uid: next.uid, organizer: next.organizer!, ...span }, this.now);
        params.set(a.address, { partstat: status, 'schedule-status': DELIVERED });
      } else if (to.kind === 'user' || to.kind === 'resource') {
        params.set(a.address, { 'schedule-status': DELIVERED });
        recipients.push({ address: a.address, to });
      } else if (to.kind === 'external') {
        params.set(a.address, { 'schedule-status': SENT });
        recipients.push({ address: a.address, to });
      } else {
        params.set(a.address, { 'schedule-status': INVALID_USER });
      }
    }
    const stored = params.size > 0 ? setAttendeeParams(text, params) : text;
    const after = async () => {
      const request = asMessage(stored, 'REQUEST', this.now);
      for (const r of recipients) {
        if (r.to.kind === 'user') await this.deliverRequest(r.to.user, next.uid, stored, request, !existing);
        else if (r.to.kind === 'external') await this.mail(me, r.to.email, 'REQUEST', next, request);
      }
      if (removed.length > 0) await this.cancel(me, removed.map((a) => a.address), next, existing!.data);
    };
    return { text: stored, after };
  }

  /** After the owner deleted a scheduling object: the organizer cancels for everyone; an attendee declines. */
  async afterDelete(obj: ObjectRow): Promise<void> {
    const info = schedulingInfo(obj.data);
    if (!info.organizer || info.attendees.length === 0) return;
    const me = await this.me();
    if (!me) return;
    const mine = Scheduler.addressesOf(me);
    if (mine.has(info.organizer)) {
      await this.cancel(me, info.attendees.filter((a) => !mine.has(a.address) && !a.clientScheduled).map((a) => a.address), info, obj.data);
      return;
    }
    const myAddress = info.attendees.find((a) => mine.has(a.address))?.address;
    if (myAddress) await this.reply(me, myAddress, info, obj.data, 'DECLINED');
  }

  private async cancel(me: UserRecord, addresses: string[], info: SchedulingInfo, text: string): Promise<void> {
    const message = asMessage(text, 'CANCEL', this.now);
    for (const address of addresses) {
      const to = await this.resolve(address);
      if (to.kind === 'user') await this.deliverCancel(to.user, info.uid, message);
      else if (to.kind === 'resource') await unbook(this.env, to.resource, info.uid);
      else if (to.kind === 'external') await this.mail(me, to.email, 'CANCEL', info, message);
    }
  }

  /** Sends `attendee`'s REPLY to the organizer: a local organizer's copy is updated, others get iMIP. */
  private async reply(me: UserRecord, attendee: string, info: SchedulingInfo, text: string, partstat: string | null): Promise<void> {
    const message = replyMessage(text, attendee, partstat, this.now);
    const to = await this.resolve(info.organizer!);
    if (to.kind === 'external') return this.mail(me, to.email, 'REPLY', info, message);
    if (to.kind !== 'user') return;
    const found = await findByUid(this.env, to.user.id, info.uid, this.now);
    // Only the organizer's own copy takes replies (the ORGANIZER there must be one of their addresses),
    // and only from someone it invited: anyone else's "reply" is dropped, not even put in the inbox.
    if (!found) return;
    const theirs = schedulingInfo(found.obj.data);
    if (!Scheduler.addressesOf(to.user).has(theirs.organizer ?? '') || !theirs.attendees.some((a) => a.address === attendee)) return;
    await new ScheduleInbox(this.env, to.user.id).deliver(info.uid, 'REPLY', message, this.now);
    const updated = applyReply(found.obj.data, attendee, partstatsOf(message, attendee));
    await storeCopy(found.service, found.cal, found.obj.uri, updated, found.obj);
  }

  /** A REQUEST to a local attendee: into their inbox, and the event into their calendar (new: PARTSTAT=NEEDS-ACTION). */
  private async deliverRequest(user: UserRecord, uid: string, organizerCopy: string, message: string, isNew: boolean): Promise<void> {
    await new ScheduleInbox(this.env, user.id).deliver(uid, 'REQUEST', message, this.now);
    let copy = attendeeCopy(organizerCopy);
    const found = await findByUid(this.env, user.id, uid, this.now);
    if (!found || isNew) {
      const reset = new Map([...Scheduler.addressesOf(user)].map((a) => [a, { partstat: 'NEEDS-ACTION', rsvp: 'TRUE' } as Record<string, string | null>]));
      copy = setAttendeeParams(copy, reset);
    }
    if (found) return storeCopy(found.service, found.cal, found.obj.uri, copy, found.obj);
    const service = new CalendarService(this.env, user.id, this.now);
    const cal = (await service.list()).find((c) => c.components.split(',').includes('VEVENT') && c.source === null && c.uri !== BIRTHDAY_URI);
    if (cal) await storeCopy(service, cal, `${crypto.randomUUID()}.ics`, copy, null);
  }

  /** A CANCEL to a local attendee: into their inbox, and their copy of the event is removed. */
  private async deliverCancel(user: UserRecord, uid: string, message: string): Promise<void> {
    await new ScheduleInbox(this.env, user.id).deliver(uid, 'CANCEL', message, this.now);
    const found = await findByUid(this.env, user.id, uid, this.now);
    if (found) await found.service.deleteObject(found.cal, found.obj);
  }

  /** An iMIP message (RFC 6047) through the mailer: one per recipient, as Nextcloud's IMipPlugin sends them. */
  private async mail(me: UserRecord, to: string, method: ItipMethod, info: SchedulingInfo, ics: string): Promise<void> {
    const title = info.summary ?? 'Untitled event';
    const subject = method === 'REQUEST' ? `Invitation: ${title}` : method === 'CANCEL' ? `Cancelled: ${title}` : `Re: ${title}`;
    const verb = method === 'REQUEST' ? 'invites you to' : method === 'CANCEL' ? 'has cancelled' : 'has replied to';
    await this.mailer.send({
      sender: me.id,
      from: me.email ? `${me.displayName} <${me.email}>` : `${me.displayName} <noreply@cumulus.invalid>`,
      to: [to], subject, text: `${me.displayName} ${verb} "${title}".`, calendar: { method, ics },
    }, this.now);
  }
}

/** The live object with this UID in any of the user's own calendars (not subscriptions). */
async function findByUid(env: Env, owner: string, uid: string, now: number): Promise<{ service: CalendarService; cal: CalendarRow; obj: ObjectRow } | null> {
  const row = await drizzle(env.DB).select({ cal: calendars, obj: calendarObjects }).from(calendarObjects)
    .innerJoin(calendars, eq(calendars.id, calendarObjects.calendarId))
    .where(and(eq(calendars.owner, owner), isNull(calendars.deletedAt), isNull(calendars.source), ne(calendars.uri, BIRTHDAY_URI), eq(calendarObjects.uid, uid), isNull(calendarObjects.deletedAt)))
    .get();
  return row ? { service: new CalendarService(env, owner, now), cal: row.cal, obj: row.obj } : null;
}

/** Stores a copy through the calendar service (change log, ETag guard); an unparsable copy is not stored. */
async function storeCopy(service: CalendarService, cal: CalendarRow, uri: string, text: string, existing: ObjectRow | null): Promise<void> {
  const parsed = parseCalendarObject(text, { allowed: cal.components.split(',') as never });
  if (!parsed.ok) return;
  await service.put(cal, uri, text, parsed.info, existing, existing ? existing.etag : null);
}

/**
 * The time an event occupies, for booking rooms: its busy periods (exact, so back-to-back events
 * don't collide), or the index bounds for endless recurrence.
 */
function eventSpan(text: string, firstStart: number, lastEnd: number | null): { start: number; end: number | null } {
  const horizon = lastEnd ?? firstStart + 2 * 365 * 86_400_000;
  const periods = busyPeriods([text], { start: firstStart, end: horizon });
  if (periods.length === 0) return { start: firstStart, end: lastEnd };
  return { start: Math.min(...periods.map((p) => p.start)), end: lastEnd === null ? null : Math.max(...periods.map((p) => p.end)) };
}
