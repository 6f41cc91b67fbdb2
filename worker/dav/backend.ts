import type { DavRequest } from './request';
import type { XmlElement } from './xml';

/** What the DAV core knows of any resource a backend exposes. */
export interface DavResource {
  /** Path below the mount: '' for the mount root, 'a/b.txt' below it (decoded, NFC). */
  readonly path: string;
  readonly isCollection: boolean;
  /** Unquoted entity tag; the core quotes it. */
  readonly etag: string;
  /** Milliseconds since the epoch. */
  readonly lastModifiedMs: number;
  readonly createdMs: number;
  /** Byte length of a non-collection's content. */
  readonly contentLength: number;
  readonly contentType: string;
}

/** Per-request facts handlers and properties need. */
export interface DavContext {
  /** Who is asking (user id); locks belong to principals. */
  readonly principal: string;
  /** Percent-encoded path of the mount root without trailing slash, e.g. `/remote.php/dav/files/alice`. */
  readonly baseHref: string;
  readonly request: Request;
  readonly now: number;
  waitUntil(p: Promise<unknown>): void;
}

/**
 * A live property: a registry entry, not a branch in PROPFIND. `get` runs only when the property
 * is asked for; `prepare` (optional) loads what `get` needs for all resources of a response at
 * once; `get` returns inner XML (already escaped) or undefined for "not found" (404 propstat).
 * Without `set` the property is protected (403 on PROPPATCH).
 */
export interface PropertyDef<R extends DavResource = DavResource, S = unknown> {
  readonly name: string;
  readonly inAllprop?: boolean;
  prepare?(resources: readonly R[], ctx: DavContext, backend: DavBackend<R>): Promise<S>;
  get(resource: R, state: S, ctx: DavContext): string | undefined;
  /** Validates and stores a value (null removes it). Throws DavError to refuse. */
  set?(resource: R, value: XmlElement | null, ctx: DavContext): Promise<void>;
}

/** A WebDAV lock (RFC 4918 §6) on a path of one mount. */
export interface DavLock {
  token: string;
  path: string;
  depth: 0 | 'infinity';
  exclusive: boolean;
  ownerXml: string | null;
  principal: string;
  timeoutSeconds: number;
  expiresAtMs: number;
}

/** Where a mount keeps its locks. Expired locks must never be returned. */
export interface LockStore {
  /** Locks rooted at `path` or at any ancestor of it; with `descendants`, also those rooted below it. */
  locksAround(path: string, opts: { descendants: boolean; now: number }): Promise<DavLock[]>;
  create(lock: DavLock): Promise<void>;
  /** Extends a lock; null when the token is unknown or expired. */
  refresh(token: string, timeoutSeconds: number, now: number): Promise<DavLock | null>;
  remove(token: string): Promise<void>;
  /** Drops every lock rooted at or below a path (after DELETE or MOVE). */
  removeAtOrBelow(path: string): Promise<void>;
}

export interface WriteOptions {
  /** Content-Length when known; null for a streamed body without length. */
  length: number | null;
  contentType: string | null;
  /** Client-provided modification time in seconds (X-OC-Mtime). */
  mtime: number | null;
  /** Client-provided checksum header value (OC-Checksum), verified and stored. */
  checksum: string | null;
  /** The ETag the resource must still have (null = must not exist; undefined = don't care). */
  expectEtag?: string | null;
}

/**
 * The seam between protocol and domain: resolve, list, read/write content, create, copy, move,
 * delete, properties and locks. Backends throw DavError for refusals.
 */
export interface DavBackend<R extends DavResource = DavResource> {
  resolve(path: string): Promise<R | null>;
  children(collection: R): Promise<R[]>;
  /** Live properties beyond the core DAV set. */
  readonly properties: readonly PropertyDef<R, any>[];
  /** Dead properties (name → stored inner XML) of the target and, with depth 1, its children. */
  deadProperties(target: R, depth: 0 | 1): Promise<Map<string, Map<string, string>>>;
  /** Sets and removes dead properties atomically. */
  patchDeadProperties(resource: R, set: Map<string, string>, remove: string[]): Promise<void>;
  /** Streams content, or a byte range of it. */
  read(resource: R, range?: { offset: number; length: number }): Promise<ReadableStream<Uint8Array>>;
  /**
   * Stores a body at `path` (new or replacing a file); the parent must exist. `transformed`: what
   * was stored differs from the body sent (e.g. a repaired vCard), so PUT sends no ETag (RFC 4918 §9.7.1).
   */
  write(path: string, body: ReadableStream<Uint8Array> | null, opts: WriteOptions): Promise<{ resource: R; created: boolean; transformed?: boolean }>;
  createCollection(path: string): Promise<R>;
  delete(resource: R): Promise<void>;
  /** Copies to `dest` (its parent exists); `replace` is the existing destination to overwrite. */
  copy(source: R, dest: string, opts: { depth: 0 | 'infinity'; replace: R | null }): Promise<R>;
  /** Moves to `dest` as metadata only; `replace` is the existing destination to overwrite. */
  move(source: R, dest: string, opts: { replace: R | null }): Promise<R>;
  readonly locks: LockStore;
  /** Response headers a backend adds after a write (e.g. OC-FileId, OC-ETag). */
  writeHeaders?(resource: R): Record<string, string>;
  /**
   * Optional: a GET of a collection in a form the backend offers (Files: a ZIP when the client
   * accepts one); null falls back to the plain page every collection answers with.
   */
  getCollection?(r: DavRequest<R>, target: R): Promise<Response | null>;
  /** Optional: the REPORTs this backend implements (without it, REPORT is 405). */
  readonly reports?: readonly ReportDef<R>[];
  /**
   * Optional: extended MKCOL (RFC 5689) and MKCALENDAR (RFC 4791 §5.3.1) — creates a collection of
   * the given resource types with its initial properties, all or nothing. Throws MkcolRefused for
   * properties it cannot set, DavError(403, valid-resourcetype) for a type it cannot create.
   */
  createExtendedCollection?(path: string, spec: CollectionSpec): Promise<R>;
  /** Optional: compliance classes added to the DAV header of OPTIONS (e.g. calendar-access). */
  readonly davClasses?: readonly string[];
  /**
   * Optional: POST on an existing resource (e.g. calendarserver publish/share requests). The core
   * resolves the target (404) and checks the If header; without this hook POST is 405.
   */
  post?(r: DavRequest<R>, target: R): Promise<Response>;
}

/** What an extended MKCOL or MKCALENDAR body asks for: resource types and properties, in Clark notation. */
export interface CollectionSpec {
  resourceTypes: string[];
  props: Map<string, XmlElement>;
}

/**
 * A REPORT (RFC 3253 §3.6) of a backend: the core parses the body, resolves the target, checks the
 * If header and finds the report by its root element; the report reads Depth and writes its answer.
 */
export interface ReportDef<R extends DavResource = DavResource> {
  /** Clark name of the body's root element, e.g. `{urn:ietf:params:xml:ns:caldav}calendar-query`. */
  readonly name: string;
  /** Whether the report can run on this resource (also what supported-report-set lists). */
  appliesTo(resource: R): boolean;
  run(r: DavRequest<R>, target: R, body: XmlElement): Promise<Response>;
}
