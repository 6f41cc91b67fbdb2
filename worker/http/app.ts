import { Hono } from 'hono';
import type { AppEnv } from './env';
import { renderError } from './errors';
import { requestId, securityHeaders } from './middleware';

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
  return app;
}
