import ICAL from 'ical.js';

// iTIP (RFC 5546) on calendar objects, with ical.js: who organizes and attends, PARTSTAT and
// SCHEDULE-STATUS edits, and the REQUEST / REPLY / CANCEL messages built from a stored object.
// Pure functions: no D1, no DAV.

export type ItipMethod = 'REQUEST' | 'REPLY' | 'CANCEL';

export interface Attendee {
  /** Normalized calendar address (lower-case `mailto:` e-mail, or a URL as written). */
  address: string;
  partstat: string;
  cutype: string;
  /** SCHEDULE-AGENT=CLIENT: the client schedules this attendee itself (RFC 6638 §7.1), we don't. */
  clientScheduled: boolean;
}

export interface SchedulingInfo {
  uid: string;
  organizer: string | null;
  /** Attendees over all instances (first occurrence of each address wins). */
  attendees: Attendee[];
  summary: string | null;
  sequence: number;
}

/** `mailto:` addresses compare case-insensitively; other URIs as written. */
export function normalizeAddress(value: string): string {
  const v = value.trim();
  return /^mailto:/i.test(v) ? 'mailto:' + v.slice(7).toLowerCase() : v;
}

/** The e-mail of a `mailto:` address, or null. */
export function emailOf(address: string): string | null {
  return /^mailto:/i.test(address) ? address.slice(7) : null;
}

function parse(text: string): ICAL.Component {
  return new ICAL.Component(ICAL.parse(text));
}

/** The scheduling components (VEVENT/VTODO) of an object, master and overridden instances. */
function schedulable(cal: ICAL.Component): ICAL.Component[] {
  return [...cal.getAllSubcomponents('vevent'), ...cal.getAllSubcomponents('vtodo')];
}

const addressOf = (p: ICAL.Property) => normalizeAddress(String(p.getFirstValue() ?? ''));
const recurrenceKey = (c: ICAL.Component) => String(c.getFirstPropertyValue('recurrence-id') ?? '');

export function schedulingInfo(text: string): SchedulingInfo {
  const comps = schedulable(parse(text));
  const attendees = new Map<string, Attendee>();
  let organizer: string | null = null;
  for (const c of comps) {
    const org = c.getFirstProperty('organizer');
    if (org && organizer === null) organizer = addressOf(org);
    for (const p of c.getAllProperties('attendee')) {
      const address = addressOf(p);
      if (!address || attendees.has(address)) continue;
      attendees.set(address, {
        address,
        partstat: String(p.getParameter('partstat') ?? 'NEEDS-ACTION').toUpperCase(),
        cutype: String(p.getParameter('cutype') ?? 'INDIVIDUAL').toUpperCase(),
        clientScheduled: String(p.getParameter('schedule-agent') ?? '').toUpperCase() === 'CLIENT',
      });
    }
  }
  const first = comps[0];
  return {
    uid: String(first?.getFirstPropertyValue('uid') ?? ''),
    organizer,
    attendees: [...attendees.values()],
    summary: first?.getFirstPropertyValue('summary') ? String(first.getFirstPropertyValue('summary')) : null,
    sequence: Number(first?.getFirstPropertyValue('sequence') ?? 0) || 0,
  };
}

/** Sets parameters on every ATTENDEE line of `address` (null removes the parameter). */
export function setAttendeeParams(text: string, changes: Map<string, Record<string, string | null>>): string {
  const cal = parse(text);
  for (const c of schedulable(cal)) {
    for (const p of c.getAllProperties('attendee')) {
      const params = changes.get(addressOf(p));
      if (!params) continue;
      for (const [k, v] of Object.entries(params)) {
        if (v === null) p.removeParameter(k);
        else p.setParameter(k, v);
      }
    }
  }
  return cal.toString();
}

/** The object as an attendee's copy: no METHOD, no server-managed scheduling parameters. */
export function attendeeCopy(text: string): string {
  const cal = parse(text);
  cal.removeAllProperties('method');
  for (const c of schedulable(cal)) {
    for (const p of [...c.getAllProperties('attendee'), ...c.getAllProperties('organizer')]) {
      p.removeParameter('schedule-status');
      p.removeParameter('schedule-force-send');
    }
  }
  return cal.toString();
}

/** The object as an iTIP message of `method` (RFC 5546 §3.2). */
export function asMessage(text: string, method: ItipMethod, now: number): string {
  const cal = parse(attendeeCopy(text));
  cal.updatePropertyWithValue('method', method);
  const stamp = ICAL.Time.fromJSDate(new Date(now), true);
  for (const c of schedulable(cal)) {
    c.updatePropertyWithValue('dtstamp', stamp);
    if (method === 'CANCEL') c.updatePropertyWithValue('status', 'CANCELLED');
    if (method !== 'REQUEST') for (const a of c.getAllSubcomponents('valarm')) c.removeSubcomponent(a);
  }
  return cal.toString();
}

/** A REPLY from `attendee` (RFC 5546 §3.2.3): each instance with the organizer and only that attendee. */
export function replyMessage(text: string, attendee: string, partstat: string | null, now: number): string {
  const cal = parse(asMessage(text, 'REPLY', now));
  for (const c of schedulable(cal)) {
    for (const p of c.getAllProperties('attendee')) {
      if (addressOf(p) !== attendee) c.removeProperty(p);
      else if (partstat) p.setParameter('partstat', partstat);
    }
  }
  return cal.toString();
}

/** PARTSTAT of `attendee` per instance (recurrence-id, '' for the master) in a message. */
export function partstatsOf(text: string, attendee: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of schedulable(parse(text))) {
    const p = c.getAllProperties('attendee').find((x) => addressOf(x) === attendee);
    if (p) out.set(recurrenceKey(c), String(p.getParameter('partstat') ?? 'NEEDS-ACTION').toUpperCase());
  }
  return out;
}

/** Applies a REPLY's PARTSTATs of `attendee` to the organizer's copy (per instance, the master's as fallback). */
export function applyReply(organizerText: string, attendee: string, partstats: Map<string, string>): string {
  const cal = parse(organizerText);
  for (const c of schedulable(cal)) {
    const value = partstats.get(recurrenceKey(c)) ?? partstats.get('');
    if (!value) continue;
    for (const p of c.getAllProperties('attendee')) {
      if (addressOf(p) !== attendee) continue;
      p.setParameter('partstat', value);
      p.setParameter('schedule-status', '2.0');
    }
  }
  return cal.toString();
}

/**
 * What an attendee cares about: the object without the parts that change on every round trip
 * (DTSTAMP, LAST-MODIFIED, PARTSTAT and SCHEDULE-STATUS). Equal fingerprints → send nothing again.
 */
export function significantFingerprint(text: string): string {
  const cal = parse(text);
  for (const c of schedulable(cal)) {
    c.removeAllProperties('dtstamp');
    c.removeAllProperties('last-modified');
    for (const p of c.getAllProperties('attendee')) { p.removeParameter('partstat'); p.removeParameter('schedule-status'); }
  }
  return cal.toString();
}
