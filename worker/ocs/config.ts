/**
 * `GET /ocs/v{1,2}.php/config`: the OCS provider description. The desktop client calls it after
 * login and only needs a valid OCS answer. Public, as in Nextcloud.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../http/env';
import { ocsOk } from './envelope';

/** The config route. */
export function configRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  r.get('/config', (c) => {
    const url = new URL(c.req.url);
    // Nextcloud sends ssl as a string (always "false"); we say whether this request came over TLS.
    return ocsOk(c, {
      version: '1.7', website: 'Nextcloud', host: url.host, contact: '', ssl: String(url.protocol === 'https:'),
    });
  });
  return r;
}
