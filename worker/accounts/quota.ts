/**
 * Storage quotas: parsing what admins type ("1 GB", "500 MB", "none") and reading a user's quota
 * for the other domains (files checks it before every write).
 */
import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { users } from '../../schema/accounts';
import { NotFound } from '../errors';
import { InvalidField } from './errors';

/** Bytes a user's files may take; null means unlimited. */
export type Quota = number | null;

/** Bytes a user's files take now. Implemented by the files domain (worker/files/usage.ts). */
export type QuotaUsage = (env: Env, userId: string) => Promise<number>;

// Binary multiples, as Nextcloud's computerFileSize: "1 GB" is 1024³ bytes.
const UNITS: Record<string, number> = {
  '': 1, b: 1,
  k: 1024, kb: 1024,
  m: 1024 ** 2, mb: 1024 ** 2,
  g: 1024 ** 3, gb: 1024 ** 3,
  t: 1024 ** 4, tb: 1024 ** 4,
  p: 1024 ** 5, pb: 1024 ** 5,
};

/**
 * Parses a quota as Nextcloud's provisioning API accepts it: bytes ("1073741824"), a human size
 * ("1 GB", "1.5gb", "500 MB") or "none"/"default" for unlimited. Throws InvalidField otherwise.
 */
export function parseQuota(value: string): Quota {
  const text = value.trim().toLowerCase();
  // There is no instance-wide default quota yet, so "default" is unlimited like "none".
  if (text === 'none' || text === 'default') return null;
  const match = /^(\d+(?:\.\d+)?)\s*([kmgtp]?b?)$/.exec(text);
  const bytes = match ? Math.round(Number(match[1]) * UNITS[match[2]]) : NaN;
  if (!Number.isSafeInteger(bytes)) throw new InvalidField('quota', `Invalid quota value ${value}`);
  return bytes;
}

/** Returns `quota` if it is null or a whole number of bytes ≥ 0, else throws InvalidField. */
export function checkQuota(quota: Quota): Quota {
  if (quota !== null && !(Number.isSafeInteger(quota) && quota >= 0)) {
    throw new InvalidField('quota', `Invalid quota value ${quota}`);
  }
  return quota;
}

/** The quota of an existing user (null = unlimited); throws NotFound for an unknown user. */
export async function getUserQuota(env: Env, userId: string): Promise<Quota> {
  const row = await drizzle(env.DB).select({ quota: users.quota }).from(users)
    .where(eq(users.id, userId)).get();
  if (!row) throw new NotFound(`No user ${userId}`);
  return row.quota;
}
