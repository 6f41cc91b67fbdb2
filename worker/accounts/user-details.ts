/**
 * The user object of Nextcloud's provisioning API (`cloud/user`, `cloud/users/{id}`), built from
 * an account. Fields Cumulus has no concept of are present and empty so clients find the keys.
 */
import { usedBytes } from '../files/usage';
import type { OcsData } from '../ocs/envelope';
import { listUserGroups } from './groups';
import type { QuotaUsage } from './quota';
import type { UserRecord } from './users';

/** Nextcloud's "unlimited" (FileInfo::SPACE_UNLIMITED). */
const SPACE_UNLIMITED = -3;

/** The provisioning API's quota object, computed like Nextcloud's storage info. */
export function quotaInfo(quota: number | null, used: number): Record<string, OcsData> {
  if (quota === null) {
    // Object storage has no free-space figure: Nextcloud then reports free = total = "unlimited".
    return { free: SPACE_UNLIMITED, used, total: SPACE_UNLIMITED, relative: 0, quota: SPACE_UNLIMITED };
  }
  const relative = quota > 0 ? Math.round((used / quota) * 10000) / 100 : 0;
  return { free: Math.max(quota - used, 0), used, total: quota, relative, quota };
}

/** The full user object; `usage` is injectable for tests. */
export async function userDetails(
  env: Env, user: UserRecord, usage: QuotaUsage = usedBytes,
): Promise<Record<string, OcsData>> {
  const [groups, used] = await Promise.all([listUserGroups(env, user.id), usage(env, user.id)]);
  return {
    enabled: user.enabled,
    id: user.id,
    // Nextcloud reports milliseconds; 0 = never logged in.
    lastLogin: (user.lastLogin ?? 0) * 1000,
    backend: 'Database',
    subadmin: [],
    quota: quotaInfo(user.quota, used),
    manager: '',
    email: user.email,
    'additional_mail': [],
    displayname: user.displayName,
    'display-name': user.displayName,
    phone: '',
    address: '',
    website: '',
    twitter: '',
    fediverse: '',
    organisation: '',
    role: '',
    headline: '',
    biography: '',
    'profile_enabled': '1',
    groups,
    language: 'en',
    locale: '',
    'notify_email': null,
    backendCapabilities: { setDisplayName: true, setPassword: true },
  };
}
