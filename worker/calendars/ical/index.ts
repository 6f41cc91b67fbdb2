// iCalendar for CalDAV: validation and indexing of calendar object resources, calendar-query
// filters, expand / limit-recurrence-set, free-busy. Pure functions over text, built on ical.js.
// Contract with the CalDAV server: /work/notes/ical-api.md; see README.md.

export type {
  BusyPeriod,
  BusyType,
  CalendarComponent,
  CalendarObjectInfo,
  CalendarPrecondition,
  CalendarQueryOptions,
  Collation,
  CompFilter,
  ParamFilter,
  ParseCalendarOptions,
  ParsedCalendarObject,
  PropFilter,
  TextMatch,
  TimeRange,
} from './types';
export { parseCalendarObject } from './parse';
export { matchesCalendarFilter } from './filter';
export { expandCalendarObject, limitRecurrenceSet } from './expand';
export { busyPeriods, freeBusyCalendar } from './freebusy';
export { alarmInstances, type AlarmInstance } from './alarms';
export { textMatches } from './text-match';
export { eventInstanceIndex, type EventInstanceIndex, type IndexedInstance } from './occurrence-index';
