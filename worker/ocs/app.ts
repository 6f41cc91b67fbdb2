/**
 * The OCS mount: every OCS route of every domain, served under both /ocs/v1.php and /ocs/v2.php
 * (the envelope tells the versions apart by URL). Domains add their router here, above the
 * catch-all, so that unknown OCS routes answer as Nextcloud does (998) instead of a bare 404.
 */
import { Hono } from 'hono';
import { groupsOcsRoutes } from '../accounts/ocs-groups';
import { usersOcsRoutes } from '../accounts/ocs-users';
import type { AppEnv } from '../http/env';
import { ocsNotFound } from './envelope';

/** The app to mount at `/ocs`. */
export function createOcsApp(): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  api.route('/', usersOcsRoutes());
  api.route('/', groupsOcsRoutes());
  api.all('*', (c) => ocsNotFound(c));

  const ocs = new Hono<AppEnv>();
  ocs.route('/v1.php', api);
  ocs.route('/v2.php', api);
  return ocs;
}
