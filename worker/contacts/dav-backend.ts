import type { CollectionSpec, DavBackend, DavResource, PropertyDef, WriteOptions } from '../dav/backend';
import { DavError } from '../dav/errors';
import { MkcolRefused } from '../dav/methods/mkcol';
import { syncCollectionReport } from '../dav/methods/report';
import { clark, NS } from '../dav/namespaces';
import { cardInVersion, WHOLE_CARD, type AddressDataRequest, type CardVersion } from './address-data';
import { addressbookProperties, parseAddressbookField } from './dav-properties';
import { addressbookReports } from './reports';
import { MAX_CARD_BYTES, type AddressbookFields, type AddressbookRow, type CardRow, type ContactsService } from './service';
import { parseCard } from './vcard/index';
import { groupwareDavError, noLocks, parseSyncToken, readUtf8Body, syncToken } from '../dav/groupware';
import type { DavRequest } from '../dav/request';
import { dispatchXmlPost } from '../dav/methods/post';
import { SHARED_MARK } from '../dav-sharing/alias';
import { DavShares } from '../dav-sharing/shares';
import { addressbookSharing, type AddressbookAccess } from './sharing';

const CARD = (local: string) => clark(NS.CARDDAV, local);
const encoder = new TextEncoder();

/** The address-book home (''), an address book ('contacts'), or a card in it ('contacts/x.vcf'). */
export class ContactsNode implements DavResource {
  /** The bytes a GET sends: the stored card, or its conversion when the client asked for the other version. */
  readonly body: string | null;
  constructor(
    readonly path: string,
    readonly kind: 'home' | 'addressbook' | 'card',
    readonly book: AddressbookRow | null = null,
    readonly card: CardRow | null = null,
    /** The version GET negotiated (null = as stored). */
    readonly version: CardVersion | null = null,
  ) {
    this.body = card ? cardInVersion(card.data, card.version, version) : null;
  }
  get isCollection() { return this.kind !== 'card'; }
  // A converted representation keeps the stored card's ETag (as SabreDAV): If-Match on the next PUT must still hold.
  get etag() { return this.card?.etag ?? (this.book ? `${this.book.id}-${this.book.synctoken}` : 'addressbook-home'); }
  get lastModifiedMs() { return this.card?.lastModified ?? this.book?.createdAt ?? 0; }
  get createdMs() { return this.card?.createdAt ?? this.book?.createdAt ?? 0; }
  get contentLength() { return this.body === null ? 0 : this.body === this.card!.data ? this.card!.size : encoder.encode(this.body).byteLength; }
  get contentType() {
    if (!this.card) return 'httpd/unix-directory';
    return this.version && this.version !== this.card.version ? `text/vcard; charset=utf-8; version=${this.version}` : 'text/vcard; charset=utf-8';
  }
}

/** RFC 6578 sync tokens of address books (a kind apart from calendars' tokens). */
export function syncTokenOf(book: AddressbookRow, n = book.synctoken): string {
  return syncToken('cardsync', book.id, n);
}

const toDav = (e: unknown, collectionHref: string) => groupwareDavError(e, collectionHref, NS.CARDDAV);

/**
 * RFC 6352 §6.3.2.1 supported-address-data: vCard media types only (text/x-vcard and RFC 2425's
 * text/directory from older clients); a missing type, or octet-stream, is accepted and validated.
 */
function checkContentType(type: string | null): void {
  if (type === null) return;
  const mime = type.split(';')[0].trim().toLowerCase();
  if (!['text/vcard', 'text/x-vcard', 'text/directory', 'application/octet-stream', ''].includes(mime)) {
    throw new DavError(415, 'Address object resources must be text/vcard', { condition: CARD('supported-address-data') });
  }
}

const needPrivileges = (message: string) => new DavError(403, message, { condition: clark(NS.DAV, 'need-privileges') });

/** Status of each CardDAV precondition a parse can fail (RFC 6352 §6.3.2.1). */
const PRECONDITION_STATUS: Record<string, number> = { 'valid-address-data': 400, 'max-resource-size': 403 };

/**
 * The DAV backend of `/remote.php/dav/addressbooks/users/{user}/`: the home lists the user's
 * address books (creating "Contacts" on first use); address books are created by extended MKCOL,
 * changed by PROPPATCH, deleted by DELETE; cards are PUT/GET/DELETE with ETag preconditions.
 */
export class ContactsDavBackend implements DavBackend<ContactsNode> {
  readonly properties: readonly PropertyDef<ContactsNode, any>[];
  readonly reports;
  readonly locks = noLocks('Address books');
  readonly davClasses = ['access-control', 'addressbook'];
  /** PROPPATCH stages validated values here; patchDeadProperties (called last) writes them at once. */
  readonly staged = new Map<number, AddressbookFields>();

  constructor(
    readonly service: ContactsService,
    readonly owner: string,
    readonly homeHref: string,
    /** What this request asks of cards: the version of a GET (Accept), the address-data of a PROPFIND. */
    readonly negotiated: { getVersion: CardVersion | null; propfindAddressData: AddressDataRequest } = { getVersion: null, propfindAddressData: WHOLE_CARD },
  ) {
    this.properties = addressbookProperties(this);
    this.postHandlers = addressbookSharing.postHandlers(service.env);
    this.reports = [
      ...addressbookReports(this),
      syncCollectionReport<ContactsNode>({
        changesSince: async (node, token, limit) => {
          const book = node.book!;
          const since = token === null ? null : parseSyncToken('cardsync', book.id, token);
          if (token !== null && since === null) return null;
          const changes = await this.service.changesSince(book, since, limit ?? 1000);
          if (!changes) return null;
          return {
            token: syncTokenOf(book, changes.token),
            changed: changes.changed.map((c) => this.cardNode(book, c)),
            removed: changes.removed.map((uri) => `${book.uri}/${uri}`),
            truncated: changes.truncated,
          };
        },
      }, (n) => n.kind === 'addressbook'),
    ];
  }

  /** Address books shared with this user (sharing.ts), loaded once per request when first needed. */
  private received: Promise<Map<string, { book: AddressbookRow; access: AddressbookAccess }>> | null = null;

  sharedWithMe(): Promise<Map<string, { book: AddressbookRow; access: AddressbookAccess }>> {
    return (this.received ??= addressbookSharing.received(this.service.env, this.owner));
  }

  /** An address book of the home by URI: the user's own, or one shared with them. */
  async bookAt(uri: string): Promise<AddressbookRow | null> {
    const own = await this.service.get(uri);
    if (own || !uri.includes(SHARED_MARK)) return own;
    return (await this.sharedWithMe()).get(uri)?.book ?? null;
  }

  /** Refuses a change of cards in an address book shared with the user read-only. */
  private async assertWritable(book: AddressbookRow): Promise<void> {
    if (book.owner !== this.owner && (await this.sharedWithMe()).get(book.uri)?.access !== 'read-write') {
      throw needPrivileges('This address book is shared with you read-only');
    }
  }

  /** POST on an address book: the share requests (cs:share, oc:share). */
  readonly postHandlers;

  async post(r: DavRequest<ContactsNode>, target: ContactsNode): Promise<Response> {
    return dispatchXmlPost(r, target, this.postHandlers);
  }

  cardNode(book: AddressbookRow, card: CardRow, version: CardVersion | null = null): ContactsNode {
    return new ContactsNode(`${book.uri}/${card.uri}`, 'card', book, card, version);
  }

  /** The href of an address book, for no-uid-conflict and multiget answers. */
  bookHref(book: AddressbookRow): string {
    return `${this.homeHref}${encodeURIComponent(book.uri)}/`;
  }

  async resolve(path: string): Promise<ContactsNode | null> {
    if (path === '') return new ContactsNode('', 'home');
    const [uri, name, ...rest] = path.split('/');
    if (rest.length > 0) return null;
    const book = await this.bookAt(uri);
    if (!book) return null;
    if (name === undefined) return new ContactsNode(uri, 'addressbook', book);
    const card = await this.service.card(book, name);
    return card ? this.cardNode(book, card, this.negotiated.getVersion) : null;
  }

  async children(c: ContactsNode): Promise<ContactsNode[]> {
    if (c.kind === 'home') {
      const books = [...await this.service.list(), ...[...(await this.sharedWithMe()).values()].map((s) => s.book)];
      return books.map((book) => new ContactsNode(book.uri, 'addressbook', book));
    }
    if (c.kind === 'addressbook') return (await this.service.cards(c.book!)).map((card) => this.cardNode(c.book!, card));
    return [];
  }

  async deadProperties(): Promise<Map<string, Map<string, string>>> { return new Map(); }

  async patchDeadProperties(resource: ContactsNode, set: Map<string, string>, remove: string[]): Promise<void> {
    if (set.size > 0 || remove.length > 0) throw new DavError(403, 'Only the documented address book properties can be set');
    const staged = resource.book ? this.staged.get(resource.book.id) : undefined;
    if (!staged || !resource.book) return;
    if (resource.book.owner === this.owner) return this.service.update(resource.book, staged);
    // A sharee renames their own view only; the description is the owner's.
    if (Object.keys(staged).some((k) => k !== 'displayname')) throw needPrivileges('Only the owner changes this property of a shared address book');
    await new DavShares(this.service.env, 'addressbook', this.service.now).setView(resource.book.id, this.owner, staged);
  }

  async read(resource: ContactsNode): Promise<ReadableStream<Uint8Array>> {
    if (resource.body === null) throw new DavError(405, 'Collections have no content');
    return new Response(resource.body).body!;
  }

  async write(path: string, body: ReadableStream<Uint8Array> | null, opts: WriteOptions): Promise<{ resource: ContactsNode; created: boolean; transformed: boolean }> {
    const [uri, name, ...rest] = path.split('/');
    if (name === undefined || rest.length > 0) throw new DavError(403, 'Only cards can be stored, inside an address book');
    const book = await this.bookAt(uri);
    if (!book) throw new DavError(409, 'The address book does not exist');
    await this.assertWritable(book);
    checkContentType(opts.contentType);
    if (opts.length !== null && opts.length > MAX_CARD_BYTES) {
      throw new DavError(403, `The card is larger than ${MAX_CARD_BYTES} bytes`, { condition: CARD('max-resource-size') });
    }
    const text = await readUtf8Body(body, MAX_CARD_BYTES, NS.CARDDAV, 'valid-address-data', 'card');
    const parsed = parseCard(text, { maxBytes: MAX_CARD_BYTES });
    if (!parsed.ok) throw new DavError(PRECONDITION_STATUS[parsed.precondition] ?? 400, parsed.message, { condition: CARD(parsed.precondition) });
    // A card without UID or FN is stored repaired (as SabreDAV does); the client then gets no ETag.
    const stored = parsed.repaired ?? text;
    if (encoder.encode(stored).byteLength > MAX_CARD_BYTES) {
      throw new DavError(403, `The card is larger than ${MAX_CARD_BYTES} bytes`, { condition: CARD('max-resource-size') });
    }
    const existing = await this.service.card(book, name);
    try {
      const { row, created } = await this.service.put(book, name, stored, parsed.info, existing, opts.expectEtag);
      return { resource: this.cardNode(book, row), created, transformed: parsed.repaired !== undefined };
    } catch (e) {
      throw toDav(e, this.bookHref(book));
    }
  }

  async createCollection(): Promise<never> {
    throw new DavError(403, 'Only address books can be created here: use extended MKCOL with an addressbook resourcetype', { condition: 'valid-resourcetype' });
  }

  async createExtendedCollection(path: string, spec: CollectionSpec): Promise<ContactsNode> {
    if (path.includes('/')) throw new DavError(403, 'Address books can only be created in the address-book home', { condition: 'valid-resourcetype' });
    if (path.includes(SHARED_MARK)) throw new DavError(403, 'This name is reserved', { condition: 'valid-resourcetype' });
    const types = new Set(spec.resourceTypes);
    if (!types.has(CARD('addressbook')) || ![...types].every((t) => t === CARD('addressbook') || t === clark(NS.DAV, 'collection'))) {
      throw new DavError(403, 'Only address book collections can be created here', { condition: 'valid-resourcetype' });
    }
    const fields: AddressbookFields = {};
    const failed = new Map<string, string>();
    for (const [name, el] of spec.props) {
      const r = parseAddressbookField(name, el);
      if (r === null) failed.set(name, 'not settable');
      else Object.assign(fields, r);
    }
    if (failed.size > 0) throw new MkcolRefused(failed);
    try {
      return new ContactsNode(path, 'addressbook', await this.service.create(path, fields));
    } catch (e) {
      throw toDav(e, this.homeHref);
    }
  }

  async delete(resource: ContactsNode): Promise<void> {
    try {
      const book = resource.book;
      // DELETE of an address book shared with me is "unshare from me"; the owner's book stays.
      if (resource.kind === 'addressbook' && book!.owner !== this.owner) await new DavShares(this.service.env, 'addressbook', this.service.now).leave(book!.id, this.owner);
      else if (resource.kind === 'addressbook') await this.service.remove(book!);
      else if (resource.kind === 'card') {
        await this.assertWritable(book!);
        await this.service.deleteCard(book!, resource.card!);
      }
      else throw new DavError(403, 'The address-book home cannot be deleted');
    } catch (e) {
      throw toDav(e, resource.book ? this.bookHref(resource.book) : this.homeHref);
    }
  }

  /** Vary on Accept: the same card URL answers 3.0 or 4.0 by it. */
  writeHeaders(resource: ContactsNode): Record<string, string> {
    return resource.kind === 'card' ? { Vary: 'Accept' } : {};
  }

  async copy(): Promise<never> { throw new DavError(403, 'COPY is not supported for address books'); }
  async move(): Promise<never> { throw new DavError(403, 'MOVE is not supported for address books'); }
}
