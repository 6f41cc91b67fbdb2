import type { PropertyDef } from '../dav/backend';
import { DavError } from '../dav/errors';
import { ALL_PRIVILEGES, READ_ONLY_PRIVILEGES } from '../dav/privileges';
import { supportedReportSet } from '../dav/methods/report';
import { clark, NS } from '../dav/namespaces';
import { escapeXml, textOf, type XmlElement } from '../dav/xml';
import { userPrincipalHref } from '../principals/hrefs';
import { renderAddressData } from './address-data';
import { syncTokenOf, type ContactsDavBackend, type ContactsNode } from './dav-backend';
import { addressbookSharing } from './sharing';
import { MAX_CARD_BYTES, type AddressbookFields } from './service';

const CARD = (l: string) => clark(NS.CARDDAV, l);
const DISPLAYNAME = clark(NS.DAV, 'displayname');
const DESCRIPTION = CARD('addressbook-description');

/** Longest display name or description we keep. */
const MAX_TEXT = 1000;

function text(el: XmlElement | null): string | null {
  if (el === null) return null;
  const v = textOf(el).trim();
  if (v.length > MAX_TEXT) throw new DavError(400, 'Property value too long');
  return v;
}

/**
 * Parses one client-settable address book property into fields: null when the property cannot be
 * set. Throws DavError for a malformed value.
 */
export function parseAddressbookField(name: string, el: XmlElement | null): AddressbookFields | null {
  switch (name) {
    case DISPLAYNAME: return { displayname: text(el) };
    case DESCRIPTION: return { description: text(el) };
    default: return null;
  }
}

/** Address book and card properties (RFC 6352 §6.2, §10.4, RFC 6578 §3, calendarserver getctag). */
export function addressbookProperties(b: ContactsDavBackend): PropertyDef<ContactsNode>[] {
  const onBook = (get: (n: ContactsNode) => string | undefined) => (n: ContactsNode) => (n.kind === 'addressbook' ? get(n) : undefined);
  /** A writable property: PROPPATCH validates and stages; the backend writes all staged fields at once. */
  const writable = (name: string, get: (n: ContactsNode) => string | undefined): PropertyDef<ContactsNode> => ({
    name,
    inAllprop: name === DISPLAYNAME,
    get: onBook(get),
    async set(n, value) {
      if (n.kind !== 'addressbook') throw new DavError(403, 'Only address books have this property');
      const fields = parseAddressbookField(name, value);
      if (fields === null) throw new DavError(403, 'This property cannot be changed');
      b.staged.set(n.book!.id, { ...b.staged.get(n.book!.id), ...fields });
    },
  });
  return [
    {
      name: clark(NS.DAV, 'resourcetype'), inAllprop: true,
      get: (n) => (n.kind === 'addressbook' ? `<d:collection/><card:addressbook/>${n.book!.owner !== b.owner ? '<cs:shared/>' : ''}` : n.kind === 'home' ? '<d:collection/>' : ''),
    },
    writable(DISPLAYNAME, (n) => escapeXml(n.book!.displayname ?? n.book!.uri)),
    writable(DESCRIPTION, (n) => (n.book!.description !== null ? escapeXml(n.book!.description) : undefined)),
    {
      name: CARD('supported-address-data'),
      get: onBook(() => '<card:address-data-type content-type="text/vcard" version="3.0"/><card:address-data-type content-type="text/vcard" version="4.0"/>'),
    },
    {
      name: CARD('supported-collation-set'),
      get: onBook(() => ['i;ascii-casemap', 'i;octet', 'i;unicode-casemap'].map((c) => `<card:supported-collation>${c}</card:supported-collation>`).join('')),
    },
    { name: CARD('max-resource-size'), get: onBook(() => String(MAX_CARD_BYTES)) },
    { name: clark(NS.CS, 'getctag'), get: onBook((n) => escapeXml(syncTokenOf(n.book!))) },
    { name: clark(NS.DAV, 'sync-token'), get: onBook((n) => escapeXml(syncTokenOf(n.book!))) },
    // Stored text unless this PROPFIND's address-data asked for a version or a subset (reports override it).
    { name: CARD('address-data'), get: (n) => (n.card ? escapeXml(renderAddressData(n.card.data, n.card.version, b.negotiated.propfindAddressData)) : undefined) },
    { name: clark(NS.DAV, 'owner'), get: (n) => `<d:href>${escapeXml(userPrincipalHref(n.book?.owner ?? b.owner))}</d:href>` },
    { name: clark(NS.DAV, 'current-user-principal'), get: () => `<d:href>${escapeXml(userPrincipalHref(b.owner))}</d:href>` },
    // An address book shared with the user without write access is read-only to them.
    {
      name: clark(NS.DAV, 'current-user-privilege-set'),
      prepare: () => b.sharedWithMe(),
      get: (n, shared: Awaited<ReturnType<ContactsDavBackend['sharedWithMe']>>) =>
        (!n.book || n.book.owner === b.owner || shared.get(n.book.uri)?.access === 'read-write' ? ALL_PRIVILEGES : READ_ONLY_PRIVILEGES),
    },
    ...addressbookSharing.properties(b.service.env),
    supportedReportSet(() => b.reports),
  ];
}
