import { DavError } from './errors';

/** One condition of an If header list (RFC 4918 §10.4). */
export interface IfCondition { not: boolean; token?: string; etag?: string }
/** One list, optionally tagged with the resource it applies to (a URL or absolute path). */
export interface IfList { resource: string | null; conditions: IfCondition[] }

/** Parses an If header; malformed headers are a 400. */
export function parseIfHeader(value: string): IfList[] {
  const lists: IfList[] = [];
  let i = 0;
  let tag: string | null = null;
  const fail = (): never => { throw new DavError(400, 'Malformed If header'); };
  const skip = () => { while (i < value.length && /\s/.test(value[i])) i++; };
  const until = (close: string) => {
    const end = value.indexOf(close, i);
    if (end < 0) fail();
    const s = value.slice(i, end);
    i = end + 1;
    return s;
  };
  skip();
  while (i < value.length) {
    const ch = value[i++];
    if (ch === '<') tag = until('>');
    else if (ch === '(') {
      const conditions: IfCondition[] = [];
      for (;;) {
        skip();
        if (value[i] === ')') { i++; break; }
        let not = false;
        if (value.slice(i, i + 3).toLowerCase() === 'not') { not = true; i += 3; skip(); }
        const c = value[i++];
        if (c === '<') conditions.push({ not, token: until('>') });
        else if (c === '[') conditions.push({ not, etag: until(']') });
        else fail();
      }
      if (conditions.length === 0) fail();
      lists.push({ resource: tag, conditions });
    } else fail();
    skip();
  }
  if (lists.length === 0) fail();
  return lists;
}

/** The state of a resource an If list is evaluated against. */
export interface ResourceState { exists: boolean; etag: string | null; lockTokens: ReadonlySet<string> }

/** True when at least one list holds (RFC 4918 §10.4.3). `stateOf` resolves tagged resources. */
export async function evaluateIf(lists: IfList[], stateOf: (resource: string | null) => Promise<ResourceState>): Promise<boolean> {
  for (const list of lists) {
    const state = await stateOf(list.resource);
    const holds = list.conditions.every((c) => {
      const match = c.token !== undefined
        ? state.lockTokens.has(c.token)
        : state.exists && state.etag !== null && stripWeak(c.etag!) === stripWeak(state.etag);
      return c.not ? !match : match;
    });
    if (holds) return true;
  }
  return false;
}

/** Every lock token named (not negated) in an If header: the tokens the request submits. */
export function submittedTokens(lists: IfList[]): Set<string> {
  const out = new Set<string>();
  for (const l of lists) for (const c of l.conditions) if (c.token && !c.not) out.add(c.token);
  return out;
}

function stripWeak(etag: string): string {
  return etag.startsWith('W/') ? etag.slice(2) : etag;
}

/** Quoted form of an unquoted ETag. */
export function quoteEtag(etag: string): string {
  return `"${etag}"`;
}

function etagListMatches(header: string, etag: string | null): boolean {
  if (header.trim() === '*') return etag !== null;
  if (etag === null) return false;
  return header.split(',').map((s) => stripWeak(s.trim())).includes(quoteEtag(etag));
}

/**
 * RFC 7232 conditional requests. Returns 304 for a safe method whose representation is unchanged;
 * throws 412 when a precondition fails; returns null to proceed.
 */
export function checkConditionalHeaders(
  req: Request,
  resource: { etag: string; lastModifiedMs: number } | null,
): Response | null {
  const safe = req.method === 'GET' || req.method === 'HEAD';
  const etag = resource?.etag ?? null;
  const ifMatch = req.headers.get('If-Match');
  if (ifMatch !== null && !etagListMatches(ifMatch, etag)) throw new DavError(412, 'If-Match precondition failed');
  const ifUnmodified = req.headers.get('If-Unmodified-Since');
  if (ifMatch === null && ifUnmodified !== null && resource) {
    const t = Date.parse(ifUnmodified);
    if (!Number.isNaN(t) && Math.floor(resource.lastModifiedMs / 1000) > Math.floor(t / 1000)) {
      throw new DavError(412, 'If-Unmodified-Since precondition failed');
    }
  }
  const ifNoneMatch = req.headers.get('If-None-Match');
  if (ifNoneMatch !== null && etagListMatches(ifNoneMatch, etag)) {
    if (safe) return new Response(null, { status: 304, headers: { ETag: quoteEtag(etag!) } });
    throw new DavError(412, 'If-None-Match precondition failed');
  }
  const ifModified = req.headers.get('If-Modified-Since');
  if (safe && ifNoneMatch === null && ifModified !== null && resource) {
    const t = Date.parse(ifModified);
    if (!Number.isNaN(t) && Math.floor(resource.lastModifiedMs / 1000) <= Math.floor(t / 1000)) {
      return new Response(null, { status: 304, headers: { ETag: quoteEtag(resource.etag) } });
    }
  }
  return null;
}
