import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './env';

/**
 * Gives every request an id (Cloudflare's ray id when present) and echoes it as X-Request-Id. An
 * id already on the response is kept: it is the one an inner app (OCS) logged with.
 */
export function requestId(): MiddlewareHandler<AppEnv> {
  return async function requestIdMiddleware(c, next) {
    const ray = c.req.header('cf-ray');
    const id = ray ?? crypto.randomUUID();
    c.set('requestId', id);
    await next();
    if (!c.res.headers.has('X-Request-Id')) c.res.headers.set('X-Request-Id', id);
  };
}

/** Security headers on every response (the web app adds its CSP with its pages). */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  return async function securityHeadersMiddleware(c, next) {
    await next();
    const h = c.res.headers;
    if (!h.has('X-Content-Type-Options')) h.set('X-Content-Type-Options', 'nosniff');
    // A response that states its own frame-ancestors (the calendar embed page) is framed by that
    // rule alone: X-Frame-Options would override it in older browsers.
    if (!h.has('X-Frame-Options') && !/frame-ancestors/i.test(h.get('Content-Security-Policy') ?? '')) h.set('X-Frame-Options', 'SAMEORIGIN');
    if (!h.has('Referrer-Policy')) h.set('Referrer-Policy', 'no-referrer');
  };
}
