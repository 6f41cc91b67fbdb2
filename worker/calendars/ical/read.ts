import ICAL from 'ical.js';
import { prepareZones } from './zones';

/** Parses iCalendar text into its one VCALENDAR with every TZID resolvable; throws on anything else. */
export function readCalendar(text: string): ICAL.Component {
  // A byte-order mark (Outlook and Windows exports) is not part of the content.
  let jcal = ICAL.parse(text.replace(/^\uFEFF/, '')) as unknown[];
  if (!Array.isArray(jcal) || jcal.length === 0) throw new Error('no iCalendar component found');
  if (Array.isArray(jcal[0])) {
    if (jcal.length !== 1) throw new Error('more than one top-level component');
    jcal = jcal[0] as unknown[];
  }
  if (jcal[0] !== 'vcalendar') throw new Error(`expected VCALENDAR, found ${String(jcal[0]).toUpperCase()}`);
  const root = new ICAL.Component(jcal);
  prepareZones(root);
  return root;
}

/** Like readCalendar, but null for text that is not one VCALENDAR (stored objects are valid; this keeps queries total). */
export function tryReadCalendar(text: string): ICAL.Component | null {
  try {
    return readCalendar(text);
  } catch {
    return null;
  }
}

/** iCalendar text of a jCal VCALENDAR, CRLF-terminated. */
export function writeCalendar(jcal: unknown[]): string {
  const text = ICAL.stringify(jcal as never);
  return text.endsWith('\r\n') ? text : `${text}\r\n`;
}
