import type { DavBackend, DavContext, DavResource } from './backend';
import { evaluateIf, parseIfHeader, submittedTokens, type IfList, type ResourceState } from './conditions';
import { DavError } from './errors';
import { lockCovers, assertLockTokens, type LockedTarget } from './locks';
import { decodeRelativePath } from './paths';
import { XmlParseError, parseXml, type XmlElement } from './xml';
import { readUpTo } from '../http/bounded-body';

/** Largest XML request body we read (PROPFIND, PROPPATCH, LOCK bodies are small). */
const MAX_XML_BODY = 1024 * 1024;

/** A mount: where a backend's tree lives in URL space (several prefixes may alias one tree). */
export interface DavMount<R extends DavResource = DavResource> {
  backend: DavBackend<R>;
  ctx: DavContext;
  /** Decoded path segments of each URL prefix that addresses this tree, e.g. ['remote.php','webdav']. */
  prefixes: string[][];
}

/** Everything a method handler needs about one request. */
export class DavRequest<R extends DavResource = DavResource> {
  readonly backend: DavBackend<R>;
  readonly ctx: DavContext;
  readonly req: Request;
  private ifLists: IfList[] | null | undefined;

  constructor(readonly mount: DavMount<R>, readonly path: string) {
    this.backend = mount.backend;
    this.ctx = mount.ctx;
    this.req = mount.ctx.request;
  }

  header(name: string): string | null {
    return this.req.headers.get(name);
  }

  /** The parsed If header, or null when absent. */
  get ifHeader(): IfList[] | null {
    if (this.ifLists === undefined) {
      const raw = this.header('If');
      this.ifLists = raw === null ? null : parseIfHeader(raw);
    }
    return this.ifLists;
  }

  /** Lock tokens the request submits through its If header. */
  get submitted(): Set<string> {
    return this.ifHeader ? submittedTokens(this.ifHeader) : new Set();
  }

  /** Maps a Destination (full URL or absolute path) into this mount; 502 for another host. */
  pathFromHref(href: string): string | null {
    const url = this.parseHref(href);
    if (url.host !== new URL(this.req.url).host) throw new DavError(502, 'The destination is on another server');
    return this.pathInMount(url);
  }

  /**
   * Maps the resource of a tagged If list into this mount; null when it lies outside it. A tag
   * naming another server is just a resource we do not have (RFC 4918 §10.4.3), not a 502.
   */
  private pathFromIfTag(href: string): string | null {
    const url = this.parseHref(href);
    return url.host === new URL(this.req.url).host ? this.pathInMount(url) : null;
  }

  private parseHref(href: string): URL {
    try {
      return new URL(href, this.req.url);
    } catch {
      throw new DavError(400, 'Malformed URL');
    }
  }

  private pathInMount(url: URL): string | null {
    const raw = url.pathname.replace(/^\/index\.php(?=\/)/, '').split('/').filter((s) => s !== '');
    for (const prefix of this.mount.prefixes) {
      if (prefix.length > raw.length) continue;
      if (prefix.every((seg, i) => safeDecode(raw[i]) === seg)) return decodeRelativePath(raw.slice(prefix.length).join('/'));
    }
    return null;
  }

  /** Evaluates the If header (RFC 4918 §10.4); 412 when no list holds. */
  async checkIfHeader(target: R | null): Promise<void> {
    const lists = this.ifHeader;
    if (!lists) return;
    const ok = await evaluateIf(lists, async (resource) => {
      if (resource === null) return this.stateOf(target, this.path);
      const path = this.pathFromIfTag(resource);
      if (path === null) return { exists: false, etag: null, lockTokens: new Set() };
      return this.stateOf(path === this.path ? target : await this.backend.resolve(path), path);
    });
    if (!ok) throw new DavError(412, 'The If header did not match the resource state');
  }

  private async stateOf(resource: R | null, path: string): Promise<ResourceState> {
    const locks = await this.backend.locks.locksAround(path, { descendants: false, now: this.ctx.now });
    return {
      exists: resource !== null,
      etag: resource ? `"${resource.etag}"` : null,
      lockTokens: new Set(locks.filter((l) => lockCovers(l, path)).map((l) => l.token)),
    };
  }

  /** 423 unless the request submitted the tokens of every lock protecting these targets. */
  assertUnlocked(targets: LockedTarget[]): Promise<void> {
    return assertLockTokens(this.backend, this.ctx, targets, this.submitted);
  }

  /** The request body parsed as XML, or null when there is none. Malformed XML is a 400. */
  async xmlBody(): Promise<XmlElement | null> {
    const length = Number(this.header('Content-Length') ?? NaN);
    if (length > MAX_XML_BODY) throw new DavError(413, 'Request body too large');
    const text = await readLimited(this.req, MAX_XML_BODY);
    if (text.trim() === '') return null;
    try {
      return parseXml(text);
    } catch (e) {
      if (e instanceof XmlParseError) throw new DavError(400, `Malformed XML body: ${e.message}`);
      throw e;
    }
  }

  /** True when the client asked for a minimal answer (404 propstats omitted). */
  get wantsMinimal(): boolean {
    const prefer = this.header('Prefer') ?? '';
    return /return\s*=\s*minimal/i.test(prefer) || (this.header('Brief') ?? '').toLowerCase() === 't';
  }

  /** Depth header: `0`, `1` or `infinity` (default when absent); anything else is a 400. */
  depth(fallback: 0 | 1 | 'infinity' = 'infinity'): 0 | 1 | 'infinity' {
    const raw = this.header('Depth');
    if (raw === null) return fallback;
    const v = raw.trim().toLowerCase();
    if (v === '0') return 0;
    if (v === '1') return 1;
    if (v === 'infinity') return 'infinity';
    throw new DavError(400, 'Invalid Depth header');
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s).normalize('NFC');
  } catch {
    return s;
  }
}

/** Made once: every DAV request with a body decodes it. */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

async function readLimited(req: Request, limit: number): Promise<string> {
  const bytes = await readUpTo(req.body, limit);
  if (!bytes) throw new DavError(413, 'Request body too large');
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    throw new DavError(400, 'Request body is not valid UTF-8');
  }
}
