import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { listGroupMembers } from '../../worker/accounts/groups';
import { listUsers } from '../../worker/accounts/users';
import { call } from './helpers';

const postJson = (body: unknown) => call('/setup', {
  method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
});

describe('first-run setup by script (JSON, as scripts/start.mjs does)', () => {
  it('answers a short password with 400 and a JSON message', async () => {
    const res = await postJson({ adminlogin: 'ops', adminpass: '1234567' });
    expect(res.status).toBe(400);
    expect(res.headers.get('Content-Type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ error: 'The password must be at least 8 characters long' });
  });

  it('answers a body without the fields, or malformed JSON, with 400', async () => {
    expect((await postJson({ user: 'ops' })).status).toBe(400);
    expect((await postJson(['ops', 'pw'])).status).toBe(400);
    const res = await call('/setup', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"adminlogin":' });
    expect(res.status).toBe(400);
  });

  it('creates exactly one administrator when two setups race, and answers 201 JSON to the winner', async () => {
    const [a, b] = await Promise.all([
      postJson({ adminlogin: 'ops', adminpass: 'ops-password-1' }),
      postJson({ adminlogin: 'other', adminpass: 'other-password-1' }),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([201, 403]);
    const winner = a.status === 201 ? a : b;
    const body = await winner.json<{ id: string; installed: boolean }>();
    expect(body.installed).toBe(true);
    expect(await listUsers(env)).toEqual([body.id]);
    expect(await listGroupMembers(env, 'admin')).toEqual([body.id]);
  });
});
