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
 * clock from jobClock, so tests can play time forward.
 */
export type Job = (env: Env, now: Date) => Promise<void>;

const jobs: Job[] = [purgeExpiredLocks, purgeStaleLoginFailures, purgeExpiredLoginFlows, expireUploads, expireTrash, expireVersions, collectOrphanBlobs,
  refreshSubscriptions, purgeCalendarTrash, sendReminders, purgeDeadSessions];

/**
 * The jobs' clock: the trigger's time, but never later than the real clock. Under `npm start`,
 * wrangler dev answers /cdn-cgi/handler/scheduled?time=… on the server's own port without any
 * login, and a forged future time would expire trash, versions and uploads early. Only a server
 * the test harness started with CUMULUS_TEST_CLOCK=1 (scripts/start.mjs) may be played forward.
 * (On Cloudflare that endpoint does not exist and scheduledTime is the cron's own time.)
 */
export function jobClock(controller: ScheduledController, env: Env): Date {
  const testClock = (env as Env & { CUMULUS_TEST_CLOCK?: string }).CUMULUS_TEST_CLOCK === '1';
  return new Date(testClock ? controller.scheduledTime : Math.min(controller.scheduledTime, Date.now()));
}

/** Runs every job; one failing job does not stop the others. */
export async function runScheduledJobs(controller: ScheduledController, env: Env): Promise<void> {
  const now = jobClock(controller, env);
  const results = await Promise.allSettled(jobs.map((job) => job(env, now)));
  for (const r of results) if (r.status === 'rejected') console.error('scheduled job failed:', r.reason);
}
