/** A one-event calendar object (UTC times). */
export function eventIcs(uid: string, start = '20260105T100000Z', end = '20260105T110000Z', extra = ''): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Cumulus tests//EN', 'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20260101T000000Z',
    `DTSTART:${start}`, `DTEND:${end}`, `SUMMARY:Event ${uid}`, ...(extra ? [extra] : []), 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
}

/** A weekly recurring event with ten instances from its start. */
export function weeklyIcs(uid: string, start = '20260105T090000Z', end = '20260105T093000Z'): string {
  return eventIcs(uid, start, end, 'RRULE:FREQ=WEEKLY;COUNT=10');
}

/** A VTODO without dates. */
export function todoIcs(uid: string): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Cumulus tests//EN', 'BEGIN:VTODO', `UID:${uid}`, 'DTSTAMP:20260101T000000Z',
    'SUMMARY:Todo', 'END:VTODO', 'END:VCALENDAR', ''].join('\r\n');
}

export const MKCOL_CALENDAR = (name: string, comps = '<cal:comp name="VEVENT"/><cal:comp name="VTODO"/>') =>
  '<?xml version="1.0" encoding="utf-8"?><d:mkcol xmlns:d="DAV:" xmlns:cal="urn:ietf:params:xml:ns:caldav" xmlns:x1="http://apple.com/ns/ical/">' +
  `<d:set><d:prop><d:resourcetype><d:collection/><cal:calendar/></d:resourcetype><d:displayname>${name}</d:displayname>` +
  `<x1:calendar-color>#ff0000ff</x1:calendar-color><cal:supported-calendar-component-set>${comps}</cal:supported-calendar-component-set>` +
  '</d:prop></d:set></d:mkcol>';
