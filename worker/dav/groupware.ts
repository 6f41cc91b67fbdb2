/**
 * What the CalDAV and CardDAV backends share: sync tokens, the refusal of locks, the mapping of
 * domain errors to DAV errors with the protocol's preconditions, and the bounded UTF-8 body read.
 * `ns` is the protocol's namespace (CalDAV or CardDAV), whose precondition elements are used.
 */
import type { LockStore } from './backend';
import { DavError } from './errors';
import { clark } from './namespaces';
import { readUpTo } from '../http/bounded-body';
import { AlreadyExists, DomainError, NotFound, PreconditionFailed, UidConflict } from '../errors';

/** RFC 6578 sync tokens: opaque URIs naming the kind, the collection and its change number. */
export function syncToken(kind: string, collectionId: number, n: number): string {
  return `urn:cumulus:${kind}:${collectionId}:${n}`;
}

/** The change number of a token of this kind and collection; null for anything else. */
export function parseSyncToken(kind: string, collectionId: number, token: string): number | null {
  const m = new RegExp(`^urn:cumulus:${kind}:(\\d+):(\\d+)$`).exec(token);
  return m && Number(m[1]) === collectionId ? Number(m[2]) : null;
}

/** Groupware collections hold no WebDAV locks (their clients use ETags): LOCK is refused with 405. */
export function noLocks(what: string): LockStore {
  return {
    locksAround: async () => [],
    create: async () => { throw new DavError(405, `${what} cannot be locked`); },
    refresh: async () => null,
    remove: async () => {},
    removeAtOrBelow: async () => {},
  };
}

/** Domain errors become DAV errors, a UID clash with `{ns}no-uid-conflict` naming the resource that has it. */
export function groupwareDavError(e: unknown, collectionHref: string, ns: string): unknown {
  if (!(e instanceof DomainError)) return e;
  if (e instanceof UidConflict) {
    return new DavError(403, e.message, {
      condition: clark(ns, 'no-uid-conflict'), conditionBody: `<d:href>${collectionHref}${encodeURIComponent(e.existingUri)}</d:href>`,
    });
  }
  if (e instanceof NotFound) return new DavError(404, e.message);
  if (e instanceof AlreadyExists) return new DavError(405, e.message);
  if (e instanceof PreconditionFailed) return new DavError(412, e.message);
  return new DavError(400, e.message);
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * A request body as UTF-8 text, read up to `limit` bytes (never buffered past it): more is 403
 * `{ns}max-resource-size`, bytes that are not UTF-8 400 `{ns}{invalid}` (valid-calendar-data…).
 */
export async function readUtf8Body(body: ReadableStream<Uint8Array> | null, limit: number, ns: string, invalid: string, what: string): Promise<string> {
  const bytes = await readUpTo(body, limit);
  if (!bytes) throw new DavError(403, `The ${what} is larger than ${limit} bytes`, { condition: clark(ns, 'max-resource-size') });
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    throw new DavError(400, 'The body is not valid UTF-8', { condition: clark(ns, invalid) });
  }
}
