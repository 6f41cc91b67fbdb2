import { Hono, type Context } from 'hono';
import { davUnauthorized, requireUser } from '../../accounts/auth';
import { DavError } from '../../dav/errors';
import { serveDav } from '../../dav/server';
import type { AppEnv } from '../../http/env';
import { ownTreeMount, ownTreePath } from '../own-tree';
import { TrashDavBackend } from './dav-backend';
import { TrashService } from './service';

/**
 * Serves `/remote.php/dav/trashbin/{user}/…` to its owner only: anyone else gets 403 before
 * anything is read. A restore's Destination must lie in the same tree (`restore/`), so another
 * user's trash or files are out of reach (403 from the DAV core).
 */
function serveTrash(c: Context<AppEnv>): Promise<Response> {
  const user = c.get('user');
  const path = ownTreePath(c, 'You may only access your own trash bin');
  const method = c.req.method.toUpperCase();
  if (method === 'LOCK' || method === 'UNLOCK') throw new DavError(405, 'The trash bin cannot be locked');
  const now = Date.now();
  const backend = new TrashDavBackend(new TrashService(c.env, user.id, user.quota), { id: user.id, displayName: user.displayName });
  return serveDav(ownTreeMount(c, 'trashbin', backend, now), path);
}

/** The trash bin over WebDAV: `/remote.php/dav/trashbin/{user}/{trash,restore}/…` (Nextcloud's files_trashbin). */
export function trashRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('/remote.php/dav/trashbin/*', requireUser({ onUnauthorized: davUnauthorized }));
  app.all('/remote.php/dav/trashbin/:user', serveTrash);
  app.all('/remote.php/dav/trashbin/:user/*', serveTrash);
  return app;
}
