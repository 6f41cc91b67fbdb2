import { and, eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { Hono } from 'hono';
import { calendarResources, resourceBookings } from '../../../schema';
import { requireUser } from '../../accounts/auth';
import type { AppEnv } from '../../http/env';

import type { ResourceRow } from '../../principals/resources';
export type { ResourceRow };

export async function resourceByEmail(env: Env, email: string): Promise<ResourceRow | null> {
  return (await drizzle(env.DB).select().from(calendarResources).where(sql`lower(${calendarResources.email}) = ${email.toLowerCase()}`).get()) ?? null;
}

/**
 * Books a room or resource for event `uid` over [start, end) and says whether it accepted: one
 * statement, so two concurrent bookings cannot both see the slot free. The first accepted booking
 * wins; a booking overlapping an accepted one of another event is declined. Rebooking the same
 * event (an update) decides again with its new times.
 */
export async function book(env: Env, resource: ResourceRow, b: { uid: string; organizer: string; start: number; end: number | null }, now: number): Promise<'ACCEPTED' | 'DECLINED'> {
  const row = await env.DB.prepare(
    `INSERT INTO resource_bookings (resource_id, uid, organizer, start, "end", status, created_at)
     SELECT ?1, ?2, ?3, ?4, ?5,
       CASE WHEN EXISTS (SELECT 1 FROM resource_bookings o WHERE o.resource_id = ?1 AND o.uid <> ?2 AND o.status = 'ACCEPTED'
         AND (o."end" IS NULL OR o."end" > ?4) AND (?5 IS NULL OR o.start < ?5)) THEN 'DECLINED' ELSE 'ACCEPTED' END, ?6
     WHERE 1
     ON CONFLICT (resource_id, uid) DO UPDATE SET organizer = excluded.organizer, start = excluded.start, "end" = excluded."end", status = excluded.status
     RETURNING status`,
  ).bind(resource.id, b.uid, b.organizer, b.start, b.end, now).first<{ status: 'ACCEPTED' | 'DECLINED' }>();
  return row!.status;
}

/** Drops a booking (the event was cancelled or the resource uninvited): its slot is free again. */
export async function unbook(env: Env, resource: ResourceRow, uid: string): Promise<void> {
  await drizzle(env.DB).delete(resourceBookings).where(and(eq(resourceBookings.resourceId, resource.id), eq(resourceBookings.uid, uid)));
}

/** Accepted bookings overlapping [start, end): the resource's busy time. */
export async function acceptedBookings(env: Env, resource: ResourceRow, range: { start: number; end: number }): Promise<{ start: number; end: number }[]> {
  const { results } = await env.DB.prepare(
    `SELECT start, "end" AS end FROM resource_bookings WHERE resource_id = ? AND status = 'ACCEPTED' AND start < ? AND ("end" IS NULL OR "end" > ?) ORDER BY start`,
  ).bind(resource.id, range.end, range.start).all<{ start: number; end: number | null }>();
  // Back-to-back bookings read as one busy period, as a calendar's busy time does.
  const out: { start: number; end: number }[] = [];
  for (const r of results) {
    const p = { start: Math.max(r.start, range.start), end: Math.min(r.end ?? range.end, range.end) };
    const last = out[out.length - 1];
    if (last && p.start <= last.end) last.end = Math.max(last.end, p.end);
    else out.push(p);
  }
  return out;
}

const ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const EMAIL = /^[^\s@<>]+@[^\s@<>]+$/;

/**
 * Admin-only JSON API for rooms and resources: GET lists, POST {kind, id, displayName, email}
 * creates, DELETE /{kind}/{id} removes (its bookings go with it).
 */
export function calendarResourcesRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const base = '/apps/cumulus/api/calendar-resources';
  app.use(base, requireUser());
  app.use(`${base}/*`, requireUser());
  const adminOnly = (isAdmin: boolean) => (isAdmin ? null : Response.json({ error: 'Only administrators manage rooms and resources' }, { status: 403 }));
  app.get(base, async (c) => {
    const refused = adminOnly(c.get('user').isAdmin);
    if (refused) return refused;
    return c.json(await drizzle(c.env.DB).select().from(calendarResources).orderBy(calendarResources.id));
  });
  app.post(base, async (c) => {
    const refused = adminOnly(c.get('user').isAdmin);
    if (refused) return refused;
    const body = await c.req.json().catch(() => null) as Record<string, unknown> | null;
    const kind = body?.kind;
    const id = body?.id;
    const displayName = body?.displayName;
    const email = body?.email;
    if ((kind !== 'room' && kind !== 'resource') || typeof id !== 'string' || !ID.test(id) || typeof email !== 'string' || !EMAIL.test(email)
      || (displayName !== undefined && (typeof displayName !== 'string' || displayName.length > 200))) {
      return c.json({ error: 'Expected {kind: "room"|"resource", id: [a-z0-9._-]{1,64}, displayName?: string, email: address}' }, 400);
    }
    try {
      const [row] = await drizzle(c.env.DB).insert(calendarResources)
        .values({ id, kind, displayName: (displayName as string | undefined) || id, email: email.toLowerCase(), createdAt: Date.now() }).returning();
      return c.json(row, 201);
    } catch (e) {
      // drizzle wraps D1's error: the constraint name is in the cause.
      if (/UNIQUE/.test(`${(e as Error).message} ${String((e as Error).cause ?? '')}`)) return c.json({ error: 'A room or resource with this id or e-mail exists' }, 409);
      throw e;
    }
  });
  app.delete(`${base}/:kind/:id`, async (c) => {
    const refused = adminOnly(c.get('user').isAdmin);
    if (refused) return refused;
    const kind = c.req.param('kind');
    if (kind !== 'room' && kind !== 'resource') return c.json({ error: 'kind must be room or resource' }, 400);
    const res = await drizzle(c.env.DB).delete(calendarResources).where(and(eq(calendarResources.id, c.req.param('id')), eq(calendarResources.kind, kind))).returning();
    return res.length ? c.body(null, 204) : c.json({ error: 'Not found' }, 404);
  });
  return app;
}
