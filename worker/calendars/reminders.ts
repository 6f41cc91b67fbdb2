/**
 * The reminders job: every VALARM whose trigger falls in (watermark, now] becomes a notification
 * (DISPLAY, AUDIO) or an e-mail (EMAIL) for each recipient of its calendar (the owner and the
 * read-write sharees), once.
 *
 * Exactly once: a global watermark in D1 says up to when triggers were handled; a run handles
 * (watermark, now] — a late run catches up on the triggers it missed, at most MAX_CATCH_UP back,
 * so a first run or a run after long downtime does not flood users with stale reminders. Each
 * trigger sent is recorded under (object, instance, trigger, action) in the same D1 batch as its
 * notifications, which are inserted only if that key is not yet recorded, and the watermark
 * advances in the last batch: overlapping or repeated runs cannot send anything twice. E-mails
 * leave after their batch has claimed the key (a failing mailer loses one, never doubles it).
 */
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { calendarObjects, calendars, notifications, reminderWatermark, remindersSent, users } from '../../schema';
import { runStatements, type Statement } from '../files/batch';
import { mailerFor } from '../mail/index';
import { alarmInstances, type AlarmInstance } from './ical/index';
import { DavShares } from '../dav-sharing/shares';
import { sharedUri } from '../dav-sharing/alias';

const DAY = 86_400_000;
/** How far back a run looks when it was not run for a while (or never). */
export const MAX_CATCH_UP = DAY;
/**
 * How far an alarm is assumed to lie from its event: objects whose stored instances are further
 * than this from the window are not read. Relative triggers of a month or less cover every client.
 */
const REACH = 31 * DAY;
/** Alarms per D1 batch (each is 2 statements plus one per recipient). */
const ALARMS_PER_BATCH = 40;
/** How long sent keys are kept behind the watermark (they only guard against overlapping runs). */
const KEEP_SENT = 2 * DAY;

interface Candidate {
  id: number; uri: string; data: string; calendarId: number; calendarUri: string; calendarName: string | null;
  timezone: string | null; owner: string; ownerName: string; ownerEmail: string | null;
}

interface Recipient { id: string; displayName: string; email: string | null }

/**
 * Who is reminded of each calendar's alarms: the owner and the read-write sharees, directly or
 * through a group, who have not left the calendar (read-only sharees are not reminded, as in
 * Nextcloud). One lookup per calendar with due alarms.
 */
async function recipientsByCalendar(env: Env, due: { c: Candidate }[]): Promise<Map<number, Recipient[]>> {
  const out = new Map<number, Recipient[]>();
  const shares = new DavShares(env, 'calendar');
  for (const { c } of due) {
    if (out.has(c.calendarId)) continue;
    const owner: Recipient = { id: c.owner, displayName: c.ownerName, email: c.ownerEmail };
    const writers = (await shares.writers(c.calendarId)).filter((u) => u !== c.owner).slice(0, 90);
    const rows = writers.length === 0 ? [] : await drizzle(env.DB).select({ id: users.id, displayName: users.displayName, email: users.email })
      .from(users).where(and(inArray(users.id, writers), eq(users.enabled, true)));
    out.set(c.calendarId, [owner, ...rows]);
  }
  return out;
}

/** The job (listed in worker/jobs/scheduled.ts). */
export async function sendReminders(env: Env, now: Date): Promise<void> {
  const db = drizzle(env.DB);
  const end = now.getTime();
  const [mark] = await db.select().from(reminderWatermark).where(eq(reminderWatermark.id, 1));
  const from = Math.max(mark?.sentUpTo ?? -Infinity, end - MAX_CATCH_UP); // exclusive
  if (from >= end) return;

  const o = calendarObjects;
  const candidates: Candidate[] = await db.select({
    id: o.id, uri: o.uri, data: o.data, calendarId: calendars.id, calendarUri: calendars.uri, calendarName: calendars.displayname,
    timezone: calendars.timezone, owner: calendars.owner, ownerName: users.displayName, ownerEmail: users.email,
  }).from(o).innerJoin(calendars, eq(calendars.id, o.calendarId)).innerJoin(users, eq(users.id, calendars.owner)).where(and(
    isNull(o.deletedAt), isNull(calendars.deletedAt),
    // Subscriptions are someone else's data: their alarms are not ours to send (as in Nextcloud).
    isNull(calendars.source),
    sql`${o.data} LIKE '%BEGIN:VALARM%'`,
    sql`(${o.firstStart} IS NULL OR ${o.firstStart} <= ${end + REACH})`,
    sql`(${o.lastEnd} IS NULL OR ${o.lastEnd} >= ${from - REACH})`,
  ));

  const due: { c: Candidate; alarm: AlarmInstance }[] = [];
  for (const c of candidates) {
    // alarmInstances reads [start, end): the window is (from, end].
    for (const alarm of alarmInstances(c.data, { start: from + 1, end: end + 1 }, { timezone: c.timezone })) due.push({ c, alarm });
  }

  const recipients = await recipientsByCalendar(env, due);
  const mailer = mailerFor(env);
  for (let i = 0; i === 0 || i < due.length; i += ALARMS_PER_BATCH) {
    const chunk = due.slice(i, i + ALARMS_PER_BATCH);
    const last = i + ALARMS_PER_BATCH >= due.length;
    const statements: Statement[] = [];
    const claims: number[] = []; // statement index of each alarm's key insert
    for (const { c, alarm } of chunk) {
      const instance = alarm.recurrenceId ?? 0;
      const key = sql`${remindersSent.objectId} = ${c.id} AND ${remindersSent.instance} = ${instance} AND ${remindersSent.trigger} = ${alarm.trigger} AND ${remindersSent.action} = ${alarm.action}`;
      if (alarm.action === 'DISPLAY' || alarm.action === 'AUDIO') {
        for (const r of recipients.get(c.calendarId)!) {
          const text = describe(c, alarm, r.id);
          statements.push(sql`INSERT INTO ${notifications} (user, app, object_type, object_id, subject, message, link, created_at)
            SELECT ${r.id}, 'dav', 'calendar_reminder', ${`${c.calendarId}/${c.uri}#${instance}`}, ${text.subject}, ${text.message}, ${text.link}, ${end}
            WHERE NOT EXISTS (SELECT 1 FROM ${remindersSent} WHERE ${key})`);
        }
      }
      claims.push(statements.length);
      statements.push(sql`INSERT INTO ${remindersSent} (object_id, instance, trigger_at, action, sent_at)
        VALUES (${c.id}, ${instance}, ${alarm.trigger}, ${alarm.action}, ${end}) ON CONFLICT DO NOTHING RETURNING object_id`);
    }
    if (last) {
      statements.push(sql`INSERT INTO ${reminderWatermark} (id, sent_up_to) VALUES (1, ${end})
        ON CONFLICT (id) DO UPDATE SET sent_up_to = max(sent_up_to, excluded.sent_up_to)`);
      statements.push(sql`DELETE FROM ${remindersSent} WHERE trigger_at < ${end - MAX_CATCH_UP - KEEP_SENT}`);
    }
    const results = await runStatements(env.DB, statements);

    for (const [j, { c, alarm }] of chunk.entries()) {
      if (alarm.action !== 'EMAIL' || results[claims[j]].results.length === 0) continue; // not ours: another run claimed it
      for (const r of recipients.get(c.calendarId)!) {
        const text = describe(c, alarm, r.id);
        if (!r.email) {
          console.log(`reminder: ${r.id} has no e-mail address, skipping EMAIL alarm of calendar object ${c.id}`);
          continue;
        }
        try {
          await mailer.send({
            sender: null, from: 'Cumulus <noreply@cumulus.invalid>', to: [r.email],
            subject: `Reminder: ${text.subject}`, text: text.message,
          }, end);
        } catch (err) {
          console.error(`reminder: e-mail to ${r.id} failed:`, err);
        }
      }
    }
  }
}

/** Subject ("summary (start)"), message and link of a reminder; the link is into the recipient's own calendar home. */
function describe(c: Candidate, alarm: AlarmInstance, recipient: string): { subject: string; message: string; link: string } {
  const title = alarm.summary?.trim() || 'Untitled event';
  // A VTODO without DTSTART has no instance start: the subject is then the title alone.
  const when = alarm.instanceStart === null ? null
    : new Date(alarm.instanceStart).toISOString().replace('T', ' ').replace(/:\d{2}\.\d{3}Z$/, ' UTC');
  const subject = when ? `${title} (${when})` : title;
  const message = [title, ...(when ? [`Date: ${when}`] : []), `Calendar: ${c.calendarName ?? c.calendarUri}`].join('\n');
  const calendarUri = recipient === c.owner ? c.calendarUri : sharedUri(c.calendarUri, c.owner);
  return { subject, message, link: `/remote.php/dav/calendars/${encodeURIComponent(recipient)}/${encodeURIComponent(calendarUri)}/${encodeURIComponent(c.uri)}` };
}
