import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import worker from '../../worker/index';
import { jobClock } from '../../worker/jobs/scheduled';
import { makeUser, type DavClient } from '../helpers';
import { trashbinOf } from '../files/trash/client';

const DAY = 86_400_000;

/** The environment of a real server: wrangler.toml's, without the test harness's CUMULUS_TEST_CLOCK. */
const serverEnv = (() => {
  const { CUMULUS_TEST_CLOCK: _testClock, ...rest } = env as Env & { CUMULUS_TEST_CLOCK?: string };
  return rest as Env;
})();

/** Runs the Worker's scheduled() handler as a trigger carrying `time` would. */
async function cronAt(time: number, e: Env) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: time, cron: '*/15 * * * *' }), e, ctx);
  await waitOnExecutionContext(ctx);
}

const trashed = async (client: DavClient) => (await trashbinOf(client).list()).map((i) => i.filename);

describe('the jobs clock (wrangler dev serves /cdn-cgi/handler/scheduled?time=… to anyone)', () => {
  let tina: DavClient;
  beforeAll(async () => {
    tina = await makeUser('clock-tina');
  });

  it('a trigger time in the future is capped at the real clock; a past one is kept', () => {
    const controller = (scheduledTime: number) => createScheduledController({ scheduledTime, cron: '*/15 * * * *' });
    const before = Date.now();
    const capped = jobClock(controller(before + 365 * DAY), serverEnv).getTime();
    expect(capped).toBeGreaterThanOrEqual(before);
    expect(capped).toBeLessThanOrEqual(Date.now());
    expect(jobClock(controller(before - DAY), serverEnv).getTime()).toBe(before - DAY);
    // The test harness's servers may play time forward.
    expect(jobClock(controller(before + 365 * DAY), env).getTime()).toBe(before + 365 * DAY);
  });

  it('a forged trigger 40 days ahead does not empty a trash deleted today; with the test clock it does', async () => {
    expect((await tina.put('/today.txt', 'deleted today')).status).toBe(201);
    expect((await tina.del('/today.txt')).status).toBe(204);
    await cronAt(Date.now() + 40 * DAY, serverEnv);
    expect(await trashed(tina)).toEqual(['today.txt']);
    await cronAt(Date.now() + 40 * DAY, env);
    expect(await trashed(tina)).toEqual([]);
  });
});
