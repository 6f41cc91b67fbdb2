/**
 * DAV SEARCH (RFC 5323 basicsearch) over the caller's files, as Nextcloud serves it at
 * `/remote.php/dav/`: what the web Files app's "Recent" view and file search, and the mobile
 * apps' search, send. The where clause becomes one SQL query on the files table (an index range
 * for the scope), ordered and limited in SQL.
 *
 * Searchable: d:displayname (the name), d:getcontenttype, d:getlastmodified (seconds or a date),
 * d:getcontentlength / oc:size, oc:fileid, oc:favorite; operators and, or, not, eq, lt, lte, gt,
 * gte, like (SQL wildcards, case-insensitive for ASCII), is-collection. Scope: the caller's own
 * `/files/{user}/…` only, depth 0, 1 or infinity. At most MAX_RESULTS rows; a truncated answer
 * ends with a 507 response for the scope, as RFC 5323 §2.5 prescribes.
 */
import { and, asc, desc, eq, gt, gte, lt, lte, not, or, sql, type SQL } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { Hono, type Context } from 'hono';
import { davUnauthorized, requireUser } from '../accounts/auth';
import type { AppEnv } from '../http/env';
import { DavError } from '../dav/errors';
import { propResponses, statusResponse } from '../dav/methods/report';
import { multistatusResponse } from '../dav/multistatus';
import { clark, NS } from '../dav/namespaces';
import { decodeRelativePath } from '../dav/paths';
import { DavRequest } from '../dav/request';
import { hrefOf } from '../dav/locks';
import { child, elements, isElement, textOf, type XmlElement } from '../dav/xml';
import { files, properties } from '../../schema';
import { FilesDavBackend, FileNode } from './dav-backend';
import { FAVORITE } from './dav-properties';
import { FilesService } from './service';
import { below } from './tree';

const MAX_RESULTS = 1000;
const D = (l: string) => clark(NS.DAV, l);
const OC = (l: string) => clark(NS.OC, l);

type Column = typeof files.name | typeof files.contentType | typeof files.mtime | typeof files.size | typeof files.fileid;

/** The file column behind each searchable property, and how a literal becomes a value for it. */
const COLUMNS: Record<string, { column: Column; value: (literal: string) => string | number }> = {
  [D('displayname')]: { column: files.name, value: (v) => v },
  [D('getcontenttype')]: { column: files.contentType, value: (v) => v },
  [D('getlastmodified')]: { column: files.mtime, value: seconds },
  [D('getcontentlength')]: { column: files.size, value: integer },
  [OC('size')]: { column: files.size, value: integer },
  [OC('fileid')]: { column: files.fileid, value: integer },
};

function integer(v: string): number {
  if (!/^-?\d{1,15}$/.test(v.trim())) throw new DavError(400, `Not an integer: ${v}`);
  return Number(v.trim());
}

/** getlastmodified literals: Unix seconds (Nextcloud's apps send these) or any date Date.parse reads. */
function seconds(v: string): number {
  if (/^-?\d{1,15}$/.test(v.trim())) return Number(v.trim());
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw new DavError(400, `Not a date: ${v}`);
  return Math.floor(ms / 1000);
}

const isFavorite = sql`EXISTS (SELECT 1 FROM ${properties} WHERE ${properties.fileid} = ${files.fileid} AND ${properties.name} = ${FAVORITE} AND ${properties.value} = '1')`;

/** The one property element inside a comparison's d:prop. */
function propertyOf(op: XmlElement): string {
  const prop = child(op, NS.DAV, 'prop');
  const [p] = prop ? elements(prop) : [];
  if (!p) throw new DavError(400, `d:${op.local} needs a d:prop`);
  return clark(p.ns, p.local);
}

const COMPARE = { eq, lt, lte, gt, gte } as const;

/** RFC 5323 §5 where-clause operators → SQL. */
function condition(op: XmlElement, depth = 0): SQL {
  if (depth > 20) throw new DavError(400, 'The search condition is nested too deeply');
  if (op.ns !== NS.DAV) throw new DavError(400, `Unsupported operator ${clark(op.ns, op.local)}`);
  const operands = () => elements(op).map((e) => condition(e, depth + 1));
  switch (op.local) {
    case 'and': return and(...operands()) ?? sql`1`;
    case 'or': return or(...operands()) ?? sql`0`;
    case 'not': {
      const [inner] = operands();
      if (!inner) throw new DavError(400, 'd:not needs an operand');
      return not(inner);
    }
    case 'is-collection': return eq(files.isDir, true);
    case 'eq': case 'lt': case 'lte': case 'gt': case 'gte': case 'like': {
      const name = propertyOf(op);
      const literalEl = child(op, NS.DAV, 'literal');
      if (!literalEl) throw new DavError(400, `d:${op.local} needs a d:literal`);
      const literal = textOf(literalEl);
      if (name === FAVORITE) {
        if (op.local !== 'eq') throw new DavError(400, 'oc:favorite compares with eq only');
        return literal.trim() === '1' ? isFavorite : not(isFavorite);
      }
      const target = COLUMNS[name];
      if (!target) throw new DavError(400, `Cannot search by ${name}`);
      // RFC 5323 §5.18.4: % and _ are wildcards, a backslash makes the next character literal.
      if (op.local === 'like') return sql`${target.column} LIKE ${String(target.value(literal))} ESCAPE '\\'`;
      return COMPARE[op.local](target.column, target.value(literal));
    }
    default: throw new DavError(400, `Unsupported operator d:${op.local}`);
  }
}

function orderBy(basic: XmlElement): SQL[] {
  const orders = elements(child(basic, NS.DAV, 'orderby') ?? { ns: NS.DAV, local: 'orderby', attrs: [], children: [] })
    .filter((o) => isElement(o, NS.DAV, 'order'));
  const out = orders.map((o) => {
    const name = propertyOf(o);
    const column = name === FAVORITE ? isFavorite : COLUMNS[name]?.column;
    if (!column) throw new DavError(400, `Cannot order by ${name}`);
    return child(o, NS.DAV, 'descending') ? desc(column) : asc(column);
  });
  return [...out, asc(files.path)];
}

/** `/files/{user}/a/b` (absolute, relative to /remote.php/dav, or a full URL) → the caller's path. */
function scopePath(href: string, user: string): string {
  let path = href.trim();
  try {
    if (/^https?:\/\//i.test(path)) path = new URL(path).pathname;
  } catch {
    throw new DavError(400, 'Malformed scope href');
  }
  path = path.replace(/^\/remote\.php\/dav/, '');
  const segments = path.split('/').filter((s) => s !== '');
  if (segments[0] !== 'files' || segments.length < 2) throw new DavError(400, 'The scope must be a /files/{user}/ folder');
  if (decodeRelativePath(segments[1]) !== user) throw new DavError(403, 'You may only search your own files');
  return decodeRelativePath(segments.slice(2).join('/'));
}

async function search(c: Context<AppEnv>): Promise<Response> {
  const user = c.get('user');
  const now = Date.now();
  const service = new FilesService(c.env, user.id, user.quota);
  const backend = new FilesDavBackend(service, { id: user.id, displayName: user.displayName }, c.env, now);
  const r = new DavRequest<FileNode>({
    backend, prefixes: [['remote.php', 'dav', 'files', user.id]],
    ctx: { principal: user.id, baseHref: `/remote.php/dav/files/${encodeURIComponent(user.id)}`, request: c.req.raw, now, waitUntil: (p) => c.executionCtx.waitUntil(p) },
  }, '');
  const body = await r.xmlBody();
  if (!body || !isElement(body, NS.DAV, 'searchrequest')) throw new DavError(400, 'SEARCH needs a d:searchrequest body');
  const basic = child(body, NS.DAV, 'basicsearch');
  if (!basic) throw new DavError(422, 'Only d:basicsearch is supported', { condition: 'search-grammar-supported' });
  const select = child(basic, NS.DAV, 'select');
  const props = select && child(select, NS.DAV, 'prop') ? elements(child(select, NS.DAV, 'prop')!) : [];
  const scope = child(child(basic, NS.DAV, 'from') ?? basic, NS.DAV, 'scope');
  const scopeHref = scope && child(scope, NS.DAV, 'href');
  if (!scopeHref) throw new DavError(400, 'd:from needs a d:scope with a d:href');
  const path = scopePath(textOf(scopeHref), user.id);
  const depthText = (scope && child(scope, NS.DAV, 'depth') ? textOf(child(scope, NS.DAV, 'depth')!) : 'infinity').trim().toLowerCase();
  if (!['0', '1', 'infinity'].includes(depthText)) throw new DavError(400, 'd:depth must be 0, 1 or infinity');

  const root = await service.get(path);
  if (!root) throw new DavError(404, 'The search scope does not exist');
  const where = child(basic, NS.DAV, 'where');
  const [whereOp] = where ? elements(where) : [];
  const limit = child(basic, NS.DAV, 'limit');
  // Without d:nresults the client wants everything: our cap then truncates, and says so.
  const wanted = limit && child(limit, NS.DAV, 'nresults') ? integer(textOf(child(limit, NS.DAV, 'nresults')!)) : Number.POSITIVE_INFINITY;
  const offset = limit && child(limit, NS.NC, 'firstresult') ? integer(textOf(child(limit, NS.NC, 'firstresult')!)) : 0;
  if (wanted < 0 || offset < 0) throw new DavError(400, 'nresults and firstresult must not be negative');
  const take = Math.min(wanted, MAX_RESULTS);

  const scopeCondition = depthText === '0' ? eq(files.fileid, root.fileid)
    : depthText === '1' ? and(eq(files.owner, user.id), eq(files.parentId, root.fileid))! : below(user.id, root.path);
  const rows = await drizzle(c.env.DB).select().from(files)
    .where(and(scopeCondition, whereOp ? condition(whereOp) : undefined))
    .orderBy(...orderBy(basic)).limit(take + 1).offset(offset);
  // Only our cap truncates; a client's own nresults is an answer in full (RFC 5323 §5.17).
  const truncated = rows.length > take && take < wanted;
  const found = rows.slice(0, take).map((row) => new FileNode(row));
  const responses = await propResponses(r, found, props);
  if (truncated) responses.push(statusResponse(hrefOf(r.ctx, path, true), 507));
  return multistatusResponse(responses);
}

/** SEARCH on the DAV root, before the principals mount answers the other methods there. */
export function searchRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const auth = requireUser({ onUnauthorized: davUnauthorized });
  for (const route of ['/remote.php/dav', '/remote.php/dav/']) {
    app.on('SEARCH', route, auth, search);
  }
  return app;
}
