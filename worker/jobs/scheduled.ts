import { purgeExpiredLoginFlows } from '../accounts/login-flows';
import { purgeStaleLoginFailures } from '../accounts/throttle';
import { purgeDeadSessions } from '../accounts/sessions';
import { purgeExpiredLocks } from '../files/jobs';
import { collectOrphanBlobs } from '../files/orphans';
import { expireTrash } from '../files/trash/jobs';
import { expireUploads } from '../files/uploads/jobs';
import { expireVersions } from '../files/versions/jobs';
import { refreshSubscriptions } from '../calendars/subscriptions';
import { purgeCalendarTrash } from '../calendars/trash';
import { sendReminders } from '../calendars/reminders';

/**
 * The scheduled() dispatcher. Every job lives with its domain and is listed here; jobs take their
 * clock from the controller's scheduledTime, so tests can play time forward.
 */
export type Job = (env: Env, now: Date) => Promise<void>;

const jobs: Job[] = [purgeExpiredLocks, purgeStaleLoginFailures, purgeExpiredLoginFlows, expireUploads, expireTrash, expireVersions, collectOrphanBlobs,
  refreshSubscriptions, purgeCalendarTrash, sendReminders, purgeDeadSessions];

/** Runs every job; one failing job does not stop the others. */
export async function runScheduledJobs(controller: ScheduledController, env: Env): Promise<void> {
  const now = new Date(controller.scheduledTime);
  const results = await Promise.allSettled(jobs.map((job) => job(env, now)));
  for (const r of results) if (r.status === 'rejected') console.error('scheduled job failed:', r.reason);
}
