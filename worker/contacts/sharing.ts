/**
 * Address books shared with users and groups (worker/dav-sharing/ does the work for both kinds).
 * An address book shared with me appears in my address-book home as `{uri}_shared_by_{owner}`,
 * with my own display name when I set one.
 */
import { and, inArray, isNull } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { addressbooks } from '../../schema';
import { sharePostHandlers, sharingProperties, type SharingAdapter } from '../dav-sharing/dav';
import { DavShares, type Access } from '../dav-sharing/shares';
import type { ContactsNode } from './dav-backend';
import type { AddressbookRow } from './service';

export type AddressbookAccess = 'owner' | Access;

const adapter: SharingAdapter<ContactsNode> = {
  kind: 'addressbook',
  collectionOf: (n) => (n.kind === 'addressbook' && n.book ? { id: n.book.id, owner: n.book.owner } : null),
  unshareable: () => null,
};

export const addressbookSharing = {
  postHandlers: (env: Env) => sharePostHandlers(env, adapter),
  properties: (env: Env) => sharingProperties(env, adapter),

  /** The live address books shared with `user`, keyed by their URI in the user's home. */
  async received(env: Env, user: string): Promise<Map<string, { book: AddressbookRow; access: AddressbookAccess }>> {
    const rows = await new DavShares(env, 'addressbook').receivedRows<AddressbookRow>(
      user,
      (ids) => drizzle(env.DB).select().from(addressbooks).where(and(inArray(addressbooks.id, ids), isNull(addressbooks.deletedAt))),
      (row, view) => ({ displayname: view.displayname ?? row.displayname }),
    );
    return new Map([...rows].map(([uri, { row, access }]) => [uri, { book: row, access }]));
  },
};
