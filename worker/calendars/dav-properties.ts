import type { PropertyDef } from '../dav/backend';
import { DavError } from '../dav/errors';
import { ALL_PRIVILEGES, READ_ONLY_PRIVILEGES } from '../dav/privileges';
import { supportedReportSet } from '../dav/methods/report';
import { clark, NS } from '../dav/namespaces';
import { elements, escapeXml, textOf, type XmlElement } from '../dav/xml';
import { userPrincipalHref } from '../principals/hrefs';
import type { CalendarComponent } from './ical/index';
import { isReadOnly, syncTokenOf, type CalendarNode, type CalendarsDavBackend } from './dav-backend';
import { ALL_COMPONENTS, MAX_OBJECT_BYTES, type CalendarFields } from './service';
import { publishingProperties } from './publishing';
import { calendarSharing } from './sharing';
import { subscriptionProperties } from './subscriptions';
import { TRASH_RESOURCETYPES, trashProperties } from './trash';
import { SCHEDULING_RESOURCETYPES, schedulingProperties } from './scheduling/dav';

const CAL = (l: string) => clark(NS.CALDAV, l);
const DISPLAYNAME = clark(NS.DAV, 'displayname');
const COLOR = clark(NS.APPLE, 'calendar-color');
const ORDER = clark(NS.APPLE, 'calendar-order');
const DESCRIPTION = CAL('calendar-description');
const TIMEZONE = CAL('calendar-timezone');
const COMPONENTS = CAL('supported-calendar-component-set');
/** Accepted at creation and on PROPPATCH but not stored (every calendar is opaque for now). */
const IGNORED = new Set([CAL('schedule-calendar-transp')]);

/** Longest display name or description we keep. */
const MAX_TEXT = 1000;

function text(el: XmlElement | null, max = MAX_TEXT): string | null {
  if (el === null) return null;
  const v = textOf(el).trim();
  if (v.length > max) throw new DavError(400, 'Property value too long');
  return v;
}

/**
 * Parses one client-settable calendar property into fields: null when the property cannot be set
 * (at creation, `supported-calendar-component-set` can), 'ignored' when accepted without effect.
 * Throws DavError for a malformed value.
 */
export function parseCalendarField(name: string, el: XmlElement | null, atCreation: boolean): CalendarFields | 'ignored' | null {
  if (IGNORED.has(name)) return 'ignored';
  switch (name) {
    case DISPLAYNAME: return { displayname: text(el) };
    case DESCRIPTION: return { description: text(el) };
    case COLOR: {
      const v = text(el);
      if (v !== null && v !== '' && !/^#[0-9a-f]{6}(?:[0-9a-f]{2})?$/i.test(v)) throw new DavError(400, 'calendar-color must be #RRGGBB or #RRGGBBAA');
      return { color: v || null };
    }
    case ORDER: {
      const v = text(el);
      if (v !== null && !/^-?\d{1,9}$/.test(v)) throw new DavError(400, 'calendar-order must be an integer');
      return { order: v === null ? 0 : Number(v) };
    }
    case TIMEZONE: {
      const v = text(el, 64 * 1024);
      if (v && !/BEGIN:VCALENDAR[\s\S]*BEGIN:VTIMEZONE[\s\S]*END:VTIMEZONE[\s\S]*END:VCALENDAR/.test(v)) {
        throw new DavError(403, 'calendar-timezone must be a VCALENDAR with a VTIMEZONE', { condition: CAL('valid-calendar-data') });
      }
      return { timezone: v || null };
    }
    case COMPONENTS: {
      if (!atCreation || el === null) return null;
      const comps = elements(el).filter((c) => c.ns === NS.CALDAV && c.local === 'comp')
        .map((c) => (c.attrs.find((a) => a.local === 'name')?.value ?? '').toUpperCase());
      if (comps.length === 0 || !comps.every((c) => (ALL_COMPONENTS as string[]).includes(c))) {
        throw new DavError(403, 'Supported components are VEVENT, VTODO and VJOURNAL', { condition: CAL('supported-calendar-component') });
      }
      return { components: [...new Set(comps)] as CalendarComponent[] };
    }
    default: return null;
  }
}

/** Calendar properties (RFC 4791 §5.2, RFC 6578 §3, Apple and calendarserver extensions). */
export function calendarProperties(b: CalendarsDavBackend): PropertyDef<CalendarNode>[] {
  const onCalendar = (get: (n: CalendarNode) => string | undefined) => (n: CalendarNode) => (n.kind === 'calendar' ? get(n) : undefined);
  /** A writable calendar property: PROPPATCH validates and stages; the backend writes all staged fields at once. */
  const writable = (name: string, get: (n: CalendarNode) => string | undefined): PropertyDef<CalendarNode> => ({
    name,
    inAllprop: name === DISPLAYNAME,
    get: onCalendar(get),
    async set(n, value) {
      if (n.kind !== 'calendar') throw new DavError(403, 'Only calendars have this property');
      const fields = parseCalendarField(name, value, false);
      if (fields === null) throw new DavError(403, 'This property cannot be changed');
      if (fields !== 'ignored') b.staged.set(n.calendar!.id, { ...b.staged.get(n.calendar!.id), ...fields });
    },
  });
  return [
    {
      name: clark(NS.DAV, 'resourcetype'), inAllprop: true,
      get: (n) => (n.kind === 'calendar' ? `<d:collection/><cal:calendar/>${n.calendar!.owner !== b.owner ? '<cs:shared/>' : ''}` : n.kind === 'home' ? '<d:collection/>' : TRASH_RESOURCETYPES[n.kind] ?? SCHEDULING_RESOURCETYPES[n.kind] ?? ''),
    },
    writable(DISPLAYNAME, (n) => escapeXml(n.calendar!.displayname ?? n.calendar!.uri)),
    writable(COLOR, (n) => (n.calendar!.color ? escapeXml(n.calendar!.color) : undefined)),
    writable(ORDER, (n) => String(n.calendar!.order)),
    writable(DESCRIPTION, (n) => (n.calendar!.description !== null ? escapeXml(n.calendar!.description) : undefined)),
    writable(TIMEZONE, (n) => (n.calendar!.timezone !== null ? escapeXml(n.calendar!.timezone) : undefined)),
    ...[...IGNORED].map((name) => writable(name, () => '<cal:opaque/>')),
    {
      name: COMPONENTS,
      get: onCalendar((n) => n.calendar!.components.split(',').map((c) => `<cal:comp name="${escapeXml(c)}"/>`).join('')),
    },
    { name: CAL('supported-calendar-data'), get: onCalendar(() => '<cal:calendar-data content-type="text/calendar" version="2.0"/>') },
    { name: CAL('max-resource-size'), get: onCalendar(() => String(MAX_OBJECT_BYTES)) },
    { name: clark(NS.CS, 'getctag'), get: onCalendar((n) => escapeXml(syncTokenOf(n.calendar!))) },
    { name: clark(NS.DAV, 'sync-token'), get: onCalendar((n) => escapeXml(syncTokenOf(n.calendar!))) },
    { name: CAL('calendar-data'), get: (n) => (n.object ? escapeXml(n.object.data) : undefined) },
    { name: clark(NS.DAV, 'owner'), get: (n) => `<d:href>${escapeXml(userPrincipalHref(n.calendar?.owner ?? b.owner))}</d:href>` },
    { name: clark(NS.DAV, 'current-user-principal'), get: () => `<d:href>${escapeXml(userPrincipalHref(b.owner))}</d:href>` },
    // Subscriptions and the birthday calendar are read-only (their objects are generated), and so
    // is a calendar shared with the user without write access.
    {
      name: clark(NS.DAV, 'current-user-privilege-set'),
      prepare: () => b.sharedWithMe(),
      get: (n, shared: Awaited<ReturnType<CalendarsDavBackend['sharedWithMe']>>) => {
        const cal = n.calendar;
        if (!cal) return ALL_PRIVILEGES;
        const writable = !isReadOnly(cal) && (cal.owner === b.owner || shared.get(cal.uri)?.access === 'read-write');
        return writable ? ALL_PRIVILEGES : READ_ONLY_PRIVILEGES;
      },
    },
    supportedReportSet(() => b.reports),
    ...publishingProperties(),
    ...calendarSharing.properties(b.service.env),
    ...schedulingProperties(b),
    ...subscriptionProperties(b),
    ...trashProperties(b.service.env),
  ];
}
