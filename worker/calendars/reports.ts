import type { ReportDef } from '../dav/backend';
import { DavError } from '../dav/errors';
import { multistatusOf, propResponses, requestedProps, resolveHrefs, statusResponse, type PropOverride } from '../dav/methods/report';
import { clark, NS } from '../dav/namespaces';
import { child, escapeXml, type XmlElement } from '../dav/xml';
import { busyPeriods, expandCalendarObject, freeBusyCalendar, limitRecurrenceSet, matchesCalendarFilter } from './ical/index';
import type { CalendarNode, CalendarsDavBackend } from './dav-backend';
import { indexablePart, parseCalendarFilter, parseTimeRange } from './filters';
import { eventCandidates, indexLazily, isPlainEventTimeRange } from './instances';
import { CalendarService } from './service';

const CAL = (l: string) => clark(NS.CALDAV, l);

/**
 * calendar-data with expand or limit-recurrence-set (RFC 4791 §9.6.5, §9.6.6) is computed per
 * object; plain calendar-data is the stored text (the property registry serves it).
 */
function calendarDataOverride(props: XmlElement[]): Map<string, PropOverride<CalendarNode>> {
  const el = props.find((p) => p.ns === NS.CALDAV && p.local === 'calendar-data');
  const out = new Map<string, PropOverride<CalendarNode>>();
  if (!el) return out;
  const type = el.attrs.find((a) => a.local === 'content-type')?.value;
  if (type && type !== 'text/calendar') throw new DavError(403, 'Only text/calendar is supported', { condition: CAL('supported-calendar-data') });
  for (const [local, fn] of [['expand', expandCalendarObject], ['limit-recurrence-set', limitRecurrenceSet]] as const) {
    const opt = child(el, NS.CALDAV, local);
    if (!opt) continue;
    const range = parseTimeRange(opt);
    if (range.start === null || range.end === null) throw new DavError(400, `${local} needs start and end`);
    out.set(CAL('calendar-data'), (n) => (n.object ? escapeXml(fn(n.object.data, range)) : undefined));
  }
  return out;
}

/** The objects a calendar-query or free-busy-query looks at, by Depth (RFC 4791 §7.8). */
function depthOf(r: Parameters<ReportDef<CalendarNode>['run']>[0]): 0 | 1 {
  return r.depth(0) === 0 ? 0 : 1;
}

/** calendar-multiget, calendar-query and free-busy-query (RFC 4791 §7.8–7.10). */
export function calendarReports(b: CalendarsDavBackend): ReportDef<CalendarNode>[] {
  const inCalendar = (n: CalendarNode) => n.kind === 'calendar' || n.kind === 'object';
  return [
    {
      name: CAL('calendar-multiget'),
      appliesTo: inCalendar,
      async run(r, target, body) {
        const props = requestedProps(body);
        const overrides = calendarDataOverride(props);
        const { found, missing } = await resolveHrefs(r, target, body);
        const parts = await propResponses(r, found.filter((n) => n.kind === 'object'), props, overrides);
        for (const n of found) if (n.kind !== 'object') missing.push(escapeXml(`${b.homeHref}${n.path}/`));
        for (const href of missing) parts.push(statusResponse(href, 404));
        return multistatusOf(r, parts);
      },
    },
    {
      name: CAL('calendar-query'),
      appliesTo: inCalendar,
      async run(r, target, body) {
        const props = requestedProps(body);
        const overrides = calendarDataOverride(props);
        const filter = parseCalendarFilter(child(body, NS.CALDAV, 'filter'));
        let candidates: CalendarNode[];
        if (target.kind === 'object') candidates = [target];
        else if (depthOf(r) === 0) candidates = [];
        else {
          // The index narrows by component and time range; the filter then decides exactly.
          const { component, range } = indexablePart(filter);
          const cal = target.calendar!;
          // A service that filters or rewrites its rows (the public view overrides candidates()) keeps the candidates() path.
          const rawRows = b.service.candidates === CalendarService.prototype.candidates;
          if (component === 'VEVENT' && (range.start !== null || range.end !== null) && rawRows) {
            // Events by the occurrence index (instances.ts): exact for a plain time-range, a prefilter otherwise.
            const withData = !isPlainEventTimeRange(filter) || props.length === 0 || props.some((p) => p.ns === NS.CALDAV && p.local === 'calendar-data');
            const { indexed, evaluate } = await eventCandidates(b.service.env, cal, range, { withData });
            const exact = isPlainEventTimeRange(filter) ? indexed : indexed.filter((o) => matchesCalendarFilter(o.data, filter));
            const rows = [...exact, ...evaluate.filter((o) => matchesCalendarFilter(o.data, filter))];
            // Indexing what had to be evaluated, and events never indexed, after the answer (a lagging index only costs time).
            r.ctx.waitUntil(indexLazily(b.service.env, cal, evaluate, range, b.service.now).catch((e) => console.warn('calendar index:', e)));
            return multistatusOf(r, await propResponses(r, rows.map((o) => b.objectNode(cal, o)), props, overrides));
          }
          const rows = await b.service.candidates(cal, component, range);
          candidates = rows.map((o) => b.objectNode(cal, o));
        }
        const matches = candidates.filter((n) => matchesCalendarFilter(n.object!.data, filter));
        return multistatusOf(r, await propResponses(r, matches, props, overrides));
      },
    },
    {
      name: CAL('free-busy-query'),
      appliesTo: (n) => n.kind === 'calendar',
      async run(r, target, body) {
        const tr = child(body, NS.CALDAV, 'time-range');
        if (!tr) throw new DavError(400, 'free-busy-query needs CALDAV:time-range');
        const range = parseTimeRange(tr);
        if (range.start === null || range.end === null) throw new DavError(400, 'free-busy-query needs start and end');
        const span = { start: range.start, end: range.end };
        // The busy time of the whole calendar, whatever the Depth (clients send 1, some 0).
        const rows = await b.service.candidates(target.calendar!, 'VEVENT', range);
        const ics = freeBusyCalendar(busyPeriods(rows.map((o) => o.data), span), span, r.ctx.now);
        return new Response(ics, { status: 200, headers: { 'Content-Type': 'text/calendar; charset=utf-8' } });
      },
    },
  ];
}
