import ICAL from 'ical.js';
import { CalendarService, type CalendarRow, type ObjectRow } from './service';

/**
 * What a published calendar shows of its objects, as Nextcloud does: an object classified
 * CLASS:PRIVATE is not there at all, a CLASS:CONFIDENTIAL one only as "Busy" — its times and
 * recurrence stay, its title, description, location, attendees and alarms go. Everything a public
 * reader can reach (GET, calendar-data, reports and their filters, sync, export) reads its rows
 * through PublicCalendarService, so no path serves the owner's text.
 */
const KEPT_WHEN_CONFIDENTIAL = new Set([
  'uid', 'dtstamp', 'dtstart', 'dtend', 'duration', 'due', 'rrule', 'rdate', 'exdate', 'recurrence-id',
  'status', 'transp', 'sequence', 'created', 'last-modified', 'class',
]);

const SCHEDULABLE = ['vevent', 'vtodo', 'vjournal'];

/** The object as the public may see it, or null when it is private. */
export function publicObject(row: ObjectRow): ObjectRow | null {
  let calendar: ICAL.Component;
  try {
    calendar = new ICAL.Component(ICAL.parse(row.data));
  } catch {
    return null; // stored objects are validated; anything unreadable is simply not shown
  }
  const items = SCHEDULABLE.flatMap((name) => calendar.getAllSubcomponents(name));
  const classes = new Set(items.map((c) => String(c.getFirstPropertyValue('class') ?? 'PUBLIC').toUpperCase()));
  if (classes.has('PRIVATE')) return null;
  if (!classes.has('CONFIDENTIAL')) return row;
  for (const item of items) {
    // Copies: ical.js hands out its live lists, which removing would shift under the loop.
    for (const prop of [...item.getAllProperties()]) if (!KEPT_WHEN_CONFIDENTIAL.has(prop.name)) item.removeProperty(prop);
    for (const sub of [...item.getAllSubcomponents()]) item.removeSubcomponent(sub);
    item.addPropertyWithValue('summary', 'Busy');
  }
  const data = calendar.toString() + '\r\n';
  // Derived from the stored ETag, so it changes exactly when the object does.
  return { ...row, data, size: new TextEncoder().encode(data).byteLength, etag: `${row.etag}-busy` };
}

function visible(rows: ObjectRow[]): ObjectRow[] {
  return rows.map(publicObject).filter((r): r is ObjectRow => r !== null);
}

/** The owner's calendar service as a published calendar's anonymous reader sees it. */
export class PublicCalendarService extends CalendarService {
  override async objects(cal: CalendarRow) { return visible(await super.objects(cal)); }
  override async object(cal: CalendarRow, uri: string) {
    const row = await super.object(cal, uri);
    return row && publicObject(row);
  }
  override async objectsByUri(cal: CalendarRow, uris: string[]) { return visible(await super.objectsByUri(cal, uris)); }
  override async objectsAfter(cal: CalendarRow, afterId: number, limit: number) {
    // An empty page means the end to the caller: skip pages that hold only private objects.
    for (;;) {
      const rows = await super.objectsAfter(cal, afterId, limit);
      const shown = visible(rows);
      if (shown.length > 0 || rows.length === 0) return shown;
      afterId = rows[rows.length - 1].id;
    }
  }
  override async candidates(...args: Parameters<CalendarService['candidates']>) { return visible(await super.candidates(...args)); }
  override async changesSince(...args: Parameters<CalendarService['changesSince']>) {
    const changes = await super.changesSince(...args);
    if (!changes) return changes;
    // A change that made an object private reads as its removal, so public copies drop it.
    const shown = visible(changes.changed);
    const shownUris = new Set(shown.map((r) => r.uri));
    const hidden = changes.changed.filter((r) => !shownUris.has(r.uri)).map((r) => r.uri);
    return { ...changes, changed: shown, removed: [...changes.removed, ...hidden] };
  }
}
