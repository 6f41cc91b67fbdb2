import { Hono, type Context, type MiddlewareHandler, type Next } from 'hono';
import { clientIp, davUnauthorized, parseBasicAuthorization, requireUser } from '../accounts/auth';
import { loginAttempt, offerLoginReads } from '../accounts/login-reads';
import type { AppEnv } from '../http/env';
import { DavError } from '../dav/errors';
import { decodeRelativePath } from '../dav/paths';
import type { DavMount } from '../dav/request';
import { serveDav } from '../dav/server';
import { FilesDavBackend, type FileNode } from './dav-backend';
import { prefetchFiles, type Prefetched } from './prefetch';
import { FilesService, type StoredAhead } from './service';
import { deleteBlobs } from './blobs';
import { optimisticPut } from './optimistic-put';
import { trashRoutes } from './trash/routes';
import { uploadsRoutes } from './uploads/routes';
import { versionsRoutes } from './versions/routes';
import { searchRoutes } from './search';

/** The URL prefixes that address a user's files (both reach the same tree). */
function prefixesFor(user: string): string[][] {
  return [['remote.php', 'dav', 'files', user], ['remote.php', 'webdav']];
}

/**
 * Serves the files of the authenticated user under `rawPrefix` (percent-encoded as requested).
 * Only the owner reaches a tree; sharing will add mounts, not exceptions here.
 */
async function serveFiles(c: Context<AppEnv>, urlUser: string | null, rawPrefixSegments: number): Promise<Response> {
  const user = c.get('user');
  if (urlUser !== null && urlUser !== user.id) throw new DavError(403, 'You may only access your own files');
  const rawSegments = new URL(c.req.url).pathname.split('/').filter((s) => s !== '');
  const path = decodeRelativePath(rawSegments.slice(rawPrefixSegments).join('/'));
  const service = new FilesService(c.env, user.id, user.quota);
  const now = Date.now();
  const backend = new FilesDavBackend(service, { id: user.id, displayName: user.displayName }, c.env, now);
  const ahead = await prefetches.get(c.req.raw)?.catch(() => undefined);
  if (ahead && ahead.owner === user.id && ahead.path === path) {
    service.seed(ahead);
    backend.locks.seed(ahead.locks);
  }
  const stored = storedAhead.get(c.req.raw);
  if (stored && stored.owner === user.id && stored.path === path) service.useStoredAhead(stored.content);
  const baseHref = urlUser === null ? '/remote.php/webdav' : `/remote.php/dav/files/${encodeURIComponent(user.id)}`;
  const mount: DavMount<FileNode> = {
    backend,
    prefixes: prefixesFor(user.id),
    ctx: {
      principal: user.id,
      baseHref,
      request: c.req.raw,
      now,
      waitUntil: (p) => c.executionCtx.waitUntil(p),
    },
  };
  return serveDav(mount, path);
}

function decodeUser(raw: string): string {
  try {
    return decodeURIComponent(raw).normalize('NFC');
  } catch {
    throw new DavError(400, 'Malformed user in path');
  }
}

/** Reads started before authentication finished, by request (see prefetch.ts). */
const prefetches = new WeakMap<Request, Promise<Prefetched>>();

/** Content a PUT stored before its checks, which failed (optimistic-put.ts), for the normal path. */
const storedAhead = new WeakMap<Request, { owner: string; path: string; content: StoredAhead }>();

/**
 * Starts prefetchFiles for `/remote.php/dav/files/{user}/…` and the legacy `/remote.php/webdav/…`
 * before authentication, with the reads authentication makes (login-reads.ts) in the same D1
 * batch: two round trips fewer on every request. Nothing of the files read is used unless the
 * caller turns out to be the owner. A PUT first tries to do without those reads
 * (optimistic-put.ts); content it stored but could not commit goes to the normal path, and is
 * deleted when the request ends unless a write took it.
 */
function readAhead(): MiddlewareHandler<AppEnv> {
  return async function filesReadAhead(c, next) {
    const target = filesTarget(c);
    if (target && c.req.method === 'PUT') {
      const answer = await optimisticPut(c, target.owner, target.path);
      if (answer instanceof Response) return answer;
      if (answer) {
        storedAhead.set(c.req.raw, { ...target, content: answer });
        try {
          return await startReadsThen(c, next, target);
        } finally {
          if (!answer.settled) await deleteBlobs(c.env.FILES, answer.content.segments.map(([k]) => k));
        }
      }
    }
    return startReadsThen(c, next, target);
  };
}

/**
 * The owner and path of `/remote.php/dav/files/{owner}/{path}`, or null (a malformed one is refused
 * after authentication). The legacy `/remote.php/webdav/{path}` names no owner: it is the tree of
 * the login, so the Basic login name stands in. A guess is safe: serveFiles uses what was read only
 * for the user authenticated, and optimisticPut only for a login name that is its user id.
 */
function filesTarget(c: Context<AppEnv>): { owner: string; path: string } | null {
  try {
    const segments = new URL(c.req.url).pathname.split('/').filter((s) => s !== '');
    if (segments[1] === 'webdav') {
      const credentials = parseBasicAuthorization(c.req.header('Authorization'));
      return credentials ? { owner: credentials.login, path: decodeRelativePath(segments.slice(2).join('/')) } : null;
    }
    if (segments.length < 4) return null;
    return { owner: decodeURIComponent(segments[3]).normalize('NFC'), path: decodeRelativePath(segments.slice(4).join('/')) };
  } catch {
    return null;
  }
}

/** Starts prefetchFiles (with the login's reads) for the target, then runs the rest of the chain. */
async function startReadsThen(c: Context<AppEnv>, next: Next, target: { owner: string; path: string } | null): Promise<void> {
  if (target) {
    const { owner, path } = target;
    const depth = c.req.header('Depth') ?? 'infinity';
    const withChildren = c.req.method === 'PROPFIND' && depth.trim() !== '0';
    const credentials = parseBasicAuthorization(c.req.header('Authorization'));
    const now = Date.now();
    // The secret's hash (for an app password) is one fast digest; then everything is one batch.
    const read = credentials
      ? loginAttempt(clientIp(c), credentials.login, credentials.password)
        .then((attempt) => prefetchFiles(c.env, owner, path, withChildren, now, attempt))
      : prefetchFiles(c.env, owner, path, withChildren, now);
    read.catch(() => {}); // an unauthenticated request never looks at it
    prefetches.set(c.req.raw, read);
    if (credentials) offerLoginReads(c.req.raw, read.then((p) => p.loginReads));
  }
  await next();
}

/** WebDAV routes of the Files domain: `/remote.php/dav/files/{user}/…` and legacy `/remote.php/webdav/…`. */
export function filesRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const auth = requireUser({ onUnauthorized: davUnauthorized });
  // `/remote.php/webdav/*` matches `/remote.php/webdav` itself too.
  for (const route of ['/remote.php/dav/files/*', '/remote.php/webdav/*']) {
    app.use(route, readAhead());
    app.use(route, auth);
  }
  app.all('/remote.php/webdav', (c) => serveFiles(c, null, 2));
  app.all('/remote.php/webdav/*', (c) => serveFiles(c, null, 2));
  app.all('/remote.php/dav/files/:user', (c) => serveFiles(c, decodeUser(rawUserSegment(c)), 4));
  app.all('/remote.php/dav/files/:user/*', (c) => serveFiles(c, decodeUser(rawUserSegment(c)), 4));
  app.route('/', uploadsRoutes());
  app.route('/', trashRoutes());
  app.route('/', versionsRoutes());
  app.route('/', searchRoutes());
  return app;
}

function rawUserSegment(c: Context<AppEnv>): string {
  return new URL(c.req.url).pathname.split('/').filter((s) => s !== '')[3];
}
