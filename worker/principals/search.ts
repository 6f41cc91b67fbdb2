import { and, or, sql, type SQL } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { groups, users } from '../../schema';
import { likePattern, userColumns } from '../accounts/users';
import type { ReportDef } from '../dav/backend';
import { DavError } from '../dav/errors';
import { multistatusOf, propResponses, requestedProps } from '../dav/methods/report';
import { clark, NS } from '../dav/namespaces';
import { child, elements, textOf } from '../dav/xml';
import { PrincipalNode, type PrincipalsDavBackend } from './dav-backend';

/** Most principals one search returns (attendee autocompletion needs a handful). */
const MAX_RESULTS = 50;

const DISPLAYNAME = clark(NS.DAV, 'displayname');
/** The properties a search may match on, and whether they match names or e-mail addresses. */
const SEARCHABLE = new Map<string, 'name' | 'email'>([
  [DISPLAYNAME, 'name'],
  [clark(NS.CALDAV, 'calendar-user-address-set'), 'email'],
  [clark(NS.CS, 'email-address-set'), 'email'],
  [clark(NS.DAV, 'alternate-URI-set'), 'email'],
]);

const collections = (n: PrincipalNode) => n.kind === 'principals' || n.kind === 'users' || n.kind === 'groups';

/** principal-property-search and principal-search-property-set (RFC 3744 §9.4, §9.5). */
export function principalReports(b: PrincipalsDavBackend): ReportDef<PrincipalNode>[] {
  return [
    {
      name: clark(NS.DAV, 'principal-property-search'),
      appliesTo: collections,
      async run(r, target, body) {
        const searches = elements(body).filter((e) => e.ns === NS.DAV && e.local === 'property-search');
        if (searches.length === 0) throw new DavError(400, 'principal-property-search needs DAV:property-search');
        const anyof = body.attrs.find((a) => a.local === 'test')?.value === 'anyof';
        const userConds: SQL[] = [];
        const groupConds: SQL[] = [];
        for (const s of searches) {
          const prop = child(s, NS.DAV, 'prop');
          const match = child(s, NS.DAV, 'match');
          if (!prop || !match) throw new DavError(400, 'DAV:property-search needs DAV:prop and DAV:match');
          const pattern = likePattern(textOf(match).trim().replace(/^mailto:/i, ''));
          const kinds = elements(prop).map((p) => SEARCHABLE.get(clark(p.ns, p.local)));
          if (pattern === null || kinds.every((k) => k === undefined)) {
            // An empty match or an unsearchable property matches nothing.
            userConds.push(sql`0`);
            groupConds.push(sql`0`);
            continue;
          }
          const like = (col: SQL | typeof users.id) => sql`${col} LIKE ${pattern} ESCAPE '\\'`;
          const u: SQL[] = [];
          const g: SQL[] = [];
          if (kinds.includes('name')) { u.push(like(sql`${users.displayName}`), like(users.id)); g.push(like(sql`${groups.displayName}`), like(sql`${groups.id}`)); }
          if (kinds.includes('email')) u.push(like(sql`${users.email}`));
          userConds.push(or(...u)!);
          groupConds.push(g.length ? or(...g)! : sql`0`);
        }
        const combine = (conds: SQL[]) => (anyof ? or(...conds) : and(...conds))!;
        const db = drizzle(b.env.DB);
        const wantUsers = target.kind !== 'groups';
        const wantGroups = target.kind !== 'users';
        const [userRows, groupRows] = await Promise.all([
          wantUsers ? db.select(userColumns).from(users).where(and(combine(userConds), sql`${users.enabled} = 1`)).limit(MAX_RESULTS) : [],
          wantGroups ? db.select().from(groups).where(combine(groupConds)).limit(MAX_RESULTS) : [],
        ]);
        const nodes = [
          ...userRows.map((u) => new PrincipalNode(`principals/users/${u.id}`, 'user', u)),
          ...groupRows.map((g) => new PrincipalNode(`principals/groups/${g.id}`, 'group', null, { id: g.id, displayName: g.displayName || g.id })),
        ].slice(0, MAX_RESULTS);
        return multistatusOf(r, await propResponses(r, nodes, requestedProps(body)));
      },
    },
    {
      name: clark(NS.DAV, 'principal-search-property-set'),
      appliesTo: collections,
      async run(r) {
        if (r.depth(0) !== 0) throw new DavError(400, 'principal-search-property-set needs Depth: 0');
        const item = (prop: string, description: string) =>
          `<d:principal-search-property><d:prop>${prop}</d:prop><d:description xml:lang="en">${description}</d:description></d:principal-search-property>`;
        const xml = '<?xml version="1.0" encoding="utf-8"?>\n<d:principal-search-property-set xmlns:d="DAV:" ' +
          `xmlns:cal="${NS.CALDAV}" xmlns:cs="${NS.CS}">` + item('<d:displayname/>', 'Display name') +
          item('<cal:calendar-user-address-set/>', 'Calendar user address') + item('<cs:email-address-set/>', 'E-mail address') +
          '</d:principal-search-property-set>\n';
        return new Response(xml, { status: 200, headers: { 'Content-Type': 'application/xml; charset=utf-8' } });
      },
    },
  ];
}
