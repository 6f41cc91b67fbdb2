import ICAL from 'ical.js';

// Time zones for the iCalendar module. Three sources, in order of authority:
// 1. the object's own VTIMEZONE (RFC 5545 §3.6.5: a TZID must have one), shared through a cache
//    keyed by the definition's text, because ical.js expands a VTIMEZONE's rules from its DTSTART
//    (often 1970) on first use — about a millisecond per object, too slow for a calendar-query
//    over thousands of objects that all carry the same definition;
// 2. the runtime's IANA database (Intl) for a TZID sent without a VTIMEZONE (Google and some
//    scripts do this), registered in ical.js's TimezoneService so parsed values pick it up;
// 3. otherwise the value is floating, like a TZID-less local time.

type RootWithCache = { _timezoneCache: Map<string, ICAL.Timezone> | null };

const MAX_CACHED_ZONES = 256;
const vtimezoneCache = new Map<string, ICAL.Timezone>();

/** An ical.js time zone whose offsets come from the runtime's IANA time zone database. */
class IntlTimezone extends ICAL.Timezone {
  readonly #format: Intl.DateTimeFormat;

  constructor(tzid: string) {
    super({ tzid });
    this.#format = new Intl.DateTimeFormat('en-US', {
      timeZone: tzid,
      hourCycle: 'h23',
      year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  }

  /** Offset in seconds at an absolute instant. */
  offsetAt(ms: number): number {
    const at = Math.floor(ms / 1000) * 1000;
    const parts: Record<string, number> = {};
    for (const p of this.#format.formatToParts(at)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
    const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour % 24, parts.minute, parts.second);
    return Math.round((wall - at) / 1000);
  }

  /** Offset for a wall-clock time; RFC 5545 §3.3.5: a time in a DST gap uses the offset before the gap, an ambiguous one the first occurrence. */
  override utcOffset(tt: ICAL.Time): number {
    const wall = Date.UTC(tt.year, tt.month - 1, tt.day, tt.isDate ? 0 : tt.hour, tt.isDate ? 0 : tt.minute, tt.isDate ? 0 : tt.second);
    const first = this.offsetAt(wall);
    const second = this.offsetAt(wall - first * 1000);
    const valid = [first, second].filter((o) => this.offsetAt(wall - o * 1000) === o);
    if (valid.length > 0) return Math.max(...valid);
    return this.offsetAt(wall - Math.max(first, second) * 1000 - 3 * 3600_000);
  }
}

const intlZones = new Map<string, IntlTimezone | null>();

/** The IANA zone of that name from the runtime, or null when the runtime does not know it. */
export function intlZone(tzid: string): IntlTimezone | null {
  if (intlZones.has(tzid)) return intlZones.get(tzid)!;
  let zone: IntlTimezone | null = null;
  try {
    zone = new IntlTimezone(tzid);
  } catch {
    zone = null; // RangeError: not an IANA name (e.g. Outlook's "W. Europe Standard Time")
  }
  if (intlZones.size < MAX_CACHED_ZONES) intlZones.set(tzid, zone);
  return zone;
}

function cachedVtimezone(vtimezone: ICAL.Component, key: string): ICAL.Timezone {
  let zone = vtimezoneCache.get(key);
  if (zone) {
    vtimezoneCache.delete(key);
    vtimezoneCache.set(key, zone);
    return zone;
  }
  zone = new ICAL.Timezone({ component: vtimezone, tzid: String(vtimezone.getFirstPropertyValue('tzid')) });
  vtimezoneCache.set(key, zone);
  if (vtimezoneCache.size > MAX_CACHED_ZONES) vtimezoneCache.delete(vtimezoneCache.keys().next().value!);
  return zone;
}

function collectTzids(jcal: unknown[], into: Set<string>) {
  const [, props, comps] = jcal as [string, unknown[][], unknown[][]];
  for (const prop of props) {
    const tzid = (prop[1] as Record<string, unknown>).tzid;
    if (typeof tzid === 'string') into.add(tzid);
  }
  for (const comp of comps) if (comp[0] !== 'vtimezone') collectTzids(comp, into);
}

/**
 * Makes every TZID of a freshly parsed VCALENDAR resolvable before any value is read: its own
 * VTIMEZONEs through the shared cache, the others through the runtime's IANA database.
 */
export function prepareZones(root: ICAL.Component): void {
  const cache = (root as unknown as RootWithCache)._timezoneCache;
  const defined = new Set<string>();
  for (const vtz of root.getAllSubcomponents('vtimezone')) {
    const tzid = vtz.getFirstPropertyValue('tzid');
    if (typeof tzid !== 'string' || !tzid) continue;
    defined.add(tzid);
    cache?.set(tzid, cachedVtimezone(vtz, JSON.stringify(vtz.jCal)));
  }
  const used = new Set<string>();
  collectTzids(root.jCal, used);
  for (const tzid of used) {
    if (defined.has(tzid) || ICAL.TimezoneService.has(tzid)) continue;
    const zone = intlZone(tzid);
    if (zone) ICAL.TimezoneService.register(zone, tzid);
  }
}

/**
 * The zone that floating times and DATE values are read in (RFC 4791 §9.9: the calendar's
 * CALDAV:calendar-timezone): an IANA name or the text of a VCALENDAR holding a VTIMEZONE.
 * Unknown or absent → null, meaning UTC.
 */
export function floatingZone(timezone: string | undefined | null): ICAL.Timezone | null {
  if (!timezone) return null;
  if (!timezone.includes('BEGIN:')) return intlZone(timezone.trim());
  try {
    const root = new ICAL.Component(ICAL.parse(timezone) as unknown[]);
    const vtz = root.name === 'vtimezone' ? root : root.getFirstSubcomponent('vtimezone');
    if (!vtz) return null;
    return cachedVtimezone(vtz, JSON.stringify(vtz.jCal));
  } catch {
    return null;
  }
}

/** True when the time has no zone of its own (floating DATE-TIME or DATE). */
export function isFloating(t: ICAL.Time): boolean {
  return t.isDate || !t.zone || t.zone === ICAL.Timezone.localTimezone || t.zone.tzid === 'floating';
}

// ical.js finds an offset by deep-cloning its list of zone transitions at every call: the single
// biggest cost of a time-range query. Offsets of a zone per wall-clock time never change, so
// they are remembered (per zone object, bounded).
const offsetMemo = new WeakMap<ICAL.Timezone, Map<number, number>>();
const MAX_MEMO = 20_000;

/** Milliseconds since the epoch of an ical.js time; floating times and dates are read in `floating` (UTC when null). */
export function toMs(t: ICAL.Time, floating: ICAL.Timezone | null): number {
  const wall = Date.UTC(t.year, t.month - 1, t.day, t.isDate ? 0 : t.hour, t.isDate ? 0 : t.minute, t.isDate ? 0 : t.second);
  const zone = isFloating(t) ? floating : t.zone;
  if (!zone || zone === ICAL.Timezone.utcTimezone || zone.tzid === 'UTC') return wall;
  let memo = offsetMemo.get(zone);
  if (!memo) offsetMemo.set(zone, (memo = new Map()));
  let offset = memo.get(wall);
  if (offset === undefined) {
    offset = zone.utcOffset(t);
    if (memo.size >= MAX_MEMO) memo.clear();
    memo.set(wall, offset);
  }
  return wall - offset * 1000;
}

/** An iCalendar UTC DATE-TIME (jCal form, e.g. 2024-01-02T03:04:05Z). */
export function utcJcal(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000', '');
}

/** An iCalendar UTC DATE-TIME (text form, e.g. 20240102T030405Z). */
export function utcText(ms: number): string {
  return utcJcal(ms).replace(/[-:]/g, '');
}
