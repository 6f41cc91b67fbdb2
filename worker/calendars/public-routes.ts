import { Hono, type Context } from 'hono';
import type { AppEnv } from '../http/env';
import { PlainError } from '../http/errors';
import { DavError } from '../dav/errors';
import { decodeRelativePath } from '../dav/paths';
import type { DavMount } from '../dav/request';
import { serveDav } from '../dav/server';
import type { CalendarNode } from './dav-backend';
import { calendarZoneName, EMBED_VIEWS, knownZone, parseIsoDay, periodOccurrences, periodOf, isoDay, type EmbedView } from './embed';
import { renderEmbedPage, todayIn } from './embed-page';
import { exportCalendar } from './export';
import { PublicCalendarBackend } from './public-backend';
import { PublicCalendarService } from './public-view';
import { findPublishedCalendar } from './publishing';
import { CalendarService, type CalendarRow } from './service';

/** What an anonymous client may do with a published calendar; anything else is a write (403). */
const READ_METHODS = new Set(['GET', 'HEAD', 'PROPFIND', 'REPORT', 'OPTIONS']);
/** Most calendars one embed URL merges. */
const MAX_EMBED_CALENDARS = 20;

/** Serves `/remote.php/dav/public-calendars/{token}[/…]` without authentication, read-only. */
async function servePublicCalendar(c: Context<AppEnv>): Promise<Response> {
  const raw = new URL(c.req.url).pathname.split('/').filter((s) => s !== '');
  const token = raw[3] ?? '';
  const cal = await findPublishedCalendar(c.env, token);
  if (!cal) throw new DavError(404, 'No published calendar has this address');
  const method = c.req.method.toUpperCase();
  if (!READ_METHODS.has(method)) throw new DavError(403, 'A published calendar is read-only');
  const path = decodeRelativePath(raw.slice(4).join('/'));
  const now = Date.now();
  // Private objects are hidden and confidential ones blanked for the public (public-view.ts).
  const service = new PublicCalendarService(c.env, cal.owner, now);
  if ((method === 'GET' || method === 'HEAD') && path === '' && new URL(c.req.url).searchParams.has('export')) {
    return exportCalendar(service, cal, now, method === 'HEAD');
  }
  const base = `/remote.php/dav/public-calendars/${token}`;
  const mount: DavMount<CalendarNode> = {
    backend: new PublicCalendarBackend(service, cal, base),
    prefixes: [['remote.php', 'dav', 'public-calendars', token]],
    ctx: { principal: '', baseHref: base, request: c.req.raw, now, waitUntil: (p) => c.executionCtx.waitUntil(p) },
  };
  return serveDav(mount, path);
}

/** The embed page of one or more published calendars (`{token1}-{token2}…`), for iframes on other sites. */
async function serveEmbed(c: Context<AppEnv>): Promise<Response> {
  const tokens = c.req.param('tokens')!.split('-');
  const view = (c.req.param('view') ?? 'month') as EmbedView;
  const date = c.req.param('date') ?? 'now';
  if (!EMBED_VIEWS.includes(view)) throw new PlainError(400, `Unknown view; use one of ${EMBED_VIEWS.join(', ')}`);
  if (tokens.length > MAX_EMBED_CALENDARS) throw new PlainError(400, `At most ${MAX_EMBED_CALENDARS} calendars can be embedded together`);
  const requested = date === 'now' ? null : parseIsoDay(date);
  if (date !== 'now' && requested === null) throw new PlainError(400, 'The date must be "now" or YYYY-MM-DD');
  const rows: CalendarRow[] = [];
  for (const token of tokens) {
    const row = await findPublishedCalendar(c.env, token);
    // Every calendar of the link must still be published: an unpublished one ends the link.
    if (!row) throw new PlainError(404, 'No published calendar has this address');
    if (!rows.some((r) => r.id === row.id)) rows.push(row);
  }
  const tzParam = c.req.query('timezone');
  const zone = tzParam !== undefined ? knownZone(tzParam) : (calendarZoneName(rows[0]) ?? 'UTC');
  if (zone === null) throw new PlainError(400, 'Unknown time zone');
  const now = Date.now();
  const today = todayIn(zone, now);
  const period = periodOf(view, requested ?? today);
  const occurrences = await periodOccurrences(rows.map((row) => ({ row, service: new CalendarService(c.env, row.owner, now) })), period, zone);
  const suffix = tzParam !== undefined ? `?timezone=${encodeURIComponent(zone)}` : '';
  const html = renderEmbedPage({
    calendars: rows, period, today, zone, occurrences,
    link: (v, day) => `/apps/calendar/embed/${tokens.join('-')}/${v}/${day === 'now' ? 'now' : isoDay(day)}${suffix}`,
  });
  return new Response(html, {
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      // Made to be framed by any site (frame-ancestors *); no scripts, no forms, nothing loaded.
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors *",
    },
  });
}

/** Public calendar routes: published calendars over DAV, and their embed page. No authentication. */
export function publicCalendarRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.all('/remote.php/dav/public-calendars/:token', servePublicCalendar);
  app.all('/remote.php/dav/public-calendars/:token/*', servePublicCalendar);
  app.get('/apps/calendar/embed/:tokens', serveEmbed);
  app.get('/apps/calendar/embed/:tokens/:view/:date', serveEmbed);
  return app;
}
