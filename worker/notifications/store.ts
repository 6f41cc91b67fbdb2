import { and, desc, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { notifications } from '../../schema';

export type NotificationRow = typeof notifications.$inferSelect;
export type NewNotification = Omit<typeof notifications.$inferInsert, 'id'>;

/** The insert for one notification, for callers that write it in their own D1 batch. */
export function notificationInsert(env: Env, n: NewNotification) {
  return drizzle(env.DB).insert(notifications).values(n);
}

/** A user's notifications, newest first (as Nextcloud lists them). */
export async function listNotifications(env: Env, user: string): Promise<NotificationRow[]> {
  return drizzle(env.DB).select().from(notifications).where(eq(notifications.user, user)).orderBy(desc(notifications.id));
}

/** Deletes one of the user's notifications; false when the user has none with this id. */
export async function deleteNotification(env: Env, user: string, id: number): Promise<boolean> {
  const gone = await drizzle(env.DB).delete(notifications)
    .where(and(eq(notifications.id, id), eq(notifications.user, user))).returning({ id: notifications.id });
  return gone.length > 0;
}

/** Deletes all of the user's notifications. */
export async function deleteAllNotifications(env: Env, user: string): Promise<void> {
  await drizzle(env.DB).delete(notifications).where(eq(notifications.user, user));
}
