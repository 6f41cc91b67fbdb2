/**
 * Nextcloud's notifications app API (apps/notifications/api/v2/notifications): list the caller's
 * notifications, delete one or all. Only the owner sees or deletes a notification; another user's
 * id answers 404, exactly like an id that does not exist, so ids reveal nothing.
 */
import { Hono } from 'hono';
import { requireUser } from '../accounts/auth';
import type { AppEnv } from '../http/env';
import { OcsError, ocsOk, ocsUnauthorized, type OcsData } from '../ocs/envelope';
import { deleteAllNotifications, deleteNotification, listNotifications, type NotificationRow } from './store';

const BASE = '/apps/notifications/api/:version{v1|v2}/notifications';

/** PHP's date('c'): ISO 8601 with a numeric offset, no milliseconds. */
function isoDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** One notification as the Nextcloud clients read it. */
export function notificationJson(n: NotificationRow): OcsData {
  return {
    notification_id: n.id, app: n.app, user: n.user, datetime: isoDate(n.createdAt),
    object_type: n.objectType, object_id: n.objectId, subject: n.subject, message: n.message, link: n.link,
    subjectRich: '', subjectRichParameters: [], messageRich: '', messageRichParameters: [],
    icon: '', shouldNotify: true, actions: [],
  };
}

/** The notifications routes below /ocs/v{1,2}.php; authentication included. */
export function notificationsOcsRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  const auth = requireUser({ onUnauthorized: ocsUnauthorized });
  r.use(BASE, auth);
  r.use(`${BASE}/*`, auth);

  r.get(BASE, async (c) => ocsOk(c, (await listNotifications(c.env, c.get('user').id)).map(notificationJson)));

  r.delete(BASE, async (c) => {
    await deleteAllNotifications(c.env, c.get('user').id);
    return ocsOk(c);
  });

  r.delete(`${BASE}/:id`, async (c) => {
    const raw = c.req.param('id');
    const id = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(id) || !(await deleteNotification(c.env, c.get('user').id, id))) throw new OcsError(404, 'Notification not found');
    return ocsOk(c);
  });
  return r;
}
