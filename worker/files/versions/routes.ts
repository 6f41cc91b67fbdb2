import { Hono, type Context } from 'hono';
import { davUnauthorized, requireUser } from '../../accounts/auth';
import { DavError } from '../../dav/errors';
import { decodeRelativePath } from '../../dav/paths';
import type { DavMount } from '../../dav/request';
import { serveDav } from '../../dav/server';
import type { AppEnv } from '../../http/env';
import { FilesService } from '../service';
import { VersionsDavBackend, type VersionNode } from './dav-backend';
import { VersionsService } from './service';

/** Segments of `/remote.php/dav/versions/{user}` before the path inside the versions tree. */
const PREFIX_SEGMENTS = 4;

/**
 * Serves `/remote.php/dav/versions/{user}/…` to its owner only: anyone else gets 403 before
 * anything is read. A fileid of someone else's file is simply not found in the owner's tree.
 */
function serveVersions(c: Context<AppEnv>): Promise<Response> {
  const user = c.get('user');
  const rawSegments = new URL(c.req.url).pathname.split('/').filter((s) => s !== '');
  let urlUser: string;
  try {
    urlUser = decodeURIComponent(rawSegments[3]).normalize('NFC');
  } catch {
    throw new DavError(400, 'Malformed user in path');
  }
  if (urlUser !== user.id) throw new DavError(403, 'You may only access your own versions');
  const path = decodeRelativePath(rawSegments.slice(PREFIX_SEGMENTS).join('/'));
  const method = c.req.method.toUpperCase();
  if (method === 'LOCK' || method === 'UNLOCK') throw new DavError(405, 'Versions cannot be locked');
  const now = Date.now();
  const versions = new VersionsService(c.env, user.id, user.quota);
  const backend = new VersionsDavBackend(versions, new FilesService(c.env, user.id, user.quota), c.env, now);
  const mount: DavMount<VersionNode> = {
    backend,
    prefixes: [['remote.php', 'dav', 'versions', user.id]],
    ctx: {
      principal: user.id,
      baseHref: `/remote.php/dav/versions/${encodeURIComponent(user.id)}`,
      request: c.req.raw,
      now,
      waitUntil: (p) => c.executionCtx.waitUntil(p),
    },
  };
  return serveDav(mount, path);
}

/** File versions over WebDAV (`/remote.php/dav/versions/{user}/…`), as Nextcloud's files_versions serves them. */
export function versionsRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('/remote.php/dav/versions/*', requireUser({ onUnauthorized: davUnauthorized }));
  app.all('/remote.php/dav/versions/:user', serveVersions);
  app.all('/remote.php/dav/versions/:user/*', serveVersions);
  return app;
}
