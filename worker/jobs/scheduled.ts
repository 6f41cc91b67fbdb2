/**
 * The scheduled() dispatcher: every job lives with its domain and is listed here. Jobs take their
 * clock from the controller's scheduledTime, so tests can play time forward.
 */
export type Job = (env: Env, now: Date) => Promise<void>;

const jobs: Job[] = [];

/** Registers a domain job (called by the domain modules at import time of the composition root). */
export function registerJob(job: Job): void {
  jobs.push(job);
}

/** Runs every job; one failing job does not stop the others. */
export async function runScheduledJobs(controller: ScheduledController, env: Env): Promise<void> {
  const now = new Date(controller.scheduledTime);
  const results = await Promise.allSettled(jobs.map((job) => job(env, now)));
  for (const r of results) if (r.status === 'rejected') console.error('scheduled job failed:', r.reason);
}
