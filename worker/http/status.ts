/**
 * `GET /status.php` (also `/index.php/status.php`): the first thing every Nextcloud client asks.
 * Unauthenticated, one cheap query at most (none once installed: isInstalled caches it).
 */
import { Hono } from 'hono';
import { isInstalled } from '../accounts/install';
import type { AppEnv } from './env';

/** The Nextcloud version Cumulus speaks; ≥ 16 enables Login Flow v2 in clients, 30 is current. */
export const NEXTCLOUD_VERSION = {
  major: 30, minor: 0, micro: 4, version: '30.0.4.1', versionstring: '30.0.4',
} as const;

/** The status route. */
export function statusRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  r.get('/status.php', async (c) => {
    let installed = false;
    let maintenance = false;
    try {
      installed = await isInstalled(c.env);
    } catch (err) {
      // Without the database nothing works; "maintenance" makes clients wait and retry instead of
      // offering to set up a new server.
      console.error(`status.php: database unavailable (request ${c.get('requestId')}):`, err);
      maintenance = true;
    }
    // Key order and compact encoding as Nextcloud's status.php.
    const body = {
      installed, maintenance, needsDbUpgrade: false,
      version: NEXTCLOUD_VERSION.version, versionstring: NEXTCLOUD_VERSION.versionstring,
      edition: '', productname: 'Nextcloud', extendedSupport: false,
    };
    return new Response(JSON.stringify(body), {
      status: maintenance ? 503 : 200,
      headers: {
        'Content-Type': 'application/json; charset=utf-8',
        // Nextcloud allows any origin here: web clients probe servers with it.
        'Access-Control-Allow-Origin': '*',
        'Cache-Control': 'no-store',
      },
    });
  });
  return r;
}
