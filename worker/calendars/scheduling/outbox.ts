import ICAL from 'ical.js';
import { DavError } from '../../dav/errors';
import { ROOT_XMLNS } from '../../dav/namespaces';
import { escapeXml } from '../../dav/xml';
import { busyPeriods, freeBusyCalendar, type BusyPeriod } from '../ical/index';
import { CalendarService } from '../service';
import { normalizeAddress } from './itip';
import { acceptedBookings } from './resources';
import { Scheduler } from './scheduler';

/** Largest free-busy request we read, and the longest range we answer (RFC 6638 leaves both to the server). */
const MAX_BODY = 64 * 1024;
const MAX_RANGE_MS = 400 * 86_400_000;
/** Most recipients one request may ask about. */
const MAX_RECIPIENTS = 50;

/**
 * POST to the scheduling outbox (RFC 6638 §5): a VFREEBUSY REQUEST whose ORGANIZER is the caller
 * asks for the busy time of its ATTENDEEs; the answer is a schedule-response with one VFREEBUSY
 * REPLY per recipient (local users from their calendars, rooms from their accepted bookings).
 * Other iTIP methods are sent implicitly by PUT (RFC 6638 §3.2), not through the outbox.
 */
export async function outboxPost(env: Env, owner: string, request: Request, now: number): Promise<Response> {
  const type = (request.headers.get('Content-Type') ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'text/calendar') throw new DavError(415, 'The outbox takes text/calendar', { condition: '{urn:ietf:params:xml:ns:caldav}supported-calendar-data' });
  const text = await request.text();
  if (text.length > MAX_BODY) throw new DavError(413, 'The free-busy request is too large');
  let cal: ICAL.Component;
  try {
    cal = new ICAL.Component(ICAL.parse(text));
  } catch {
    throw new DavError(400, 'The body is not valid iCalendar', { condition: '{urn:ietf:params:xml:ns:caldav}valid-calendar-data' });
  }
  const fb = cal.getFirstSubcomponent('vfreebusy');
  if (String(cal.getFirstPropertyValue('method') ?? '').toUpperCase() !== 'REQUEST' || !fb) {
    throw new DavError(400, 'Only VFREEBUSY requests (METHOD:REQUEST) can be posted to the outbox');
  }
  const start = fb.getFirstPropertyValue('dtstart') as ICAL.Time | null;
  const end = fb.getFirstPropertyValue('dtend') as ICAL.Time | null;
  const organizer = fb.getFirstPropertyValue('organizer');
  const attendees = fb.getAllProperties('attendee').map((p) => normalizeAddress(String(p.getFirstValue() ?? '')));
  if (!start || !end || !organizer || attendees.length === 0) throw new DavError(400, 'VFREEBUSY needs DTSTART, DTEND, ORGANIZER and ATTENDEE');
  if (attendees.length > MAX_RECIPIENTS) throw new DavError(400, `At most ${MAX_RECIPIENTS} recipients per request`);
  const range = { start: start.toJSDate().getTime(), end: end.toJSDate().getTime() };
  if (!(range.end > range.start) || range.end - range.start > MAX_RANGE_MS) throw new DavError(400, 'DTEND must follow DTSTART, at most 400 days later');
  const scheduler = new Scheduler(env, owner, now);
  const me = await scheduler.resolve(`/remote.php/dav/principals/users/${encodeURIComponent(owner)}/`);
  // RFC 6638 §5.1: the ORGANIZER must be one of the caller's own addresses.
  if (me.kind !== 'user' || !Scheduler.addressesOf(me.user).has(normalizeAddress(String(organizer)))) {
    throw new DavError(403, 'The ORGANIZER is not one of your calendar user addresses', { condition: '{urn:ietf:params:xml:ns:caldav}organizer-allowed' });
  }
  const parts: string[] = [];
  for (const address of attendees) {
    const to = await scheduler.resolve(address);
    let periods: BusyPeriod[] | null = null;
    if (to.kind === 'user') periods = await userBusy(env, to.user.id, range, now);
    else if (to.kind === 'resource') periods = (await acceptedBookings(env, to.resource, range)).map((p) => ({ ...p, type: 'BUSY' as const }));
    const recipient = `<cal:recipient><d:href>${escapeXml(address)}</d:href></cal:recipient>`;
    if (periods === null) {
      parts.push(`<cal:response>${recipient}<cal:request-status>3.7;Invalid calendar user</cal:request-status></cal:response>`);
      continue;
    }
    const reply = new ICAL.Component(ICAL.parse(freeBusyCalendar(periods, range, now)));
    reply.updatePropertyWithValue('method', 'REPLY');
    const vfb = reply.getFirstSubcomponent('vfreebusy')!;
    vfb.updatePropertyWithValue('organizer', String(organizer));
    vfb.updatePropertyWithValue('attendee', address);
    const uid = fb.getFirstPropertyValue('uid');
    if (uid) vfb.updatePropertyWithValue('uid', String(uid));
    parts.push(`<cal:response>${recipient}<cal:request-status>2.0;Success</cal:request-status>` +
      `<cal:calendar-data>${escapeXml(reply.toString())}</cal:calendar-data></cal:response>`);
  }
  return new Response(`<?xml version="1.0" encoding="utf-8"?>\n<cal:schedule-response${ROOT_XMLNS}>${parts.join('')}</cal:schedule-response>\n`, {
    status: 200, headers: { 'Content-Type': 'application/xml; charset=utf-8' },
  });
}

/** A user's busy time over all their own calendars (RFC 4791 §7.10 rules: OPAQUE, not CANCELLED). */
async function userBusy(env: Env, user: string, range: { start: number; end: number }, now: number): Promise<BusyPeriod[]> {
  const service = new CalendarService(env, user, now);
  const texts: string[] = [];
  for (const cal of await service.list()) {
    if (cal.source !== null) continue;
    for (const o of await service.candidates(cal, 'VEVENT', range)) texts.push(o.data);
  }
  return busyPeriods(texts, range);
}
