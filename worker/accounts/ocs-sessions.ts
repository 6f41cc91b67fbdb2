/**
 * The caller's browser sessions for "Devices & sessions" (the web app's personal settings):
 *   GET    /ocs/v2.php/apps/cumulus/api/v1/sessions        live sessions (browser, signed in, last active, current)
 *   DELETE /ocs/v2.php/apps/cumulus/api/v1/sessions/{id}   signs that browser out
 * Only the owner sees or ends their sessions; another user's id answers 404 like an unknown one.
 * Ending a session is protective (a lost laptop), so the session itself may do it (with the CSRF
 * token, as every cookie request that changes something).
 */
import { Hono } from 'hono';
import type { AppEnv } from '../http/env';
import { OcsError, ocsOk, ocsUnauthorized } from '../ocs/envelope';
import { requireUser } from './auth';
import { endSession, listSessions } from './sessions';

const API = '/apps/cumulus/api/v1/sessions';

export function sessionsOcsRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  r.use(`${API}/*`, requireUser({ onUnauthorized: ocsUnauthorized }));
  r.get(API, async (c) => {
    const user = c.get('user');
    const sessions = await listSessions(c.env, user.id, Date.now(), user.via === 'session' ? user.sessionHash : null);
    return ocsOk(c, sessions.map((s) => ({ ...s })));
  });
  r.delete(`${API}/:id`, async (c) => {
    if (!await endSession(c.env, c.get('user').id, c.req.param('id'))) throw new OcsError(404, 'No such session');
    return ocsOk(c);
  });
  return r;
}
