import { listUserGroups } from '../accounts/groups';
import type { PropertyDef } from '../dav/backend';
import { supportedReportSet } from '../dav/methods/report';
import { clark, NS } from '../dav/namespaces';
import { escapeXml } from '../dav/xml';
import type { PrincipalNode, PrincipalsDavBackend } from './dav-backend';
import { defaultCalendarHref, resourcePrincipalHref } from './resources';
import { addressbookHomeHref, calendarHomeHref, groupPrincipalHref, userPrincipalHref } from './hrefs';

const href = (h: string) => `<d:href>${escapeXml(h)}</d:href>`;
const isPrincipal = (n: PrincipalNode) => n.kind === 'user' || n.kind === 'group' || n.kind === 'resource';
const principalHref = (n: PrincipalNode) => n.kind === 'user' ? userPrincipalHref(n.user!.id) : n.kind === 'resource' ? resourcePrincipalHref(n.resource!) : groupPrincipalHref(n.group!.id);

/**
 * Principal properties (RFC 3744 §4, RFC 4791 §6.2 / RFC 6638 §2, RFC 6352 §7.1, Apple's
 * calendarserver extensions). Homes, scheduling boxes and group membership answer only on the
 * caller's own principal (404 elsewhere); names and addresses are public for attendee lookup.
 */
export function principalProperties(b: PrincipalsDavBackend): PropertyDef<PrincipalNode>[] {
  const own = (n: PrincipalNode) => b.isMe(n);
  const mine = (n: PrincipalNode, value: () => string) => (own(n) ? value() : undefined);
  return [
    {
      name: clark(NS.DAV, 'resourcetype'), inAllprop: true,
      get: (n) => (isPrincipal(n) ? '<d:principal/>' : '<d:collection/>'),
    },
    {
      name: clark(NS.DAV, 'displayname'), inAllprop: true,
      get: (n) => n.kind === 'user' ? escapeXml(n.user!.displayName) : n.kind === 'group' ? escapeXml(n.group!.displayName)
        : n.kind === 'resource' ? escapeXml(n.resource!.displayName) : undefined,
    },
    { name: clark(NS.DAV, 'current-user-principal'), get: () => href(userPrincipalHref(b.me.id)) },
    { name: clark(NS.DAV, 'principal-URL'), get: (n) => (isPrincipal(n) ? href(principalHref(n)) : undefined) },
    { name: clark(NS.DAV, 'principal-collection-set'), get: () => href('/remote.php/dav/principals/') },
    {
      name: clark(NS.DAV, 'alternate-URI-set'),
      get: (n) => (n.kind === 'user' ? (n.user!.email ? href(`mailto:${n.user!.email}`) : '') : undefined),
    },
    {
      name: clark(NS.CALDAV, 'calendar-user-address-set'),
      get: (n) => n.kind === 'user'
        ? (n.user!.email ? href(`mailto:${n.user!.email}`) : '') + href(userPrincipalHref(n.user!.id))
        : n.kind === 'group' ? href(groupPrincipalHref(n.group!.id))
        : n.kind === 'resource' ? href(`mailto:${n.resource!.email}`) + href(resourcePrincipalHref(n.resource!)) : undefined,
    },
    {
      name: clark(NS.CS, 'email-address-set'),
      get: (n) => (n.kind === 'user' ? (n.user!.email ? `<cs:email-address>${escapeXml(n.user!.email)}</cs:email-address>` : '') : undefined),
    },
    {
      name: clark(NS.CALDAV, 'calendar-user-type'),
      get: (n) => n.kind === 'user' ? 'INDIVIDUAL' : n.kind === 'group' ? 'GROUP' : n.kind === 'resource' ? (n.resource!.kind === 'room' ? 'ROOM' : 'RESOURCE') : undefined,
    },
    { name: clark(NS.CALDAV, 'calendar-home-set'), get: (n) => mine(n, () => href(calendarHomeHref(n.user!.id))) },
    { name: clark(NS.CARDDAV, 'addressbook-home-set'), get: (n) => mine(n, () => href(addressbookHomeHref(n.user!.id))) },
    { name: clark(NS.CALDAV, 'schedule-inbox-URL'), get: (n) => mine(n, () => href(`${calendarHomeHref(n.user!.id)}inbox/`)) },
    { name: clark(NS.CALDAV, 'schedule-outbox-URL'), get: (n) => mine(n, () => href(`${calendarHomeHref(n.user!.id)}outbox/`)) },
    {
      // RFC 6638 §9.2: where invitations land (the first own calendar taking events).
      name: clark(NS.CALDAV, 'schedule-default-calendar-URL'),
      prepare: (nodes, ctx) => (nodes.some((n) => b.isMe(n)) ? defaultCalendarHref(b.env, b.me.id, ctx.now) : Promise.resolve(null)),
      get: (n, h: string | null) => mine(n, () => (h ? href(h) : '')),
    },
    // Apple asks for proxies; there are none.
    { name: clark(NS.CS, 'calendar-proxy-read-for'), get: (n) => mine(n, () => '') },
    { name: clark(NS.CS, 'calendar-proxy-write-for'), get: (n) => mine(n, () => '') },
    {
      name: clark(NS.DAV, 'group-membership'),
      prepare: (nodes) => (nodes.some((n) => b.isMe(n)) ? listUserGroups(b.env, b.me.id) : Promise.resolve([])),
      get: (n, groups: string[]) => mine(n, () => groups.map((g) => href(groupPrincipalHref(g))).join('')),
    },
    {
      name: clark(NS.DAV, 'current-user-privilege-set'),
      get: () => '<d:privilege><d:read/></d:privilege>',
    },
    supportedReportSet(() => b.reports),
  ];
}
