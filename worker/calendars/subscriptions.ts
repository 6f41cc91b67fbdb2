import ICAL from 'ical.js';
import { drizzle } from 'drizzle-orm/d1';
import { and, asc, isNotNull, isNull, lte, or } from 'drizzle-orm';
import { calendars } from '../../schema';
import type { CollectionSpec, PropertyDef } from '../dav/backend';
import { DavError } from '../dav/errors';
import { MkcolRefused } from '../dav/methods/mkcol';
import { clark, NS } from '../dav/namespaces';
import { elements, escapeXml, textOf, type XmlElement } from '../dav/xml';
import { AlreadyExists } from '../errors';
import { CalendarNode, type CalendarsDavBackend } from './dav-backend';
import { parseCalendarField } from './dav-properties';
import { parseCalendarObject, type CalendarObjectInfo } from './ical/index';
import { ALL_COMPONENTS, CalendarService, MAX_OBJECT_BYTES, type CalendarFields, type CalendarRow } from './service';
import { readUpTo } from '../http/bounded-body';

// Subscriptions to remote iCalendar feeds (webcal:// or https://), shown as read-only calendars:
// the feed is fetched on creation and by the cron job, split into one object per UID and stored
// like any calendar's objects, so every CalDAV report and sync-collection works on it.

/** How a feed is fetched; tests inject one that serves the .ics without a network. */
export type SubscriptionFetcher = (url: string, init: { signal: AbortSignal; redirect: 'manual' }) => Promise<Response>;

/** Largest feed we read (Nextcloud's webcal size limit is the same order). */
export const MAX_FEED_BYTES = 10 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 5;
/** Weekly, as Nextcloud's default refresh rate (P1W); CALENDAR_SUBSCRIPTION_REFRESH_SECONDS changes it. */
const DEFAULT_REFRESH_SECONDS = 7 * 24 * 3600;
/** Subscriptions refreshed per cron run: bounded so one run stays well inside the Worker limits. */
const PER_RUN = 10;

let injected: SubscriptionFetcher | null = null;
/** Tests only: replaces the network fetcher (null restores it). */
export function setSubscriptionFetcher(f: SubscriptionFetcher | null): void { injected = f; }

function setting(env: Env, name: string): string | undefined {
  const v = (env as unknown as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : undefined;
}

export function refreshSeconds(env: Env): number {
  const n = Number(setting(env, 'CALENDAR_SUBSCRIPTION_REFRESH_SECONDS'));
  return Number.isFinite(n) && n >= 3600 ? n : DEFAULT_REFRESH_SECONDS;
}

/** Seconds as the ISO 8601 duration Apple's refreshrate carries (P1W, P1D, PT3600S). */
export function isoDuration(seconds: number): string {
  if (seconds % (7 * 86400) === 0) return `P${seconds / (7 * 86400)}W`;
  if (seconds % 86400 === 0) return `P${seconds / 86400}D`;
  return `PT${seconds}S`;
}

/** Is this host a private, loopback or link-local address (literal) or a local name? */
export function isPrivateHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost') || h.endsWith('.local') || h.endsWith('.internal') || !h.includes('.') && !h.includes(':')) return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)
      || (a === 100 && b >= 64 && b <= 127) || a >= 224;
  }
  if (h.includes(':')) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    if (mapped) return isPrivateHost(mapped[1]);
    return h === '::' || h === '::1' || /^f[cd]/.test(h) || /^fe[89ab]/.test(h) || h.startsWith('::ffff:');
  }
  return false;
}

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * Checks a subscription URL: webcal(s):// becomes https:// (as Nextcloud and Apple do), only
 * http(s) is fetched, no credentials in the URL, and no private or loopback target (SSRF: the
 * server must not become a way into its own network). Loopback is allowed only when the
 * deployment sets CALENDAR_SUBSCRIPTION_ALLOW_LOOPBACK=true, which local test setups do to serve
 * feeds from 127.0.0.1; other private ranges stay refused. Host names that resolve to private
 * addresses cannot be checked from a Worker (no DNS API); on Cloudflare, fetch() cannot reach
 * private networks anyway, and redirects are re-checked hop by hop.
 */
export function checkSource(env: Env, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim().replace(/^webcals?:\/\//i, 'https://'));
  } catch {
    throw new DavError(400, 'The subscription source is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new DavError(400, 'Subscriptions must be http, https or webcal URLs');
  if (url.username || url.password) throw new DavError(400, 'Credentials in the subscription URL are not supported');
  const allowLoopback = setting(env, 'CALENDAR_SUBSCRIPTION_ALLOW_LOOPBACK') === 'true';
  if (isPrivateHost(url.hostname) && !(allowLoopback && isLoopback(url.hostname))) {
    throw new DavError(403, 'Subscriptions to private or local addresses are refused');
  }
  url.hash = '';
  return url.toString();
}

/** Fetches a feed: bounded size and time, redirects followed by hand so each hop is checked. */
export async function fetchFeed(env: Env, source: string, fetcher: SubscriptionFetcher = injected ?? ((u, i) => fetch(u, i))): Promise<string> {
  const signal = AbortSignal.timeout(FETCH_TIMEOUT_MS);
  let url = checkSource(env, source);
  for (let hop = 0; ; hop++) {
    const res = await fetcher(url, { signal, redirect: 'manual' });
    if (res.status >= 300 && res.status < 400 && res.headers.get('Location')) {
      await res.body?.cancel();
      if (hop >= MAX_REDIRECTS) throw new Error('Too many redirects');
      url = checkSource(env, new URL(res.headers.get('Location')!, url).toString());
      continue;
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new Error(`The feed answered ${res.status}`);
    }
    if (Number(res.headers.get('Content-Length') ?? 0) > MAX_FEED_BYTES) {
      await res.body?.cancel();
      throw new Error('The feed is too large');
    }
    const bytes = await readUpTo(res.body, MAX_FEED_BYTES);
    if (!bytes) throw new Error('The feed is too large');
    return new TextDecoder().decode(bytes);
  }
}

async function hashHex(text: string): Promise<string> {
  const buf = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(buf)].slice(0, 16).map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Splits a feed into calendar objects, one per UID (the master with its overridden instances),
 * each with the VTIMEZONEs it uses. Alarms are dropped (a feed's VALARMs must not notify the
 * subscriber, as Nextcloud strips them by default); components without UID or that fail
 * validation are skipped, not fatal.
 */
export async function splitFeed(text: string): Promise<{ uri: string; text: string; info: CalendarObjectInfo }[]> {
  let root: ICAL.Component;
  try {
    root = new ICAL.Component(ICAL.parse(text));
  } catch {
    throw new Error('The feed is not valid iCalendar');
  }
  if (root.name !== 'vcalendar') throw new Error('The feed is not a VCALENDAR');
  const zones = new Map<string, ICAL.Component>();
  for (const tz of root.getAllSubcomponents('vtimezone')) zones.set(String(tz.getFirstPropertyValue('tzid')), tz);
  const groups = new Map<string, ICAL.Component[]>();
  for (const comp of root.getAllSubcomponents()) {
    if (!(ALL_COMPONENTS as string[]).includes(comp.name.toUpperCase())) continue;
    const uid = comp.getFirstPropertyValue('uid');
    if (typeof uid !== 'string' || uid === '') continue;
    for (const alarm of comp.getAllSubcomponents('valarm')) comp.removeSubcomponent(alarm);
    groups.set(uid, [...(groups.get(uid) ?? []), comp]);
  }
  const out: { uri: string; text: string; info: CalendarObjectInfo }[] = [];
  for (const [uid, comps] of groups) {
    const cal = new ICAL.Component('vcalendar');
    cal.addPropertyWithValue('version', '2.0');
    cal.addPropertyWithValue('prodid', '-//Cumulus//Subscription//EN');
    const body = comps.map((c) => c.toString()).join('\n');
    for (const [tzid, tz] of zones) if (body.includes(`TZID=${tzid}`) || body.includes(`TZID="${tzid}"`)) cal.addSubcomponent(tz);
    for (const c of comps) cal.addSubcomponent(c);
    const objText = cal.toString() + '\r\n';
    const parsed = parseCalendarObject(objText, { maxBytes: MAX_OBJECT_BYTES, allowed: ALL_COMPONENTS });
    if (!parsed.ok) continue;
    out.push({ uri: `${await hashHex(uid)}.ics`, text: objText, info: parsed.info });
  }
  return out;
}

/** Fetches a subscription and replaces its objects in one batch (change log and sync token included). */
export async function refreshSubscription(env: Env, cal: CalendarRow, now: number, fetcher?: SubscriptionFetcher) {
  if (!cal.source) throw new Error('Not a subscription');
  const objects = await splitFeed(await fetchFeed(env, cal.source, fetcher));
  return new CalendarService(env, cal.owner, now).replaceObjects(cal, objects, now);
}

/** Cron job: refreshes subscriptions not fetched for the refresh interval, oldest first, a few per run. */
export async function refreshSubscriptions(env: Env, now: Date, fetcher?: SubscriptionFetcher): Promise<void> {
  const due = now.getTime() - refreshSeconds(env) * 1000;
  const rows = await drizzle(env.DB).select().from(calendars)
    .where(and(isNotNull(calendars.source), isNull(calendars.deletedAt), or(isNull(calendars.refreshedAt), lte(calendars.refreshedAt, due))))
    .orderBy(asc(calendars.refreshedAt)).limit(PER_RUN);
  for (const cal of rows) {
    try {
      await refreshSubscription(env, cal, now.getTime(), fetcher);
    } catch (e) {
      // A failing feed keeps its last good objects and is tried again next run.
      console.error(`subscription ${cal.id} refresh failed:`, (e as Error).message);
    }
  }
}

// --- creation over DAV and properties ---
const CS = (l: string) => clark(NS.CS, l);
const SOURCE = CS('source');
const REFRESHRATE = clark(NS.APPLE, 'refreshrate');
/** Sent by Nextcloud's calendar app and Apple on creation; accepted, stored nowhere (alarms are always stripped). */
const ACCEPTED = new Set([CS('subscribed-strip-todos'), CS('subscribed-strip-alarms'), CS('subscribed-strip-attachments'), REFRESHRATE]);

/** Extended MKCOL with `<cs:subscribed/>` in the resourcetype, as the Nextcloud calendar app and Apple create subscriptions. */
export function isSubscriptionSpec(spec: CollectionSpec): boolean {
  return spec.resourceTypes.includes(CS('subscribed'));
}

/** The feed URL of a cs:source value: a `<d:href>` (Nextcloud, Apple) or bare text. */
function sourceOf(el: XmlElement): string {
  const href = elements(el).find((c) => c.ns === NS.DAV && c.local === 'href');
  return textOf(href ?? el).trim();
}

/**
 * Creates a subscription and fetches it once at once; a feed that cannot be fetched now still
 * leaves the subscription (the cron job retries), but a refused URL creates nothing.
 */
export async function createSubscription(b: CalendarsDavBackend, path: string, spec: CollectionSpec): Promise<CalendarNode> {
  if (!spec.resourceTypes.every((t) => t === CS('subscribed') || t === clark(NS.DAV, 'collection'))) {
    throw new DavError(403, 'A subscription is a collection with cs:subscribed only', { condition: 'valid-resourcetype' });
  }
  const sourceEl = spec.props.get(SOURCE);
  if (!sourceEl) throw new DavError(400, 'A subscription needs cs:source');
  const source = checkSource(b.service.env, sourceOf(sourceEl));
  const fields: CalendarFields = { components: ALL_COMPONENTS };
  const failed = new Map<string, string>();
  for (const [name, el] of spec.props) {
    if (name === SOURCE || ACCEPTED.has(name)) continue;
    const r = parseCalendarField(name, el, false);
    if (r === 'ignored') continue;
    if (r === null) failed.set(name, 'not settable');
    else Object.assign(fields, r);
  }
  if (failed.size > 0) throw new MkcolRefused(failed);
  let cal: CalendarRow;
  try {
    cal = await b.service.setSource(await b.service.create(path, fields), source);
  } catch (e) {
    if (e instanceof AlreadyExists) throw new DavError(405, e.message);
    throw e;
  }
  try {
    await refreshSubscription(b.service.env, cal, b.service.now);
  } catch (e) {
    console.error(`subscription ${cal.id} first fetch failed:`, (e as Error).message);
  }
  return new CalendarNode(path, 'calendar', (await b.service.get(path)) ?? cal);
}

export function subscriptionProperties(b: CalendarsDavBackend): PropertyDef<CalendarNode>[] {
  const sub = (n: CalendarNode) => (n.kind === 'calendar' && n.calendar?.source ? n.calendar : null);
  return [
    { name: SOURCE, get: (n) => { const c = sub(n); return c ? `<d:href>${escapeXml(c.source!)}</d:href>` : undefined; } },
    { name: REFRESHRATE, get: (n) => (sub(n) ? isoDuration(refreshSeconds(b.service.env)) : undefined) },
    { name: clark(NS.NC_COM, 'refreshed-at'), get: (n) => { const c = sub(n); return c?.refreshedAt ? new Date(c.refreshedAt).toISOString() : undefined; } },
  ];
}
