import { beforeAll, describe, expect, it } from 'vitest';
import { env } from 'cloudflare:test';
import { updateUser } from '../../worker/accounts/users';
import { sendReminders } from '../../worker/calendars/reminders';
import { makeUser } from '../helpers';
import { davRequest } from './dav-helpers';
import { eventIcs } from './fixtures';

// The watermark is global and these tests share one database: each test plays the clock forward
// from where the previous one stopped (all in March 2026).
const ICS = { 'Content-Type': 'text/calendar; charset=utf-8' };
const at = (iso: string) => new Date(iso);
const alarm = (action: string, trigger: string) =>
  ['BEGIN:VALARM', `ACTION:${action}`, `TRIGGER:${trigger}`, 'DESCRIPTION:Reminder', ...(action === 'EMAIL' ? ['SUMMARY:Reminder', 'ATTENDEE:mailto:x@example.org'] : []), 'END:VALARM'].join('\r\n');

async function put(user: string, name: string, ics: string): Promise<void> {
  const res = await davRequest(user, 'PUT', `/remote.php/dav/calendars/${user}/personal/${name}.ics`, { headers: ICS, body: ics });
  expect(res.status).toBe(201);
}

async function notificationsOf(user: string): Promise<{ notification_id: number; app: string; user: string; subject: string; message: string; datetime: string; object_type: string; link: string; actions: unknown[] }[]> {
  const res = await davRequest(user, 'GET', '/ocs/v2.php/apps/notifications/api/v2/notifications?format=json', { headers: { 'OCS-APIRequest': 'true' } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { ocs: { data: never[] } }).ocs.data;
}

async function outboxTo(address: string): Promise<{ subject: string; text_body: string; to_addresses: string }[]> {
  const { results } = await env.DB.prepare('SELECT subject, text_body, to_addresses FROM mail_outbox WHERE to_addresses LIKE ?').bind(`%${address}%`).all();
  return results as never;
}

beforeAll(async () => {
  for (const u of ['rita', 'rolf', 'emma', 'noel', 'lara']) await makeUser(u);
  await updateUser(env, 'emma', { email: 'emma@example.org' });
});

describe('reminders job', () => {
  it('a DISPLAY alarm 15 minutes before: nothing before the trigger, one notification after it, never twice', async () => {
    await put('rita', 'standup', eventIcs('standup', '20260302T100000Z', '20260302T103000Z', alarm('DISPLAY', '-PT15M')));
    // A trigger more than a day before the first run is stale: never sent (no flood after downtime).
    await put('rita', 'old', eventIcs('old', '20260225T100000Z', '20260225T110000Z', alarm('DISPLAY', '-PT15M')));

    await sendReminders(env, at('2026-03-02T09:30:00Z'));
    expect(await notificationsOf('rita')).toEqual([]);
    await sendReminders(env, at('2026-03-02T09:44:59Z'));
    expect(await notificationsOf('rita')).toEqual([]);

    await sendReminders(env, at('2026-03-02T09:45:00Z'));
    const list = await notificationsOf('rita');
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      app: 'dav', user: 'rita', object_type: 'calendar_reminder', subject: 'Event standup (2026-03-02 10:00 UTC)',
      datetime: '2026-03-02T09:45:00+00:00', link: '/remote.php/dav/calendars/rita/personal/standup.ics', actions: [],
    });
    expect(list[0].message).toContain('Date: 2026-03-02 10:00 UTC');

    // Repeated runs send nothing more.
    await sendReminders(env, at('2026-03-02T09:45:00Z'));
    await sendReminders(env, at('2026-03-02T09:50:00Z'));
    await sendReminders(env, at('2026-03-02T11:00:00Z'));
    expect(await notificationsOf('rita')).toHaveLength(1);
  });

  it('a recurring event reminds of each instance in turn', async () => {
    await put('rolf', 'daily', eventIcs('daily', '20260303T080000Z', '20260303T081500Z', `RRULE:FREQ=DAILY;COUNT=3\r\n${alarm('DISPLAY', '-PT10M')}`));
    await sendReminders(env, at('2026-03-03T07:49:00Z'));
    expect(await notificationsOf('rolf')).toEqual([]);
    await sendReminders(env, at('2026-03-03T07:51:00Z'));
    expect((await notificationsOf('rolf')).map((n) => n.subject)).toEqual(['Event daily (2026-03-03 08:00 UTC)']);
    await sendReminders(env, at('2026-03-04T07:00:00Z'));
    expect(await notificationsOf('rolf')).toHaveLength(1);
    await sendReminders(env, at('2026-03-04T07:51:00Z'));
    await sendReminders(env, at('2026-03-05T07:51:00Z'));
    await sendReminders(env, at('2026-03-06T07:51:00Z')); // past the last instance
    expect((await notificationsOf('rolf')).map((n) => n.subject)).toEqual([
      'Event daily (2026-03-05 08:00 UTC)', 'Event daily (2026-03-04 08:00 UTC)', 'Event daily (2026-03-03 08:00 UTC)',
    ]);
  });

  it('an EMAIL alarm records one message to the owner\'s address; an owner without one is skipped', async () => {
    await put('emma', 'lunch', eventIcs('lunch', '20260306T120000Z', '20260306T130000Z', alarm('EMAIL', '-PT30M')));
    await put('noel', 'lunch', eventIcs('lunch', '20260306T120000Z', '20260306T130000Z', alarm('EMAIL', '-PT30M')));
    await sendReminders(env, at('2026-03-06T11:29:00Z'));
    expect(await outboxTo('emma@example.org')).toEqual([]);
    await sendReminders(env, at('2026-03-06T11:31:00Z'));
    await sendReminders(env, at('2026-03-06T11:45:00Z'));
    const mails = await outboxTo('emma@example.org');
    expect(mails).toHaveLength(1);
    expect(JSON.parse(mails[0].to_addresses)).toEqual(['emma@example.org']);
    expect(mails[0].subject).toBe('Reminder: Event lunch (2026-03-06 12:00 UTC)');
    expect(mails[0].text_body).toContain('Date: 2026-03-06 12:00 UTC');
    // An EMAIL alarm is not a notification, and noel has no address: nothing for either.
    expect(await notificationsOf('emma')).toEqual([]);
    expect(await notificationsOf('noel')).toEqual([]);
    const { results } = await env.DB.prepare('SELECT count(*) AS n FROM mail_outbox').all<{ n: number }>();
    expect(results[0].n).toBe(1);
  });

  it('a late cron run still sends the trigger it missed, once', async () => {
    await put('lara', 'review', eventIcs('review', '20260307T101500Z', '20260307T110000Z', alarm('DISPLAY', '-PT15M')));
    await sendReminders(env, at('2026-03-07T09:45:00Z'));
    expect(await notificationsOf('lara')).toEqual([]);
    // The runs of 10:00, 10:15, 10:30 and 10:45 did not happen; then two overlap (a retried cron).
    await Promise.all([sendReminders(env, at('2026-03-07T11:02:00Z')), sendReminders(env, at('2026-03-07T11:02:00Z'))]);
    expect((await notificationsOf('lara')).map((n) => n.subject)).toEqual(['Event review (2026-03-07 10:15 UTC)']);
    await sendReminders(env, at('2026-03-07T11:15:00Z'));
    expect(await notificationsOf('lara')).toHaveLength(1);
  });

  it('deleted objects and absolute triggers: a trashed event reminds no one, an absolute TRIGGER fires at its time', async () => {
    await put('lara', 'gone', eventIcs('gone', '20260308T100000Z', '20260308T110000Z', alarm('DISPLAY', '-PT15M')));
    await put('lara', 'abs', eventIcs('abs', '20260308T120000Z', '20260308T130000Z', alarm('DISPLAY', ';VALUE=DATE-TIME:20260308T070000Z').replace('TRIGGER:;', 'TRIGGER;')));
    expect((await davRequest('lara', 'DELETE', '/remote.php/dav/calendars/lara/personal/gone.ics')).status).toBe(204);
    await sendReminders(env, at('2026-03-08T07:00:00Z'));
    await sendReminders(env, at('2026-03-08T10:00:00Z'));
    const subjects = (await notificationsOf('lara')).map((n) => n.subject);
    expect(subjects).toEqual(['Event abs (2026-03-08 12:00 UTC)', 'Event review (2026-03-07 10:15 UTC)']);
  });
});
