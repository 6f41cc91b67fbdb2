import type { CompFilter, ParamFilter, PropFilter, TextMatch, TimeRange } from '../../../worker/calendars/ical';

// Builders for calendar-query filters, shaped like the XML a client sends.

export function tr(start: number | null, end: number | null): TimeRange {
  return { start, end };
}

export function text(value: string, opts: Partial<Omit<TextMatch, 'value'>> = {}): TextMatch {
  return { value, collation: 'i;ascii-casemap', negate: false, matchType: 'contains', ...opts };
}

export function comp(name: string, opts: Partial<Omit<CompFilter, 'name'>> = {}): CompFilter {
  return { name, isNotDefined: false, timeRange: null, propFilters: [], compFilters: [], ...opts };
}

export function prop(name: string, opts: Partial<Omit<PropFilter, 'name'>> = {}): PropFilter {
  return { name, isNotDefined: false, timeRange: null, textMatch: null, paramFilters: [], ...opts };
}

export function param(name: string, opts: Partial<Omit<ParamFilter, 'name'>> = {}): ParamFilter {
  return { name, isNotDefined: false, textMatch: null, ...opts };
}

/** VCALENDAR > {name} with a time-range, the shape of every client's time-range query. */
export function inRange(name: string, start: number | null, end: number | null, more: Partial<CompFilter> = {}): CompFilter {
  return comp('VCALENDAR', { compFilters: [comp(name, { timeRange: tr(start, end), ...more })] });
}
