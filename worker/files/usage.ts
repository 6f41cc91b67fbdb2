/**
 * Storage used per user, for quotas (OCS cloud/user, DAV quota-used-bytes). Owned by the files
 * domain; accounts only reads it through the QuotaUsage signature.
 */
import { and, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { files } from '../../schema/files';
import type { QuotaUsage } from '../accounts/quota';

/**
 * Bytes in the user's home: the size of the home row, which sums everything below it
 * (ETag/size propagation keeps it current). 0 before the home exists (it is created lazily).
 */
export const usedBytes: QuotaUsage = async (env, userId) => {
  const row = await drizzle(env.DB).select({ size: files.size }).from(files)
    .where(and(eq(files.owner, userId), eq(files.path, ''))).get();
  return row?.size ?? 0;
};
