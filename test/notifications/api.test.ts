import { beforeAll, describe, expect, it } from 'vitest';
import { env } from 'cloudflare:test';
import { notificationInsert } from '../../worker/notifications/store';
import { davRequest } from '../calendars/dav-helpers';
import { makeUser } from '../helpers';

const API = '/ocs/v2.php/apps/notifications/api/v2/notifications';
const OCS = { 'OCS-APIRequest': 'true', Accept: 'application/json' };
const call = (user: string | null, method: string, path = API) => davRequest(user, method, path, { headers: OCS });

async function listOf(user: string): Promise<{ notification_id: number; subject: string }[]> {
  const res = await call(user, 'GET');
  expect(res.status).toBe(200);
  return ((await res.json()) as { ocs: { data: never[] } }).ocs.data;
}

async function add(user: string, subject: string, at: number): Promise<void> {
  await notificationInsert(env, { user, app: 'dav', objectType: 'calendar_reminder', objectId: '1', subject, message: 'm', link: '/x', createdAt: at });
}

beforeAll(async () => {
  await makeUser('nina');
  await makeUser('otto');
  await add('nina', 'first', Date.UTC(2026, 2, 1, 9, 0, 0));
  await add('nina', 'second', Date.UTC(2026, 2, 1, 9, 30, 0));
  await add('otto', 'otto only', Date.UTC(2026, 2, 1, 10, 0, 0));
});

describe('notifications OCS API', () => {
  it('lists only the caller\'s notifications, newest first, in Nextcloud\'s shape', async () => {
    const res = await call('nina', 'GET');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ocs: { meta: { statuscode: number }; data: Record<string, unknown>[] } };
    expect(body.ocs.meta.statuscode).toBe(200);
    expect(body.ocs.data.map((n) => n.subject)).toEqual(['second', 'first']);
    expect(body.ocs.data[0]).toMatchObject({
      app: 'dav', user: 'nina', datetime: '2026-03-01T09:30:00+00:00', object_type: 'calendar_reminder', object_id: '1',
      message: 'm', link: '/x', actions: [],
    });
    expect(typeof body.ocs.data[0].notification_id).toBe('number');
    expect((await listOf('otto')).map((n) => n.subject)).toEqual(['otto only']);
  });

  it('is served in XML and under v1 too', async () => {
    const xml = await davRequest('nina', 'GET', API.replace('/v2/', '/v1/'), { headers: { 'OCS-APIRequest': 'true' } });
    expect(xml.status).toBe(200);
    expect(await xml.text()).toContain('<subject>second</subject>');
    const v1 = await davRequest('nina', 'GET', API.replace('/ocs/v2.php', '/ocs/v1.php') + '?format=json', { headers: { 'OCS-APIRequest': 'true' } });
    expect(((await v1.json()) as { ocs: { meta: { statuscode: number } } }).ocs.meta.statuscode).toBe(100);
  });

  it('refuses anonymous callers with 401', async () => {
    expect((await call(null, 'GET')).status).toBe(401);
    expect((await call(null, 'DELETE')).status).toBe(401);
    expect((await call(null, 'DELETE', `${API}/1`)).status).toBe(401);
    expect(await listOf('nina')).toHaveLength(2);
  });

  it('another user\'s id, an unknown id and a malformed id answer 404 and delete nothing', async () => {
    const [ottos] = await listOf('otto');
    expect((await call('nina', 'DELETE', `${API}/${ottos.notification_id}`)).status).toBe(404);
    expect((await call('nina', 'DELETE', `${API}/999999`)).status).toBe(404);
    expect((await call('nina', 'DELETE', `${API}/abc`)).status).toBe(404);
    expect(await listOf('otto')).toHaveLength(1);
    expect(await listOf('nina')).toHaveLength(2);
  });

  it('the owner deletes one, then all of theirs (others keep theirs)', async () => {
    const [second] = await listOf('nina');
    expect((await call('nina', 'DELETE', `${API}/${second.notification_id}`)).status).toBe(200);
    expect((await listOf('nina')).map((n) => n.subject)).toEqual(['first']);
    expect((await call('nina', 'DELETE', `${API}/${second.notification_id}`)).status).toBe(404);
    expect((await call('nina', 'DELETE')).status).toBe(200);
    expect(await listOf('nina')).toEqual([]);
    expect(await listOf('otto')).toHaveLength(1);
  });
});
