/**
 * OCS routes of app passwords. Nextcloud's own (core/AppPasswordController): exchange a login
 * password for an app password, delete or rotate the one in use. Cumulus's management API for the
 * web app (`apps/cumulus/api/v1/app-passwords`): list, create, revoke. Minting or revoking other
 * tokens needs the login password: a leaked device token must not be able to make more.
 */
import { Hono, type Context } from 'hono';
import { NotFound } from '../errors';
import type { AppEnv, AuthUser } from '../http/env';
import { OcsError, ocsOk, ocsUnauthorized, type OcsData } from '../ocs/envelope';
import { readParams } from '../ocs/params';
import {
  createAppPassword, listAppPasswords, normalizeAppPasswordName, revokeAppPassword, rotateAppPassword,
  type AppPasswordInfo,
} from './app-passwords';
import { requireUser } from './auth';

type Ctx = Context<AppEnv>;

/** Base path of the management API below /ocs/v{1,2}.php. */
export const APP_PASSWORDS_API = '/apps/cumulus/api/v1/app-passwords';

/** The app-password routes; authentication included. */
export function appPasswordsOcsRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  const auth = requireUser({ onUnauthorized: ocsUnauthorized });
  // Hono's `/x/*` also matches `/x`: one registration each, so a request authenticates once.
  r.use('/core/getapppassword', auth);
  r.use('/core/apppassword/*', auth);
  r.use(`${APP_PASSWORDS_API}/*`, auth);

  r.get('/core/getapppassword', async (c) => {
    const user = c.get('user');
    // Nextcloud's wording and code.
    if (user.via === 'app-password') throw new OcsError(403, 'You cannot request an new apppassword with an apppassword');
    const created = await createAppPassword(c.env, {
      userId: user.id, loginName: user.loginName, name: normalizeAppPasswordName(c.req.header('User-Agent') ?? ''),
    });
    return ocsOk(c, { apppassword: created.token });
  });

  r.delete('/core/apppassword', async (c) => {
    const user = inUseAppPassword(c);
    await revoke(c, user.id, user.appPasswordId, new OcsError(403, 'could not remove apptoken'));
    return ocsOk(c);
  });

  r.post('/core/apppassword/rotate', async (c) => {
    const user = inUseAppPassword(c);
    try {
      return ocsOk(c, { apppassword: await rotateAppPassword(c.env, user.id, user.appPasswordId) });
    } catch (err) {
      throw err instanceof NotFound ? new OcsError(403, 'could not rotate apptoken') : err;
    }
  });

  r.get(APP_PASSWORDS_API, async (c) => {
    const user = c.get('user');
    const current = user.via === 'app-password' ? user.appPasswordId : null;
    const list = await listAppPasswords(c.env, user.id);
    return ocsOk(c, list.map((p) => ({ ...describe(p), current: p.id === current })));
  });

  r.post(APP_PASSWORDS_API, async (c) => {
    const user = withLoginPassword(c);
    const name = (await readParams(c)).get('name') ?? '';
    if (name.trim() === '') throw new OcsError(400, 'Missing parameter name');
    const created = await createAppPassword(c.env, { userId: user.id, loginName: user.loginName, name });
    return ocsOk(c, { ...describe(created), appPassword: created.token }, 201);
  });

  r.delete(`${APP_PASSWORDS_API}/:id`, async (c) => {
    const user = withLoginPassword(c);
    await revoke(c, user.id, c.req.param('id'), new OcsError(404, 'No such app password'));
    return ocsOk(c);
  });

  return r;
}

function describe(p: AppPasswordInfo): Record<string, OcsData> {
  return { id: p.id, name: p.name, loginName: p.loginName, createdAt: p.createdAt, lastActivity: p.lastActivity };
}

/** The caller, who must have authenticated with an app password (Nextcloud: 403 otherwise). */
function inUseAppPassword(c: Ctx): Extract<AuthUser, { via: 'app-password' }> {
  const user = c.get('user');
  if (user.via !== 'app-password') throw new OcsError(403, 'no app password in use');
  return user;
}

/**
 * The caller, who must have authenticated this very request with the login password (HTTP
 * Basic): neither a device token nor a browser session may mint or revoke tokens on its own.
 */
function withLoginPassword(c: Ctx): AuthUser {
  const user = c.get('user');
  if (user.via !== 'password') throw new OcsError(403, 'Managing app passwords needs the login password');
  return user;
}

/** Revokes one of the user's app passwords; `missing` is thrown when there is no such token. */
async function revoke(c: Ctx, userId: string, id: string, missing: OcsError): Promise<void> {
  try {
    await revokeAppPassword(c.env, userId, id);
  } catch (err) {
    throw err instanceof NotFound ? missing : err;
  }
}
