/**
 * Authorization guards of the accounts OCS routes (run after requireUser). Refusals are OCS 403:
 * the target's existence is never checked before the caller is allowed to know it.
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/env';
import { OcsError } from '../ocs/envelope';

/** Admits only members of the admin group (after requireUser). */
export function requireAdmin(): MiddlewareHandler<AppEnv> {
  return async function requireAdminMiddleware(c, next) {
    if (!c.get('user').isAdmin) throw new OcsError(403, 'Logged in account must be an admin');
    await next();
  };
}

/** Admits the user named by the `userId` route parameter, and admins. */
export function requireSelfOrAdmin(): MiddlewareHandler<AppEnv> {
  return async function requireSelfOrAdminMiddleware(c, next) {
    const me = c.get('user');
    if (!me.isAdmin && me.id !== c.req.param('userId')) {
      throw new OcsError(403, 'Only administrators can access other accounts');
    }
    await next();
  };
}
