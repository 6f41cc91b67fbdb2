import { Hono, type Context } from 'hono';
import { davUnauthorized, requireUser } from '../../accounts/auth';
import { DavError } from '../../dav/errors';
import { serveDav } from '../../dav/server';
import type { AppEnv } from '../../http/env';
import { ownTreeMount, ownTreePath } from '../own-tree';
import { FilesService } from '../service';
import { VersionsDavBackend } from './dav-backend';
import { VersionsService } from './service';

/**
 * Serves `/remote.php/dav/versions/{user}/…` to its owner only: anyone else gets 403 before
 * anything is read. A fileid of someone else's file is simply not found in the owner's tree.
 */
function serveVersions(c: Context<AppEnv>): Promise<Response> {
  const user = c.get('user');
  const path = ownTreePath(c, 'You may only access your own versions');
  const method = c.req.method.toUpperCase();
  if (method === 'LOCK' || method === 'UNLOCK') throw new DavError(405, 'Versions cannot be locked');
  const now = Date.now();
  const versions = new VersionsService(c.env, user.id, user.quota);
  const backend = new VersionsDavBackend(versions, new FilesService(c.env, user.id, user.quota), c.env, now);
  return serveDav(ownTreeMount(c, 'versions', backend, now), path);
}

/** File versions over WebDAV (`/remote.php/dav/versions/{user}/…`), as Nextcloud's files_versions serves them. */
export function versionsRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('/remote.php/dav/versions/*', requireUser({ onUnauthorized: davUnauthorized }));
  app.all('/remote.php/dav/versions/:user', serveVersions);
  app.all('/remote.php/dav/versions/:user/*', serveVersions);
  return app;
}
