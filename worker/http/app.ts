import { Hono } from 'hono';
import type { AppEnv } from './env';
import { renderError } from './errors';
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
  app.notFound((c) => c.text('Not found\n', 404));
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
  app.route('/ocs', createOcsApp());
  return app;
}
