import { Hono, type Context } from 'hono';
import { davUnauthorized, requireUser } from '../../accounts/auth';
import { DavError } from '../../dav/errors';
import { serveDav } from '../../dav/server';
import type { AppEnv } from '../../http/env';
import { ownTreeMount, ownTreePath } from '../own-tree';
import { FilesService } from '../service';
import { bulkUpload } from './bulk';
import { FUTURE_FILE, UploadsDavBackend } from './dav-backend';
import { finishUpload } from './finish';
import { UploadStore } from './store';

/**
 * Serves `/remote.php/dav/uploads/{user}/…` to its owner only: anyone else gets 403 before
 * anything is read or stored. MOVE of `{id}/.file` completes an upload into the files tree.
 */
function serveUploads(c: Context<AppEnv>): Promise<Response> {
  const user = c.get('user');
  const path = ownTreePath(c, 'You may only access your own uploads');
  const method = c.req.method.toUpperCase();
  const [id, name, ...rest] = path.split('/');
  if (method === 'MOVE' && name === FUTURE_FILE && rest.length === 0) return finishUpload(c, id);
  // Chunks are never locked by clients; a LOCK would create an empty chunk (RFC 4918 §7.3).
  if (method === 'LOCK' || method === 'UNLOCK') throw new DavError(405, 'Uploads cannot be locked');
  const now = Date.now();
  const backend = new UploadsDavBackend(new UploadStore(c.env, user.id), new FilesService(c.env, user.id, user.quota), c.req.raw, now);
  return serveDav(ownTreeMount(c, 'uploads', backend, now), path);
}

/** Chunked upload (`/remote.php/dav/uploads/{user}/…`) and bulk upload (`POST /remote.php/dav/bulk`). */
export function uploadsRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const auth = requireUser({ onUnauthorized: davUnauthorized });
  app.use('/remote.php/dav/uploads/*', auth);
  app.use('/remote.php/dav/bulk', auth);
  app.all('/remote.php/dav/uploads/:user', serveUploads);
  app.all('/remote.php/dav/uploads/:user/*', serveUploads);
  app.post('/remote.php/dav/bulk', bulkUpload);
  app.all('/remote.php/dav/bulk', () => {
    throw new DavError(405, 'Bulk upload takes POST', { headers: { Allow: 'POST' } });
  });
  return app;
}
