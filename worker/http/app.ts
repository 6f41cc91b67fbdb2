import { Hono } from 'hono';
import { mount } from 'hono/mount';
import type { AppEnv } from './env';
import { plainNotFound, renderError } from './errors';
import { requestId, securityHeaders } from './middleware';
import { filesRoutes } from '../files/routes';
import { createOcsApp } from '../ocs/app';
import { loginFlowRoutes } from '../accounts/login-flow-routes';
import { setupRoutes } from '../accounts/setup';
import { statusRoutes } from './status';
import { principalsRoutes } from '../principals/routes';
import { calendarsRoutes } from '../calendars/routes';
import { publicCalendarRoutes } from '../calendars/public-routes';
import { contactsRoutes } from '../contacts/routes';
import { sessionRoutes } from '../accounts/sessions-routes';
import { webRoutes } from '../web/routes';

/**
 * The Hono app: middleware, then each domain's routes. Every Nextcloud route also exists with an
 * `/index.php` prefix; the fetch entry (worker/index.ts) strips that prefix before routing.
 */
export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', requestId());
  app.use('*', securityHeaders());
  app.onError(renderError);
  app.notFound(plainNotFound);
  // Domain routes are mounted here (one line per domain).
  app.route('/', filesRoutes());
  app.route('/', principalsRoutes());
  app.route('/', calendarsRoutes());
  app.route('/', publicCalendarRoutes());
  app.route('/', contactsRoutes());
  app.route('/', statusRoutes());
  // Before setupRoutes: once installed, `GET /` is the web app; before, it falls through to setup.
  app.route('/', webRoutes());
  app.route('/', setupRoutes());
  app.route('/', sessionRoutes());
  app.route('/', loginFlowRoutes());
  // OCS is an app of its own behind one route: its fixed segments beside parameters
  // (/cloud/users/details, /cloud/users/:userId) would make this app's router fall back from one
  // regular expression (RegExpRouter) to a trie walk, about 0.3 ms of CPU on every request.
  app.all('/ocs/*', mount(createOcsApp().fetch, { replaceRequest: false }));
  return app;
}
