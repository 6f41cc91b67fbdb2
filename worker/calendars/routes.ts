import { Hono, type Context } from 'hono';
import { davUnauthorized, requireUser } from '../accounts/auth';
import type { AppEnv } from '../http/env';
import { DavError } from '../dav/errors';
import { decodeRelativePath } from '../dav/paths';
import type { DavMount } from '../dav/request';
import { serveDav } from '../dav/server';
import { calendarHomeHref } from '../principals/hrefs';
import { CalendarsDavBackend, type CalendarNode } from './dav-backend';
import { CalendarService } from './service';
import { exportCalendar, isExportRequest } from './export';
import { Scheduler } from './scheduling/scheduler';
import { calendarResourcesRoutes } from './scheduling/resources';

/** Serves `/remote.php/dav/calendars/{user}/…`; only the owner reaches a calendar home; calendars shared with them appear inside it (sharing.ts). */
function serveCalendars(c: Context<AppEnv>): Promise<Response> {
  const user = c.get('user');
  const raw = new URL(c.req.url).pathname.split('/').filter((s) => s !== '');
  const urlUser = decodeRelativePath(raw[3] ?? '');
  if (urlUser !== user.id) throw new DavError(403, 'You may only access your own calendars');
  const path = decodeRelativePath(raw.slice(4).join('/'));
  const now = Date.now();
  const home = calendarHomeHref(user.id);
  const service = new CalendarService(c.env, user.id, now);
  const backend = new CalendarsDavBackend(service, user.id, home, new Scheduler(c.env, user.id, now));
  if (isExportRequest(c.req.raw, path)) return serveExport(backend, path, now, c.req.method === 'HEAD');
  const mount: DavMount<CalendarNode> = {
    backend,
    prefixes: [['remote.php', 'dav', 'calendars', user.id]],
    ctx: { principal: user.id, baseHref: home.slice(0, -1), request: c.req.raw, now, waitUntil: (p) => c.executionCtx.waitUntil(p) },
  };
  return serveDav(mount, path);
}

/** `?export` of one of the user's calendars, own or shared with them (Nextcloud's ICSExportPlugin). */
async function serveExport(backend: CalendarsDavBackend, uri: string, now: number, head: boolean): Promise<Response> {
  const cal = await backend.calendarAt(uri);
  if (!cal) throw new DavError(404, 'Calendar not found');
  return exportCalendar(backend.service, cal, now, head);
}

/** CalDAV routes: the calendar home of each user. */
export function calendarsRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const auth = requireUser({ onUnauthorized: davUnauthorized });
  for (const route of ['/remote.php/dav/calendars/:user', '/remote.php/dav/calendars/:user/*']) {
    app.use(route, auth);
    app.all(route, serveCalendars);
  }
  app.route('/', calendarResourcesRoutes()); // rooms and resources (scheduling), admin only
  return app;
}
