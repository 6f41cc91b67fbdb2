import { Hono, type Context } from 'hono';
import { davUnauthorized, requireUser } from '../accounts/auth';
import type { AppEnv } from '../http/env';
import { decodeRelativePath } from '../dav/paths';
import type { DavMount } from '../dav/request';
import { serveDav } from '../dav/server';
import { PrincipalsDavBackend, type PrincipalNode } from './dav-backend';

/** Serves `/remote.php/dav/` and `/remote.php/dav/principals/…` for the authenticated user. */
function servePrincipals(c: Context<AppEnv>): Promise<Response> {
  const user = c.get('user');
  const raw = new URL(c.req.url).pathname.split('/').filter((s) => s !== '');
  const path = decodeRelativePath(raw.slice(2).join('/'));
  const mount: DavMount<PrincipalNode> = {
    backend: new PrincipalsDavBackend(c.env, { id: user.id, email: user.email }),
    prefixes: [['remote.php', 'dav']],
    ctx: { principal: user.id, baseHref: '/remote.php/dav', request: c.req.raw, now: Date.now(), waitUntil: (p) => c.executionCtx.waitUntil(p) },
  };
  return serveDav(mount, path);
}

/**
 * Discovery (RFC 6764 §5, RFC 5397): the well-known URLs redirect to the DAV root, whose
 * current-user-principal leads to the principal and from there to the homes.
 */
export function principalsRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  // Nextcloud answers 301 for any method; clients follow it with PROPFIND.
  for (const name of ['caldav', 'carddav']) {
    app.all(`/.well-known/${name}`, (c) => c.redirect('/remote.php/dav/', 301));
  }
  const auth = requireUser({ onUnauthorized: davUnauthorized });
  for (const route of ['/remote.php/dav', '/remote.php/dav/', '/remote.php/dav/principals', '/remote.php/dav/principals/*']) {
    app.use(route, auth);
    app.all(route, servePrincipals);
  }
  return app;
}
