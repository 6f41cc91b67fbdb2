// The public types of the iCalendar module (the contract with the CalDAV server:
// /work/notes/ical-api.md). Kept apart so internal modules import them without cycles.

export type CalendarComponent = 'VEVENT' | 'VTODO' | 'VJOURNAL';

export interface CalendarObjectInfo {
  uid: string;
  /** The object's main component type. */
  component: CalendarComponent;
  /**
   * Start of the first instance and end of the last, as bounds for an index of time-range
   * queries (firstStart < range end AND lastEnd > range start), after which matchesCalendarFilter
   * decides. null = unbounded on that side (an endless RRULE, or a VTODO that RFC 4791 §9.9
   * matches at any time). Widened by 1 ms each way so that strict comparisons still find an
   * instant at the range start or a DUE at its end, and floating times and all-day dates by 14 h
   * more, so the bounds hold whatever time zone a query reads them in.
   */
  firstStart: number | null;
  lastEnd: number | null;
  recurring: boolean;
  summary: string | null;
  /** The organizer's and attendees' calendar addresses (mailto:…), for scheduling later. */
  organizer: string | null;
  attendees: string[];
  hasAlarms: boolean;
}

/** RFC 4791 §5.3.2 / §9.6 precondition names (CALDAV namespace) for refusals. */
export type CalendarPrecondition = 'valid-calendar-data' | 'valid-calendar-object-resource' | 'supported-calendar-component' | 'max-resource-size';

export type ParsedCalendarObject =
  | { ok: true; info: CalendarObjectInfo }
  | { ok: false; precondition: CalendarPrecondition; message: string };

export interface ParseCalendarOptions {
  maxBytes?: number;
  allowed?: CalendarComponent[];
  /** Accept a METHOD property (scheduling inbox/outbox messages); RFC 4791 §4.1 forbids it in calendar collections. */
  allowMethod?: boolean;
}

/** Options of the query functions. */
export interface CalendarQueryOptions {
  /**
   * RFC 4791 §9.9 / §5.2.2: the zone floating times and DATE values are read in — the calendar's
   * calendar-timezone (VCALENDAR text with a VTIMEZONE) or an IANA name. Default UTC.
   */
  timezone?: string | null;
}

/** Milliseconds since the epoch; null = unbounded on that side. */
export interface TimeRange { start: number | null; end: number | null }

export type Collation = 'i;ascii-casemap' | 'i;octet' | 'i;unicode-casemap';

export interface TextMatch { value: string; collation: Collation; negate: boolean; matchType: 'equals' | 'contains' | 'starts-with' | 'ends-with' }
export interface ParamFilter { name: string; isNotDefined: boolean; textMatch: TextMatch | null }
export interface PropFilter { name: string; isNotDefined: boolean; timeRange: TimeRange | null; textMatch: TextMatch | null; paramFilters: ParamFilter[] }
export interface CompFilter { name: string; isNotDefined: boolean; timeRange: TimeRange | null; propFilters: PropFilter[]; compFilters: CompFilter[] }

export type BusyType = 'BUSY' | 'BUSY-TENTATIVE' | 'BUSY-UNAVAILABLE';
export interface BusyPeriod { start: number; end: number; type: BusyType }
