/**
 * Sharing of calendars and address books with users and groups: the only code that writes the
 * share tables (schema/dav-shares.ts). One class serves both kinds; the DAV backends call it for
 * the share POST, the invite property and the sharee's view, and the JSON API (routes.ts) calls
 * the same methods.
 */
import { and, eq, inArray, isNotNull, or, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { addressbookShares, addressbookShareViews, calendarShares, calendarShareViews, groupMembers, groups, users } from '../../schema';
import { BadInput } from '../errors';
import { runStatements, type Statement } from '../files/batch';
import { sharedUri } from './alias';

export type ShareKind = 'calendar' | 'addressbook';
export type Access = 'read' | 'read-write';
export interface Sharee { type: 'user' | 'group'; id: string }
/** A share as the owner sees it (the invite property, the JSON API). */
export interface Share { sharee: Sharee; access: Access; displayName: string }
/** What a sharee sees of one collection shared with them (the strongest of their shares). */
export interface Received { resourceId: number; access: Access; displayname: string | null; color: string | null; order: number | null }
/** A sharee's own name, colour and order of a shared collection (null = the owner's). */
export interface ViewFields { displayname?: string | null; color?: string | null; order?: number | null }

const TABLES = {
  calendar: { shares: calendarShares, views: calendarShareViews },
  addressbook: { shares: addressbookShares, views: addressbookShareViews },
} as const;

const ACCESS_CODE: Record<Access, number> = { read: 1, 'read-write': 2 };
const accessOf = (code: number): Access => (code === 2 ? 'read-write' : 'read');

/** The shares of one kind of collection. `now` stamps new shares (ms). */
export class DavShares {
  private readonly db;
  private readonly shares;
  private readonly views;
  constructor(readonly env: Env, readonly kind: ShareKind, readonly now = Date.now()) {
    this.db = drizzle(env.DB);
    this.shares = TABLES[kind].shares;
    this.views = TABLES[kind].views;
  }

  /** Who a collection is shared with, users first then groups, each with a display name. */
  async list(resourceId: number): Promise<Share[]> {
    const s = this.shares;
    const rows = await this.db.select({ userId: s.userId, groupId: s.groupId, access: s.access, userName: users.displayName, groupName: groups.displayName })
      .from(s).leftJoin(users, eq(users.id, s.userId)).leftJoin(groups, eq(groups.id, s.groupId))
      .where(eq(s.resourceId, resourceId)).orderBy(sql`${s.groupId} IS NOT NULL`, s.userId, s.groupId);
    return rows.map((r) => r.userId !== null
      ? { sharee: { type: 'user', id: r.userId }, access: accessOf(r.access), displayName: r.userName || r.userId }
      : { sharee: { type: 'group', id: r.groupId! }, access: accessOf(r.access), displayName: r.groupName || r.groupId! });
  }

  /**
   * Adds or changes shares and removes others, all in one batch (nothing changes when one sharee is
   * unknown: BadInput). The owner cannot be a sharee. Sharing again with a user who had left a
   * collection ("unshare from me") shows it to them again.
   */
  async apply(resourceId: number, owner: string, set: { sharee: Sharee; access: Access }[], remove: Sharee[]): Promise<void> {
    for (const { sharee } of set) {
      if (sharee.type === 'user' && sharee.id === owner) throw new BadInput('A collection cannot be shared with its owner');
    }
    await this.assertExist([...set.map((x) => x.sharee), ...remove]);
    const s = this.shares;
    const statements: Statement[] = [];
    for (const sharee of remove) statements.push(this.db.delete(s).where(and(eq(s.resourceId, resourceId), this.matches(sharee))));
    for (const { sharee, access } of set) {
      const code = ACCESS_CODE[access];
      statements.push(this.db.insert(s).values({
        resourceId, userId: sharee.type === 'user' ? sharee.id : null, groupId: sharee.type === 'group' ? sharee.id : null, access: code, createdAt: this.now,
      }).onConflictDoUpdate({ target: sharee.type === 'user' ? [s.resourceId, s.userId] : [s.resourceId, s.groupId], set: { access: code } }));
      if (sharee.type === 'user') {
        statements.push(this.db.update(this.views).set({ hidden: 0 }).where(and(eq(this.views.resourceId, resourceId), eq(this.views.userId, sharee.id))));
      }
    }
    if (statements.length > 0) await runStatements(this.env.DB, statements);
  }

  /** Removes every share of a collection (e.g. when it becomes something that cannot be shared). */
  async clear(resourceId: number): Promise<void> {
    await runStatements(this.env.DB, [
      this.db.delete(this.shares).where(eq(this.shares.resourceId, resourceId)),
      this.db.delete(this.views).where(eq(this.views.resourceId, resourceId)),
    ]);
  }

  /**
   * The collections shared with `user` directly or through a group, each once with the strongest
   * access, minus those the user left. Collections the user owns never come back (a group share
   * reaching its owner is ignored by the caller, which filters by owner).
   */
  async receivedBy(user: string): Promise<Received[]> {
    const s = this.shares;
    const v = this.views;
    const rows = await this.db.select({
      resourceId: s.resourceId, access: sql<number>`max(${s.access})`,
      hidden: v.hidden, displayname: v.displayname, color: v.color, order: v.order,
    }).from(s)
      .leftJoin(groupMembers, and(eq(groupMembers.groupId, s.groupId), eq(groupMembers.userId, user)))
      .leftJoin(v, and(eq(v.resourceId, s.resourceId), eq(v.userId, user)))
      .where(or(eq(s.userId, user), and(isNotNull(s.groupId), isNotNull(groupMembers.userId))))
      .groupBy(s.resourceId);
    return rows.filter((r) => !r.hidden).map((r) => ({
      resourceId: r.resourceId, access: accessOf(r.access), displayname: r.displayname, color: r.color, order: r.order,
    }));
  }

  /**
   * The live collections shared with `user`, keyed by their URI in the user's home (alias.ts),
   * each as the row `load` reads (by id, live, not the user's own) seen through the user's view.
   */
  async receivedRows<T extends { id: number; uri: string; owner: string }>(
    user: string, load: (ids: number[]) => Promise<T[]>, view: (row: T, received: Received) => Partial<T>,
  ): Promise<Map<string, { row: T; access: Access }>> {
    const received = await this.receivedBy(user);
    const out = new Map<string, { row: T; access: Access }>();
    for (let i = 0; i < received.length; i += 90) {
      const part = new Map(received.slice(i, i + 90).map((r) => [r.resourceId, r]));
      for (const row of await load([...part.keys()])) {
        if (row.owner === user) continue;
        const r = part.get(row.id)!;
        const uri = sharedUri(row.uri, row.owner);
        out.set(uri, { access: r.access, row: { ...row, ...view(row, r), uri } });
      }
    }
    return out;
  }

  /**
   * "Unshare from me": the user's own share row goes; shares through groups stay but are hidden for
   * this user only (the rest of the group keeps the collection), as Nextcloud does.
   */
  async leave(resourceId: number, user: string): Promise<void> {
    const s = this.shares;
    await runStatements(this.env.DB, [
      this.db.delete(s).where(and(eq(s.resourceId, resourceId), eq(s.userId, user))),
      this.db.insert(this.views).values({ resourceId, userId: user, hidden: 1 })
        .onConflictDoUpdate({ target: [this.views.resourceId, this.views.userId], set: { hidden: 1 } }),
    ]);
  }

  /** Stores a sharee's own display name, colour or order for a shared collection. */
  async setView(resourceId: number, user: string, fields: ViewFields): Promise<void> {
    const set: Partial<typeof this.views.$inferInsert> = {};
    if ('displayname' in fields) set.displayname = fields.displayname ?? null;
    if ('color' in fields) set.color = fields.color ?? null;
    if ('order' in fields) set.order = fields.order ?? null;
    if (Object.keys(set).length === 0) return;
    await this.db.insert(this.views).values({ resourceId, userId: user, ...set })
      .onConflictDoUpdate({ target: [this.views.resourceId, this.views.userId], set });
  }

  /** Users who may write a collection through a share (direct or group), minus those who left it. */
  async writers(resourceId: number): Promise<string[]> {
    const s = this.shares;
    const rows = await this.db.select({ user: sql<string>`coalesce(${s.userId}, ${groupMembers.userId})` }).from(s)
      .leftJoin(groupMembers, eq(groupMembers.groupId, s.groupId))
      .where(and(eq(s.resourceId, resourceId), eq(s.access, ACCESS_CODE['read-write'])));
    const candidates = [...new Set(rows.map((r) => r.user).filter((u): u is string => u !== null))];
    if (candidates.length === 0) return [];
    const hidden = new Set<string>();
    for (let i = 0; i < candidates.length; i += 90) {
      const part = candidates.slice(i, i + 90);
      for (const r of await this.db.select({ user: this.views.userId }).from(this.views)
        .where(and(eq(this.views.resourceId, resourceId), eq(this.views.hidden, 1), inArray(this.views.userId, part)))) hidden.add(r.user);
    }
    return candidates.filter((u) => !hidden.has(u));
  }

  private matches(sharee: Sharee) {
    return sharee.type === 'user' ? eq(this.shares.userId, sharee.id) : eq(this.shares.groupId, sharee.id);
  }

  private async assertExist(sharees: Sharee[]): Promise<void> {
    const userIds = [...new Set(sharees.filter((x) => x.type === 'user').map((x) => x.id))];
    const groupIds = [...new Set(sharees.filter((x) => x.type === 'group').map((x) => x.id))];
    if (userIds.length + groupIds.length > 90) throw new BadInput('At most 90 sharees per request');
    const foundUsers = userIds.length ? await this.db.select({ id: users.id }).from(users).where(inArray(users.id, userIds)) : [];
    const foundGroups = groupIds.length ? await this.db.select({ id: groups.id }).from(groups).where(inArray(groups.id, groupIds)) : [];
    const missingUser = userIds.find((id) => !foundUsers.some((r) => r.id === id));
    if (missingUser !== undefined) throw new BadInput(`There is no user ${missingUser}`);
    const missingGroup = groupIds.find((id) => !foundGroups.some((r) => r.id === id));
    if (missingGroup !== undefined) throw new BadInput(`There is no group ${missingGroup}`);
  }
}
