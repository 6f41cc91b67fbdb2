/**
 * The OCS mount: every OCS route of every domain, served under both /ocs/v1.php and /ocs/v2.php
 * (the envelope tells the versions apart by URL). Domains add their router here, above the
 * catch-all, so that unknown OCS routes answer as Nextcloud does (998) instead of a bare 404;
 * they add their capability block to the registry below.
 */
import { Hono } from 'hono';
import { bruteforceCapabilities } from '../accounts/capabilities';
import { appPasswordsOcsRoutes } from '../accounts/ocs-app-passwords';
import { groupsOcsRoutes } from '../accounts/ocs-groups';
import { usersOcsRoutes } from '../accounts/ocs-users';
import { fsckOcsRoutes } from '../files/fsck-routes';
import type { AppEnv } from '../http/env';
import { plainNotFound, renderError } from '../http/errors';
import { requestId } from '../http/middleware';
import { notificationsOcsRoutes } from '../notifications/routes';
import { davSharesOcsRoutes } from '../dav-sharing/routes';
import { sessionsOcsRoutes } from '../accounts/ocs-sessions';
import { CapabilityRegistry, capabilitiesRoutes } from './capabilities';
import { configRoutes } from './config';
import { checksumCapabilities, coreCapabilities, davCapabilities, filesCapabilities } from './core-capabilities';
import { ocsNotFound } from './envelope';

/** The capability blocks, one per feature, in the order clients see them. */
export function createCapabilities(): CapabilityRegistry {
  return new CapabilityRegistry()
    .register('core', coreCapabilities)
    .register('bruteforce', bruteforceCapabilities)
    .register('dav', davCapabilities)
    .register('files', filesCapabilities)
    .register('checksums', checksumCapabilities);
}

/** The app serving `/ocs/…` (whole paths, not rewritten). */
export function createOcsApp(): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  api.route('/', capabilitiesRoutes(createCapabilities()));
  api.route('/', configRoutes());
  api.route('/', usersOcsRoutes());
  api.route('/', groupsOcsRoutes());
  api.route('/', appPasswordsOcsRoutes());
  api.route('/', fsckOcsRoutes());
  api.route('/', notificationsOcsRoutes());
  api.route('/', davSharesOcsRoutes());
  api.route('/', sessionsOcsRoutes());
  api.all('*', (c) => ocsNotFound(c));

  // Its own app with its own router (worker/http/app.ts says why), so its own request id and
  // error rendering too.
  const ocs = new Hono<AppEnv>();
  ocs.use('*', requestId());
  ocs.onError(renderError);
  ocs.notFound(plainNotFound);
  ocs.route('/ocs/v1.php', api);
  ocs.route('/ocs/v2.php', api);
  return ocs;
}
