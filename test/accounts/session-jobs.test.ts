import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSession, purgeDeadSessions, SESSION_IDLE_MS, SESSION_MAX_AGE_MS, verifySession } from '../../worker/accounts/sessions';
import { addUser, installAdmin } from './helpers';

const count = async () => (await env.DB.prepare('SELECT count(*) AS n FROM web_sessions').first<{ n: number }>())!.n;

beforeAll(async () => {
  await installAdmin();
  await addUser({ id: 'sweepy', password: 'sweepy-password-1' });
});

describe('the dead-sessions cron job', () => {
  it('deletes a session at its absolute end even while in use, and one idle too long; keeps live ones', async () => {
    const t0 = Date.UTC(2026, 5, 1);
    const idle = await createSession(env, 'sweepy', 'sweepy', t0);
    const active = await createSession(env, 'sweepy', 'sweepy', t0);
    const old = await createSession(env, 'sweepy', 'sweepy', t0 - SESSION_MAX_AGE_MS + 60_000); // ends at t0 + 1 min
    // In use all along (its activity is kept fresh), yet it must end at its absolute expiry.
    await env.DB.prepare('UPDATE web_sessions SET last_activity = ? WHERE expires_at = ?').bind(t0, old.expiresAt).run();
    expect((await verifySession(env, old.token, t0 + 50_000)).ok).toBe(true);
    expect(await count()).toBe(3);
    await purgeDeadSessions(env, new Date(t0 + 120_000));
    expect(await count()).toBe(2); // only the one past its absolute end
    expect((await verifySession(env, active.token, t0 + SESSION_IDLE_MS - 120_000)).ok).toBe(true);
    await purgeDeadSessions(env, new Date(t0 + SESSION_IDLE_MS + 1000));
    expect(await count()).toBe(1); // the idle one went, the active one stays
    expect((await verifySession(env, active.token, t0 + SESSION_IDLE_MS + 2000)).ok).toBe(true);
    expect((await verifySession(env, idle.token, t0 + SESSION_IDLE_MS + 2000)).ok).toBe(false);
  });
});
