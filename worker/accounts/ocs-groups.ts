/**
 * OCS routes of the groups half of Nextcloud's provisioning API (`/cloud/groups…`), admins only.
 * Status codes follow Nextcloud's provisioning_api GroupsController.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../http/env';
import { ocsOk, ocsUnauthorized } from '../ocs/envelope';
import { listOptions, readParams } from '../ocs/params';
import { requireUser } from './auth';
import { createGroup, deleteGroup, getGroup, listGroupMembers, listGroups } from './groups';
import { ADMIN_GROUP } from './users';
import { ocsErrorFor } from './ocs-errors';
import { requireAdmin } from './ocs-guards';

/** The groups routes; authentication included. */
export function groupsOcsRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  const auth = requireUser({ onUnauthorized: ocsUnauthorized });
  const admin = requireAdmin();
  // Hono's `/x/*` also matches `/x`: one registration, so a request authenticates once.
  r.use('/cloud/groups/*', auth, admin);

  r.get('/cloud/groups', async (c) => {
    const groups = await listGroups(c.env, listOptions(await readParams(c)));
    return ocsOk(c, { groups });
  });

  // Nextcloud's group list with display names and member counts (the admin groups page).
  r.get('/cloud/groups/details', async (c) => {
    const ids = await listGroups(c.env, listOptions(await readParams(c)));
    const groups = [];
    for (const id of ids) {
      const group = await getGroup(c.env, id);
      if (!group) continue;
      const members = await listGroupMembers(c.env, id);
      groups.push({ id, displayname: group.displayName, usercount: members.length, disabled: 0, canAdd: true, canRemove: id !== ADMIN_GROUP });
    }
    return ocsOk(c, { groups });
  });

  r.post('/cloud/groups', async (c) => {
    const params = await readParams(c);
    const id = params.get('groupid') ?? '';
    try {
      await createGroup(c.env, id, params.get('displayname') ?? '');
    } catch (err) {
      throw ocsErrorFor(err, { invalid: 101, exists: 102 });
    }
    return ocsOk(c);
  });

  r.get('/cloud/groups/:groupId', async (c) => {
    try {
      return ocsOk(c, { users: await listGroupMembers(c.env, c.req.param('groupId')) });
    } catch (err) {
      // Nextcloud throws OCSNotFoundException here: status 404 rather than 998.
      throw ocsErrorFor(err, { unknownGroup: 404 });
    }
  });

  r.delete('/cloud/groups/:groupId', async (c) => {
    try {
      await deleteGroup(c.env, c.req.param('groupId'));
    } catch (err) {
      throw ocsErrorFor(err, { unknownGroup: 101, forbidden: 102 });
    }
    return ocsOk(c);
  });

  return r;
}
