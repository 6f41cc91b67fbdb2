/**
 * OCS routes of the users half of Nextcloud's provisioning API (`/cloud/user`, `/cloud/users…`).
 * Mounted by worker/ocs/app.ts under /ocs/v1.php and /ocs/v2.php. Status codes follow Nextcloud's
 * provisioning_api; refusals of non-admins are OCS 403.
 */
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../http/env';
import { OcsError, ocsOk, ocsUnauthorized } from '../ocs/envelope';
import { listOptions, readParams } from '../ocs/params';
import { requireUser } from './auth';
import { addGroupMember, listUserGroups, removeGroupMember } from './groups';
import { ocsErrorFor } from './ocs-errors';
import { requireAdmin, requireSelfOrAdmin } from './ocs-guards';
import { parseQuota, type Quota } from './quota';
import { userDetails } from './user-details';
import {
  ADMIN_GROUP, createUser, deleteUser, getUser, listUsers, setUserEnabled, updateUser, type UserPatch,
} from './users';

type Ctx = Context<AppEnv>;

/** The users routes; authentication included. */
export function usersOcsRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  const auth = requireUser({ onUnauthorized: ocsUnauthorized });
  const admin = requireAdmin();
  const selfOrAdmin = requireSelfOrAdmin();
  r.use('/cloud/user', auth);
  // Hono's `/x/*` also matches `/x`: one registration, so a request authenticates once.
  r.use('/cloud/users/*', auth);

  r.get('/cloud/user', async (c) => ocsOk(c, await detailsOf(c, c.get('user').id)));

  r.get('/cloud/users', admin, async (c) => {
    const users = await listUsers(c.env, listOptions(await readParams(c)));
    return ocsOk(c, { users });
  });

  // Nextcloud's user list with every user's details, keyed by id (the admin users page): one page
  // of `limit` users (at most 100 here) at a time.
  r.get('/cloud/users/details', admin, async (c) => {
    const options = listOptions(await readParams(c));
    const ids = await listUsers(c.env, { ...options, limit: Math.min(options.limit ?? 100, 100) });
    const users: Record<string, Awaited<ReturnType<typeof userDetails>>> = {};
    for (const id of ids) {
      const user = await getUser(c.env, id);
      if (user) users[id] = await userDetails(c.env, user);
    }
    return ocsOk(c, { users });
  });

  r.post('/cloud/users', admin, async (c) => {
    const params = await readParams(c);
    const id = params.get('userid') ?? '';
    const password = params.get('password') ?? '';
    const email = params.get('email') ?? '';
    if (password === '') {
      // Nextcloud would e-mail a link to set one; Cumulus sends no mail yet, so one is required.
      throw new OcsError(email === '' ? 108 : 101, 'A password is required');
    }
    try {
      const quotaText = params.get('quota') ?? '';
      const quota: Quota | undefined = quotaText === '' ? undefined : parseQuota(quotaText);
      const user = await createUser(c.env, {
        id, password, email, quota,
        displayName: params.get('displayName') ?? params.get('displayname') ?? '',
        groups: params.getAll('groups').filter((g) => g !== ''),
      });
      return ocsOk(c, { id: user.id });
    } catch (err) {
      throw ocsErrorFor(err);
    }
  });

  r.get('/cloud/users/:userId', selfOrAdmin, async (c) => ocsOk(c, await detailsOf(c, c.req.param('userId'))));

  r.put('/cloud/users/:userId', selfOrAdmin, async (c) => {
    const params = await readParams(c);
    const key = params.get('key');
    const value = params.get('value');
    if (!key) throw new OcsError(101, 'Missing parameter key');
    if (value === undefined) throw new OcsError(101, 'Missing parameter value');
    const patch = editPatch(c, key, value);
    try {
      await updateUser(c.env, c.req.param('userId'), patch);
    } catch (err) {
      throw ocsErrorFor(err, { invalid: key === 'password' ? 102 : 101 });
    }
    return ocsOk(c);
  });

  r.delete('/cloud/users/:userId', admin, async (c) => {
    const id = c.req.param('userId');
    if (id === c.get('user').id) throw new OcsError(101, 'You cannot delete your own account');
    try {
      await deleteUser(c.env, id);
    } catch (err) {
      throw ocsErrorFor(err);
    }
    return ocsOk(c);
  });

  for (const [action, enabled] of [['enable', true], ['disable', false]] as const) {
    r.put(`/cloud/users/:userId/${action}`, admin, async (c) => {
      const id = c.req.param('userId');
      if (id === c.get('user').id) throw new OcsError(101, `You cannot ${action} your own account`);
      try {
        await setUserEnabled(c.env, id, enabled);
      } catch (err) {
        // Nextcloud answers 101 for an unknown user here (not 998).
        throw ocsErrorFor(err, { notFound: 101 });
      }
      return ocsOk(c);
    });
  }

  r.get('/cloud/users/:userId/groups', selfOrAdmin, async (c) => {
    const id = c.req.param('userId');
    if (!(await getUser(c.env, id))) throw new OcsError(998, 'User does not exist');
    return ocsOk(c, { groups: await listUserGroups(c.env, id) });
  });

  r.post('/cloud/users/:userId/groups', admin, (c) => changeMembership(c, 'add'));
  r.delete('/cloud/users/:userId/groups', admin, (c) => changeMembership(c, 'remove'));

  return r;
}

async function detailsOf(c: Ctx, id: string): Promise<Awaited<ReturnType<typeof userDetails>>> {
  const user = await getUser(c.env, id);
  if (!user) throw new OcsError(998, 'User does not exist');
  return userDetails(c.env, user);
}

/** Which edits a caller may make: everyone their own name, e-mail, password; admins also quotas. */
function editPatch(c: Ctx, key: string, value: string): UserPatch {
  switch (key) {
    case 'display':
    case 'displayname':
      return { displayName: value };
    case 'email':
      return { email: value };
    case 'password':
      // A stolen session or device token must not be able to lock the owner out: setting any
      // password needs the caller's login password on this very request (HTTP Basic), as
      // Nextcloud asks for a password confirmation.
      if (c.get('user').via !== 'password') {
        throw new OcsError(403, 'Changing a password needs your login password: send this request with it (HTTP Basic)');
      }
      return { password: value };
    case 'quota':
      if (!c.get('user').isAdmin) throw new OcsError(403, 'Only administrators can change quotas');
      try {
        return { quota: parseQuota(value) };
      } catch (err) {
        throw ocsErrorFor(err);
      }
    default:
      // Nextcloud's code for a field that cannot be edited.
      throw new OcsError(113, `Unknown or read-only field: ${key}`);
  }
}

async function changeMembership(c: Ctx, change: 'add' | 'remove'): Promise<Response> {
  const userId = c.req.param('userId') ?? '';
  const groupId = (await readParams(c)).get('groupid') ?? '';
  if (groupId.trim() === '') throw new OcsError(101, 'Missing parameter groupid');
  if (change === 'remove' && groupId === ADMIN_GROUP && userId === c.get('user').id) {
    throw new OcsError(105, 'Cannot remove yourself from the admin group');
  }
  try {
    if (change === 'add') await addGroupMember(c.env, groupId, userId);
    else await removeGroupMember(c.env, groupId, userId);
  } catch (err) {
    throw ocsErrorFor(err, { unknownGroup: 102, notFound: 103 });
  }
  return ocsOk(c);
}
