import type { CalendarRow, CalendarService } from './service';
import { attachment } from '../http/attachment';

// `?export` on a calendar (SabreDAV's ICSExportPlugin, as Nextcloud serves it): one VCALENDAR with
// every object's components, VTIMEZONEs deduplicated by TZID (the first definition wins, as in
// SabreDAV). Streamed a page of rows at a time, so a calendar of any size never sits whole in memory.
// Address books get the same `?export` with CardDAV (worker/contacts), one vCard after another.

/** Rows read per page while streaming. */
const PAGE = 100;

/** RFC 5545 §3.3.11 TEXT escaping. */
function escapeText(v: string): string {
  return v.replace(/[\\;,]/g, (c) => `\\${c}`).replace(/\r\n|\r|\n/g, '\\n');
}

/** RFC 5545 §3.1: lines longer than 75 octets are folded (never inside a UTF-8 sequence). */
function foldLine(line: string): string {
  const enc = new TextEncoder();
  let out = '';
  let size = 0;
  for (const ch of line) {
    const n = enc.encode(ch).byteLength;
    if (size + n > 75) {
      out += '\r\n ';
      size = 1;
    }
    out += ch;
    size += n;
  }
  return out + '\r\n';
}

/**
 * The components directly inside an object's VCALENDAR, as CRLF text; a VTIMEZONE whose TZID was
 * already emitted is dropped. Stored objects were validated on PUT, so BEGIN/END lines nest; a
 * folded line's continuation starts with white space and never looks like BEGIN/END.
 */
export function componentsOf(text: string, seenZones: Set<string>): string {
  let out = '';
  let depth = 0;
  let current: string[] = [];
  let zone = false;
  let tzid: string | null = null;
  let inTzid = false;
  for (const line of text.split(/\r\n|\n|\r/)) {
    if (line === '') continue;
    const begin = /^BEGIN:/i.test(line);
    if (begin && ++depth === 2) {
      current = [];
      zone = /^BEGIN:VTIMEZONE\s*$/i.test(line);
      tzid = null;
    }
    if (depth >= 2) {
      current.push(line);
      if (zone && depth === 2) {
        if (inTzid && /^[ \t]/.test(line)) tzid += line.slice(1);
        else if ((inTzid = /^TZID[:;]/i.test(line))) tzid = line.slice(line.indexOf(':') + 1);
      }
    }
    if (!begin && /^END:/i.test(line)) {
      if (depth === 2) {
        if (!zone || tzid === null || !seenZones.has(tzid)) out += current.join('\r\n') + '\r\n';
        if (zone && tzid !== null) seenZones.add(tzid);
      }
      depth--;
    }
  }
  return out;
}

/** The file name SabreDAV gives an export: the calendar's name and the day. */
function fileName(cal: CalendarRow, now: number): string {
  return `${cal.displayname || cal.uri}-${new Date(now).toISOString().slice(0, 10)}.ics`;
}

/** The whole calendar as one text/calendar download, streamed from D1 page by page. */
export function exportCalendar(service: CalendarService, cal: CalendarRow, now: number, head = false): Response {
  const headers = {
    'Content-Type': 'text/calendar; charset=utf-8',
    'Content-Disposition': attachment(fileName(cal, now)),
    'Cache-Control': 'no-store',
  };
  if (head) return new Response(null, { status: 200, headers });
  const encoder = new TextEncoder();
  const seenZones = new Set<string>();
  let afterId = 0;
  let started = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Cumulus//Calendar export//EN', 'CALSCALE:GREGORIAN',
          `X-WR-CALNAME:${escapeText(cal.displayname || cal.uri)}`, ...(cal.color ? [`X-APPLE-CALENDAR-COLOR:${cal.color}`] : [])];
        controller.enqueue(encoder.encode(lines.map(foldLine).join('')));
        return;
      }
      const rows = await service.objectsAfter(cal, afterId, PAGE);
      if (rows.length === 0) {
        controller.enqueue(encoder.encode('END:VCALENDAR\r\n'));
        controller.close();
        return;
      }
      afterId = rows[rows.length - 1].id;
      controller.enqueue(encoder.encode(rows.map((r) => componentsOf(r.data, seenZones)).join('')));
    },
  });
  return new Response(body, { status: 200, headers });
}

/** GET or HEAD of `{calendar}?export` (a calendar directly below the mount: no '/' in its path). */
export function isExportRequest(request: Request, path: string): boolean {
  const method = request.method.toUpperCase();
  return (method === 'GET' || method === 'HEAD') && path !== '' && !path.includes('/') && new URL(request.url).searchParams.has('export');
}
