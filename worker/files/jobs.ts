import { lt } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { locks } from '../../schema';

/** Removes expired WebDAV locks of every user (they are already ignored; this reclaims rows). */
export async function purgeExpiredLocks(env: Env, now: Date): Promise<void> {
  await drizzle(env.DB).delete(locks).where(lt(locks.expiresAt, now.getTime()));
}
