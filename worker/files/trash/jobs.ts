import { TRASH_ROOT } from '../tree';
import { isPastRetention, policyOf, trashLimit } from './retention';
import { TrashService } from './service';

/**
 * The retention job (Cron Trigger, clock from the caller): for every owner with something in the
 * trash, entries past the retention go for good, then the oldest while the trash holds more than
 * half the owner's free space. One query finds the owners with work to do; the others cost nothing.
 * It reads the owners' own entries (trash_items is indexed by user): every trashed item has one.
 */
export async function expireTrash(env: Env, now: Date): Promise<void> {
  const policy = policyOf(env);
  if (!policy.enabled) return;
  const nowSeconds = Math.floor(now.getTime() / 1000);
  // The owner's quota is read here (users.quota) because the job has no request and no AuthUser.
  const { results } = await env.DB.prepare(
    `SELECT u.id AS owner, u.quota AS quota,
       (SELECT MIN(t.deleted_at) FROM trash_items AS t WHERE t.user = u.id) AS oldest,
       (SELECT f.size FROM files AS f WHERE f.owner = u.id AND f.path = '') AS used,
       (SELECT f.size FROM files AS f WHERE f.owner = u.id AND f.path = ?) AS trash
     FROM users AS u WHERE EXISTS (SELECT 1 FROM trash_items AS t WHERE t.user = u.id)`,
  ).bind(TRASH_ROOT).all<{ owner: string; quota: number | null; oldest: number; used: number | null; trash: number | null }>();
  const failures: unknown[] = [];
  for (const r of results) {
    const sizes = { used: r.used ?? 0, trash: r.trash ?? 0 };
    const due = isPastRetention(policy, r.oldest, nowSeconds) || sizes.trash > trashLimit(r.quota, sizes.used);
    if (!due) continue;
    try {
      await new TrashService(env, r.owner, r.quota, () => now.getTime(), policy).expire(sizes);
    } catch (e) {
      // One owner's failure must not keep the others' trash from expiring.
      failures.push(e);
    }
  }
  if (failures.length) throw new AggregateError(failures, `expireTrash failed for ${failures.length} owner(s)`);
}
