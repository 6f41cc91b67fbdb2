/**
 * The trash retention policy, in the forms of Nextcloud's `trashbin_retention_obligation`, and the
 * 50 % rule. Pure functions: the clock and the sizes come from the caller.
 */

/** Days an item stays when the policy names none (Nextcloud's DEFAULT_RETENTION_OBLIGATION). */
export const DEFAULT_RETENTION_DAYS = 30;

const DAY = 86_400;

/** What a retention setting means. */
export interface RetentionPolicy {
  /** False for `disabled`: nothing expires, and the 50 % rule takes nothing either (as in Nextcloud). */
  readonly enabled: boolean;
  /** Items deleted longer ago than this many days are deleted for good. */
  readonly maxDays: number;
  /** The 50 % rule may take only items deleted longer ago than this; 0: any item. */
  readonly minDaysBeforePurge: number;
}

/** The policy when nothing is configured: `auto`. */
export const AUTO_POLICY: RetentionPolicy = { enabled: true, maxDays: DEFAULT_RETENTION_DAYS, minDaysBeforePurge: 0 };

/**
 * Parses `auto`, `D, auto`, `auto, D`, `D1, D2` and `disabled` (a lone `D` reads as `D, 30`, as in
 * Nextcloud's parser). Where Nextcloud's code keeps `auto` items until space is needed, this follows
 * the user manual and the issue: items older than the retention (30 days for `auto`, D for `D, auto`)
 * are deleted for good, and the 50 % rule may take any item sooner. `D1, D2` keeps items at least D1
 * days even when space is needed and deletes them after D2 (never before D1). Anything unreadable
 * falls back to `auto`, so a typo never keeps the trash forever nor empties it.
 */
export function parseRetention(raw: string | null | undefined): RetentionPolicy {
  const text = (raw ?? '').trim().toLowerCase();
  if (text === 'disabled') return { enabled: false, maxDays: Number.POSITIVE_INFINITY, minDaysBeforePurge: Number.POSITIVE_INFINITY };
  if (text === '') return AUTO_POLICY;
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length > 2) return AUTO_POLICY;
  const [first, second = first === 'auto' ? 'auto' : String(DEFAULT_RETENTION_DAYS)] = parts;
  const days = (v: string) => (/^\d{1,6}$/.test(v) ? Number(v) : null);
  const a = first === 'auto' ? 'auto' : days(first);
  const b = second === 'auto' ? 'auto' : days(second);
  if (a === null || b === null) return AUTO_POLICY;
  if (a === 'auto' && b === 'auto') return AUTO_POLICY;
  if (a === 'auto') return { enabled: true, maxDays: b as number, minDaysBeforePurge: 0 };
  if (b === 'auto') return { enabled: true, maxDays: a, minDaysBeforePurge: 0 };
  // Nextcloud (owncloud/core#16300): a maximum below the minimum is raised to it.
  return { enabled: true, maxDays: Math.max(a, b), minDaysBeforePurge: a };
}

/** The policy configured for this deployment (wrangler.toml `TRASHBIN_RETENTION_OBLIGATION`). */
export function policyOf(env: Env): RetentionPolicy {
  return parseRetention((env as { TRASHBIN_RETENTION_OBLIGATION?: string }).TRASHBIN_RETENTION_OBLIGATION);
}

/** True when an item deleted at `deletedAt` (seconds) is past the retention at `now` (seconds). */
export function isPastRetention(policy: RetentionPolicy, deletedAt: number, now: number): boolean {
  // A deletion time in the future (a clock set back) never expires, as in Nextcloud.
  if (!policy.enabled || deletedAt > now) return false;
  return now - deletedAt > policy.maxDays * DAY;
}

/** True when the 50 % rule may take an item deleted at `deletedAt`. */
export function mayPurgeForSpace(policy: RetentionPolicy, deletedAt: number, now: number): boolean {
  if (!policy.enabled) return false;
  return policy.minDaysBeforePurge === 0 || (deletedAt <= now && now - deletedAt > policy.minDaysBeforePurge * DAY);
}

/**
 * The 50 % rule: the most bytes the trash may hold, half of the owner's currently free space
 * (quota minus what the home uses; nothing when the account is full). Unlimited quota: no cap.
 */
export function trashLimit(quota: number | null, used: number): number {
  if (quota === null) return Number.POSITIVE_INFINITY;
  return Math.max(0, quota - used) / 2;
}
