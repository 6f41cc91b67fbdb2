/**
 * The admin fsck endpoint (`npm run fsck` calls it): GET checks, POST checks and repairs what is
 * derived. Under /ocs/v{1,2}.php/apps/cumulus/fsck; mounted by worker/ocs/app.ts.
 */
import { Hono, type Context } from 'hono';
import { requireUser } from '../accounts/auth';
import type { AppEnv } from '../http/env';
import { OcsError, ocsOk, ocsUnauthorized, type OcsData } from '../ocs/envelope';
import { runFsck } from './fsck';

const PATH = '/apps/cumulus/fsck';

async function fsck(c: Context<AppEnv>, repair: boolean): Promise<Response> {
  // It reads every row and lists every blob, and repair deletes: admins only.
  if (!c.get('user').isAdmin) throw new OcsError(403, 'Logged in account must be an admin');
  const report = await runFsck(c.env, { repair, now: new Date() });
  return ocsOk(c, report as unknown as OcsData);
}

/** GET: the report; POST: repair, then the report of what was found and what was repaired. */
export function fsckOcsRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  r.use(PATH, requireUser({ onUnauthorized: ocsUnauthorized }));
  r.get(PATH, (c) => fsck(c, false));
  r.post(PATH, (c) => fsck(c, true));
  return r;
}
