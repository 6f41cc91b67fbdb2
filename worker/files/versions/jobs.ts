import { inArray } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { fileVersions, users } from '../../../schema';
import { expireOwnerVersions } from './expire';

/**
 * The cron's pass over every owner who has versions: the thinning schedule for all their files,
 * then the 50 % rule against their free space now (a write elsewhere may have shrunk it). One
 * owner failing does not stop the others.
 */
export async function expireVersions(env: Env, now: Date): Promise<void> {
  const db = drizzle(env.DB);
  const owners = db.selectDistinct({ owner: fileVersions.owner }).from(fileVersions);
  const rows = await db.select({ id: users.id, quota: users.quota }).from(users).where(inArray(users.id, owners));
  const seconds = Math.floor(now.getTime() / 1000);
  for (const u of rows) {
    try {
      await expireOwnerVersions(env, u.id, u.quota, seconds);
    } catch (e) {
      console.error(`version expiry of ${u.id} failed:`, e);
    }
  }
}
