import { Hono, type Context } from 'hono';
import { davUnauthorized, requireUser } from '../../accounts/auth';
import { DavError } from '../../dav/errors';
import { decodeRelativePath } from '../../dav/paths';
import type { DavMount } from '../../dav/request';
import { serveDav } from '../../dav/server';
import type { AppEnv } from '../../http/env';
import { TrashDavBackend, type TrashNode } from './dav-backend';
import { TrashService } from './service';

/** Segments of `/remote.php/dav/trashbin/{user}` before the path inside the trashbin tree. */
const PREFIX_SEGMENTS = 4;

/**
 * Serves `/remote.php/dav/trashbin/{user}/…` to its owner only: anyone else gets 403 before
 * anything is read. A restore's Destination must lie in the same tree (`restore/`), so another
 * user's trash or files are out of reach (403 from the DAV core).
 */
function serveTrash(c: Context<AppEnv>): Promise<Response> {
  const user = c.get('user');
  const rawSegments = new URL(c.req.url).pathname.split('/').filter((s) => s !== '');
  let urlUser: string;
  try {
    urlUser = decodeURIComponent(rawSegments[3]).normalize('NFC');
  } catch {
    throw new DavError(400, 'Malformed user in path');
  }
  if (urlUser !== user.id) throw new DavError(403, 'You may only access your own trash bin');
  const path = decodeRelativePath(rawSegments.slice(PREFIX_SEGMENTS).join('/'));
  const method = c.req.method.toUpperCase();
  if (method === 'LOCK' || method === 'UNLOCK') throw new DavError(405, 'The trash bin cannot be locked');
  const now = Date.now();
  const backend = new TrashDavBackend(new TrashService(c.env, user.id, user.quota), { id: user.id, displayName: user.displayName });
  const mount: DavMount<TrashNode> = {
    backend,
    prefixes: [['remote.php', 'dav', 'trashbin', user.id]],
    ctx: {
      principal: user.id,
      baseHref: `/remote.php/dav/trashbin/${encodeURIComponent(user.id)}`,
      request: c.req.raw,
      now,
      waitUntil: (p) => c.executionCtx.waitUntil(p),
    },
  };
  return serveDav(mount, path);
}

/** The trash bin over WebDAV: `/remote.php/dav/trashbin/{user}/{trash,restore}/…` (Nextcloud's files_trashbin). */
export function trashRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('/remote.php/dav/trashbin/*', requireUser({ onUnauthorized: davUnauthorized }));
  app.all('/remote.php/dav/trashbin/:user', serveTrash);
  app.all('/remote.php/dav/trashbin/:user/*', serveTrash);
  return app;
}
