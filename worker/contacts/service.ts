import { and, asc, eq, gt, inArray, isNull, lte, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { addressbookChanges, addressbooks, cards } from '../../schema';
import { AlreadyExists, NotFound, PreconditionFailed, UidConflict } from '../errors';
import { runStatements, type Statement } from '../files/batch';
import { guard } from '../files/tree';
import type { CardInfo } from './vcard/index';
import { dropBookBirthdays, syncBirthday } from '../calendars/birthdays';
import { ownUri } from '../dav-sharing/alias';

export type AddressbookRow = typeof addressbooks.$inferSelect;
export type CardRow = typeof cards.$inferSelect;

/**
 * Largest card we store, in bytes (CARDDAV:max-resource-size): cards live in D1 rows, and a
 * contact photo inline in the card must fit too.
 */
export const MAX_CARD_BYTES = 1024 * 1024;
const DEFAULT_URI = 'contacts';

/** Change-log operations (as SabreDAV numbers them). */
const ADDED = 1, MODIFIED = 2, DELETED = 3;

/** A second card with the same UID in one address book (RFC 6352 §6.3.2.1 no-uid-conflict). */
/** A card whose UID another one in the collection has (the domain's wording of UidConflict). */
export const uidConflict = (existingUri: string) => new UidConflict(existingUri, 'Another card in this address book has the same UID');

/** The fields a client may set on an address book (PROPPATCH, extended MKCOL). */
export interface AddressbookFields {
  displayname?: string | null;
  description?: string | null;
}

/** Lower-case hex MD5 of the text: the card's ETag, as Nextcloud computes it. */
async function md5(text: string): Promise<string> {
  const buf = await crypto.subtle.digest('MD5', new TextEncoder().encode(text));
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The address books and cards of one owner. The only code that writes the contacts tables. */
export class ContactsService {
  private readonly db;
  constructor(readonly env: Env, readonly owner: string, readonly now: number) {
    this.db = drizzle(env.DB);
  }

  /** Live address books; a user without any gets the default "Contacts" on first use. */
  async list(): Promise<AddressbookRow[]> {
    const live = () => this.db.select().from(addressbooks)
      .where(and(eq(addressbooks.owner, this.owner), isNull(addressbooks.deletedAt))).orderBy(asc(addressbooks.id));
    const rows = await live();
    if (rows.length > 0) return rows;
    await this.ensureDefault();
    return live();
  }

  async get(uri: string): Promise<AddressbookRow | null> {
    const row = await this.db.select().from(addressbooks)
      .where(and(eq(addressbooks.owner, this.owner), eq(addressbooks.uri, uri), isNull(addressbooks.deletedAt))).get();
    if (row || uri !== DEFAULT_URI) return row ?? null;
    return (await this.list()).find((a) => a.uri === uri) ?? null;
  }

  /**
   * Creates "Contacts" unless the user has an address book. One statement guarded by NOT EXISTS
   * and the (owner, uri) unique index, so concurrent first requests create it once.
   */
  private async ensureDefault(): Promise<void> {
    await this.env.DB.prepare(
      `INSERT OR IGNORE INTO addressbooks (owner, uri, displayname, synctoken, created_at)
       SELECT ?, ?, 'Contacts', 0, ? WHERE NOT EXISTS (SELECT 1 FROM addressbooks WHERE owner = ? AND deleted_at IS NULL)`,
    ).bind(this.owner, DEFAULT_URI, this.now, this.owner).run();
  }

  async create(uri: string, fields: AddressbookFields): Promise<AddressbookRow> {
    try {
      const [row] = await this.db.insert(addressbooks).values({
        owner: this.owner, uri, displayname: fields.displayname ?? uri, description: fields.description ?? null, createdAt: this.now,
      }).returning();
      return row;
    } catch (e) {
      if (String((e as Error).message).includes('UNIQUE')) throw new AlreadyExists('An address book with this name exists');
      throw e;
    }
  }

  /** Writes changed collection properties in one statement (PROPPATCH is all or nothing). */
  async update(book: AddressbookRow, fields: AddressbookFields): Promise<void> {
    const set: Partial<typeof addressbooks.$inferInsert> = {};
    if ('displayname' in fields) set.displayname = fields.displayname ?? null;
    if ('description' in fields) set.description = fields.description ?? null;
    if (Object.keys(set).length === 0) return;
    await this.db.update(addressbooks).set(set).where(eq(addressbooks.id, book.id));
  }

  /** Deletes an address book; its cards and change log go with it (foreign keys cascade). */
  async remove(book: AddressbookRow): Promise<void> {
    await this.db.delete(addressbooks).where(eq(addressbooks.id, book.id));
    await this.birthdays(() => dropBookBirthdays(this.env, book.owner, this.now, ownUri(book)));
  }

  async cards(book: AddressbookRow): Promise<CardRow[]> {
    return this.db.select().from(cards)
      .where(and(eq(cards.addressbookId, book.id), isNull(cards.deletedAt))).orderBy(asc(cards.uri));
  }

  async card(book: AddressbookRow, uri: string): Promise<CardRow | null> {
    return (await this.db.select().from(cards)
      .where(and(eq(cards.addressbookId, book.id), eq(cards.uri, uri), isNull(cards.deletedAt))).get()) ?? null;
  }

  /** A page of live cards in id order after `afterId` (for `?export`, streamed page by page). */
  async cardsAfter(book: AddressbookRow, afterId: number, limit: number): Promise<CardRow[]> {
    return this.db.select().from(cards)
      .where(and(eq(cards.addressbookId, book.id), isNull(cards.deletedAt), gt(cards.id, afterId)))
      .orderBy(asc(cards.id)).limit(limit);
  }

  /** Live cards with these URIs (chunked: D1 binds at most 100 parameters). */
  async cardsByUri(book: AddressbookRow, uris: string[]): Promise<CardRow[]> {
    const out: CardRow[] = [];
    for (let i = 0; i < uris.length; i += 90) {
      out.push(...await this.db.select().from(cards).where(and(
        eq(cards.addressbookId, book.id), inArray(cards.uri, uris.slice(i, i + 90)), isNull(cards.deletedAt))));
    }
    return out;
  }

  /** The statements that log a change and advance the address book's sync token, for the same batch. */
  private logChange(book: AddressbookRow, uri: string, operation: number): Statement[] {
    return [
      sql`INSERT INTO ${addressbookChanges} (addressbook_id, synctoken, uri, operation)
          SELECT id, synctoken + 1, ${uri}, ${operation} FROM ${addressbooks} WHERE id = ${book.id}`,
      sql`UPDATE ${addressbooks} SET synctoken = synctoken + 1 WHERE id = ${book.id}`,
    ];
  }

  /**
   * Stores a card (new or replacing `existing`) with its change-log entry in one batch.
   * `expectEtag`: null = must not exist, a string = must still have this ETag (checked in the batch).
   */
  async put(book: AddressbookRow, uri: string, text: string, info: CardInfo, existing: CardRow | null, expectEtag: string | null | undefined): Promise<{ row: CardRow; created: boolean }> {
    if (expectEtag === null && existing) throw new PreconditionFailed('The resource exists already');
    if (typeof expectEtag === 'string' && existing?.etag !== expectEtag) throw new PreconditionFailed('The ETag no longer matches');
    const clash = await this.db.select({ uri: cards.uri }).from(cards).where(and(
      eq(cards.addressbookId, book.id), eq(cards.uid, info.uid), isNull(cards.deletedAt))).get();
    if (clash && clash.uri !== uri) throw uidConflict(clash.uri);
    const fields = {
      etag: await md5(text), size: new TextEncoder().encode(text).byteLength,
      uid: info.uid, version: info.version, fn: info.fn, bday: info.bday, data: text, lastModified: this.now,
    };
    const statements: Statement[] = [];
    if (existing) {
      // The row we read must still be there with the ETag we read: a concurrent write makes this a 412.
      statements.push(guard('etagMatches', sql`EXISTS (SELECT 1 FROM ${cards} WHERE id = ${existing.id} AND etag = ${existing.etag} AND deleted_at IS NULL)`));
      statements.push(this.db.update(cards).set(fields).where(eq(cards.id, existing.id)));
    } else {
      statements.push(this.db.insert(cards).values({ addressbookId: book.id, uri, createdAt: this.now, ...fields }));
    }
    statements.push(...this.logChange(book, uri, existing ? MODIFIED : ADDED));
    try {
      await runStatements(this.env.DB, statements);
    } catch (e) {
      throw await this.translate(e, book, info.uid);
    }
    const row = await this.card(book, uri);
    if (!row) throw new NotFound('The card was deleted meanwhile');
    await this.birthdays(() => syncBirthday(this.env, book.owner, this.now, ownUri(book), uri, row));
    return { row, created: !existing };
  }

  async deleteCard(book: AddressbookRow, card: CardRow): Promise<void> {
    try {
      await runStatements(this.env.DB, [
        guard('etagMatches', sql`EXISTS (SELECT 1 FROM ${cards} WHERE id = ${card.id} AND etag = ${card.etag} AND deleted_at IS NULL)`),
        this.db.delete(cards).where(eq(cards.id, card.id)),
        ...this.logChange(book, card.uri, DELETED),
      ]);
    } catch (e) {
      throw await this.translate(e, book, card.uid);
    }
    await this.birthdays(() => syncBirthday(this.env, book.owner, this.now, ownUri(book), card.uri, null));
  }

  /**
   * The birthday calendar follows the cards in the same request (worker/calendars/birthdays.ts).
   * The card is stored already: a failure here is logged, not the client's error; the next write
   * of the card brings the event in line.
   */
  private async birthdays(sync: () => Promise<void>): Promise<void> {
    try {
      await sync();
    } catch (e) {
      console.error('birthday calendar update failed:', (e as Error).message);
    }
  }

  private async translate(e: unknown, book: AddressbookRow, uid: string): Promise<unknown> {
    const msg = String((e as Error)?.message ?? e);
    if (msg.includes('batch_guards.etag_matches')) return new PreconditionFailed('The card changed meanwhile');
    if (msg.includes('cards.uid')) {
      // A concurrent PUT took the UID between our check and the batch.
      const clash = await this.db.select({ uri: cards.uri }).from(cards).where(and(
        eq(cards.addressbookId, book.id), eq(cards.uid, uid), isNull(cards.deletedAt))).get();
      return uidConflict(clash?.uri ?? '');
    }
    if (msg.includes('cards.uri')) return new PreconditionFailed('The resource was created meanwhile');
    return e;
  }

  /**
   * Changes after sync token `since` (null = everything live): the URIs touched, as they are now;
   * null when `since` is not a token of this address book. Pages by `limit` changes.
   */
  async changesSince(book: AddressbookRow, since: number | null, limit: number): Promise<{ token: number; changed: CardRow[]; removed: string[]; truncated: boolean } | null> {
    if (since === null) return { token: book.synctoken, changed: await this.cards(book), removed: [], truncated: false };
    if (since > book.synctoken || since < 0) return null;
    const log = await this.db.select().from(addressbookChanges)
      .where(and(eq(addressbookChanges.addressbookId, book.id), gt(addressbookChanges.synctoken, since), lte(addressbookChanges.synctoken, book.synctoken)))
      .orderBy(asc(addressbookChanges.synctoken)).limit(limit + 1);
    const truncated = log.length > limit;
    const page = truncated ? log.slice(0, limit) : log;
    const token = truncated ? page[page.length - 1].synctoken : book.synctoken;
    const uris = [...new Set(page.map((c) => c.uri))];
    const live = await this.cardsByUri(book, uris);
    const liveUris = new Set(live.map((c) => c.uri));
    return { token, changed: live, removed: uris.filter((u) => !liveUris.has(u)), truncated };
  }
}
