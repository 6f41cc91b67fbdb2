/**
 * Serves the web app (web/, built by Vite into web/dist, bound as ASSETS): its HTML for the app's
 * own pages, its hashed scripts and styles under /assets/. wrangler.toml runs the Worker first for
 * every request, so the DAV, OCS and login-flow routes never meet the asset server; only the
 * routes here ask it for files.
 */
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../http/env';
import { isInstalled } from '../accounts/install';

/**
 * The app's policy: its own scripts, styles, images, fonts (the bundled OpenDyslexic), media (the
 * viewer's <audio>/<video> on WebDAV URLs) and API calls only; no inline script, no framing, no plugins, forms and <base> nowhere else. Inline style *attributes* set through the DOM (list
 * virtualization) are CSSOM and need no 'unsafe-inline'.
 */
export const APP_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self'; "
  + "font-src 'self'; connect-src 'self'; manifest-src 'self'; form-action 'self'; base-uri 'none'; "
  + "frame-ancestors 'none'; object-src 'none'";

/** The page routes of the app; each answers the same HTML and the app routes in the browser. */
const APP_PAGES = ['/login', '/apps/files', '/apps/files/', '/apps/files/*', '/apps/viewer', '/apps/viewer/',
  '/apps/viewer/*', '/settings', '/settings/*'];

/** `GET /` (once installed), the app's pages, `/assets/*` and `/fonts/*`. */
export function webRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();

  r.get('/', async (c, next) => {
    // Before the first account exists, `/` is the setup page (accounts/setup.ts).
    if (!await isInstalled(c.env)) return next();
    return appHtml(c);
  });
  for (const page of APP_PAGES) r.get(page, (c) => appHtml(c));

  r.get('/assets/*', async (c) => {
    const res = await staticFile(c);
    if (!res) return c.text('Not found\n', 404);
    // File names carry a content hash (Vite): a name never changes content.
    res.headers.set('Cache-Control', 'public, max-age=31536000, immutable');
    return res;
  });
  // The bundled font's licence (web/public/fonts/), served beside the font; not hashed, so the
  // asset server's own revalidating cache headers stay.
  r.get('/fonts/*', async (c) => await staticFile(c) ?? c.text('Not found\n', 404));

  return r;
}

/** A file of web/dist from the asset server, or null when there is none. */
async function staticFile(c: Context<AppEnv>): Promise<Response | null> {
  const res = await c.env.ASSETS.fetch(c.req.raw);
  // A revalidation (If-None-Match) that matched: not a missing file.
  if (res.status === 304) return new Response(null, res);
  // The asset server answers unknown paths with the app's HTML (SPA fallback): not for files.
  if (!res.ok || (res.headers.get('Content-Type') ?? '').startsWith('text/html')) return null;
  return new Response(res.body, res);
}

/** The app's index.html with its security headers; never cached, so a deploy takes effect. */
async function appHtml(c: Context<AppEnv>): Promise<Response> {
  const res = await c.env.ASSETS.fetch(new Request(new URL('/', c.req.url), { method: 'GET' }));
  if (!res.ok) {
    return c.text('The web app is not built: run `npm run build:web`.\n', 503);
  }
  return new Response(res.body, {
    status: 200,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-cache',
      'Content-Security-Policy': APP_CSP,
      // same-origin, not the app-wide no-referrer: under no-referrer, browsers send "Origin: null"
      // with the app's own POSTs, and the sign-in refuses a null Origin.
      'Referrer-Policy': 'same-origin',
      'X-Frame-Options': 'DENY',
    },
  });
}
