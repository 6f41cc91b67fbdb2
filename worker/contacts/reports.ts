import type { ReportDef } from '../dav/backend';
import { hrefOf } from '../dav/locks';
import { multistatusOf, propResponses, requestedProps, resolveHrefs, statusResponse, type PropOverride } from '../dav/methods/report';
import { clark, NS } from '../dav/namespaces';
import { child, escapeXml, type XmlElement } from '../dav/xml';
import { parseAddressDataRequest, renderAddressData } from './address-data';
import type { ContactsDavBackend, ContactsNode } from './dav-backend';
import { parseCardFilter, parseLimit } from './filters';
import { matchesCardFilter } from './vcard/index';

const CARD = (l: string) => clark(NS.CARDDAV, l);

/** address-data as the report's DAV:prop asks for it: a version (converted) and a property subset. */
function addressDataOverride(props: XmlElement[]): Map<string, PropOverride<ContactsNode>> {
  const el = props.find((p) => p.ns === NS.CARDDAV && p.local === 'address-data');
  const out = new Map<string, PropOverride<ContactsNode>>();
  if (!el) return out;
  const req = parseAddressDataRequest(el);
  out.set(CARD('address-data'), (n) => (n.card ? escapeXml(renderAddressData(n.card.data, n.card.version, req)) : undefined));
  return out;
}

/** addressbook-multiget and addressbook-query (RFC 6352 §8.6, §8.7). */
export function addressbookReports(b: ContactsDavBackend): ReportDef<ContactsNode>[] {
  const inBook = (n: ContactsNode) => n.kind === 'addressbook' || n.kind === 'card';
  return [
    {
      name: CARD('addressbook-multiget'),
      appliesTo: inBook,
      async run(r, target, body) {
        const props = requestedProps(body);
        const overrides = addressDataOverride(props);
        const { found, missing } = await resolveHrefs(r, target, body);
        const parts = await propResponses(r, found.filter((n) => n.kind === 'card'), props, overrides);
        for (const n of found) if (n.kind !== 'card') missing.push(escapeXml(b.bookHref(n.book!)));
        for (const href of missing) parts.push(statusResponse(href, 404));
        return multistatusOf(r, parts);
      },
    },
    {
      name: CARD('addressbook-query'),
      appliesTo: inBook,
      async run(r, target, body) {
        const props = requestedProps(body);
        const overrides = addressDataOverride(props);
        const filter = parseCardFilter(child(body, NS.CARDDAV, 'filter'));
        const limit = parseLimit(body);
        // §8.6: Depth 0 on the address book matches nothing; Depth 1 (or infinity) its cards.
        const candidates = target.kind === 'card' ? [target]
          : r.depth(0) === 0 ? [] : (await b.service.cards(target.book!)).map((c) => b.cardNode(target.book!, c));
        const matches = candidates.filter((n) => matchesCardFilter(n.card!.data, filter));
        const truncated = limit !== null && matches.length > limit;
        const parts = await propResponses(r, truncated ? matches.slice(0, limit!) : matches, props, overrides);
        if (truncated) {
          // §8.6.1: results cut at the client's limit → 507 on the request URI with number-of-matches-within-limits.
          parts.push(statusResponse(hrefOf(r.ctx, target.path, target.isCollection), 507, '<d:number-of-matches-within-limits/>'));
        }
        return multistatusOf(r, parts);
      },
    },
  ];
}
