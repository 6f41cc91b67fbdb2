/**
 * Authentication for DAV and OCS routes: HTTP Basic (clients), else the web app's session cookie
 * with its CSRF check (sessions-http.ts: the requesttoken on state-changing DAV requests; on OCS,
 * for every method, the requesttoken or `OCS-APIRequest: true`, as Nextcloud). Each mount chooses how a
 * refusal looks (DAV error XML, OCS envelope, plain text); the middleware owns the status and the
 * WWW-Authenticate / Retry-After headers.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv, AuthUser } from '../http/env';
import { authenticate } from './authenticate';
import { takeLoginReads } from './login-reads';
import type { Credentials, LoginResult } from './login';
import { authenticateSession, sessionTokenOf } from './sessions-http';

// For a files write that checks the login in its own batch (files/optimistic-put.ts).
export { CACHED_LOGIN_HOLDS, cachedLogin } from './login';

/** 401 (no or bad credentials, disabled account), 403 (session failing its CSRF check) or 429 (throttled). */
export type RefusalStatus = 401 | 403 | 429;

type AuthResult = LoginResult | { ok: false; status: 403; message: string };

/** Renders the body of a refused request; the middleware adds the status-specific headers. */
export type RefusalRenderer = (c: Context<AppEnv>, message: string, status: RefusalStatus) => Response;

export interface RequireUserOptions {
  /** How a refusal looks to this mount's clients; plain text by default. */
  onUnauthorized?: RefusalRenderer;
  /** The clock, milliseconds since the epoch (tests move it). */
  now?: () => number;
  /** Waits before answering a login after failures (tests pass a no-op). */
  sleep?: (ms: number) => Promise<void>;
}

const REALM = 'Basic realm="Cumulus", charset="UTF-8"';

/**
 * Middleware that admits only requests with valid Basic credentials (login = user id or e-mail;
 * secret = login password or app password) of an enabled account, or without an Authorization
 * header a live web session cookie that passes its CSRF check (sessions-http.ts), and sets
 * `c.get('user')`. Failed logins are throttled (throttle.ts).
 */
export function requireUser(options: RequireUserOptions = {}): MiddlewareHandler<AppEnv> {
  for (const name of ['onUnauthorized', 'now', 'sleep'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw new TypeError(`requireUser: option ${name} must be a function`);
    }
  }
  const render = options.onUnauthorized ?? plainUnauthorized;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? wait;

  return async function requireUserMiddleware(c, next) {
    const result = await checkAuthorization(c, now, sleep);
    if (!result.ok) {
      const res = refuse(c, render, result.status, result.message);
      if (result.status === 429 && 'retryAfterSeconds' in result) res.headers.set('Retry-After', String(result.retryAfterSeconds));
      return res;
    }
    c.set('user', result.user);
    await next();
  };
}

/**
 * The caller of a route that also serves anonymous clients (e.g. capabilities): the user when the
 * request carries valid Basic credentials or a session, else null. A failed attempt still counts
 * for the throttle; the route answers as for an anonymous client, as Nextcloud's public pages do.
 */
export async function optionalUser(c: Context<AppEnv>, options: Pick<RequireUserOptions, 'now' | 'sleep'> = {}): Promise<AuthUser | null> {
  if (c.req.header('Authorization') === undefined && sessionTokenOf(c) === undefined) return null;
  const result = await checkAuthorization(c, options.now ?? Date.now, options.sleep ?? wait);
  return result.ok ? result.user : null;
}

async function checkAuthorization(c: Context<AppEnv>, now: () => number, sleep: (ms: number) => Promise<void>): Promise<AuthResult> {
  const header = c.req.header('Authorization');
  // Clients always send Basic; only a request without it is the web app's (cookie) request.
  const sessionToken = header === undefined ? sessionTokenOf(c) : undefined;
  if (sessionToken !== undefined) return authenticateSession(c, sessionToken, now());
  const credentials = parseBasicAuthorization(header);
  if (!credentials) {
    const message = header ? "Malformed 'Authorization: Basic' header" : "No 'Authorization: Basic' header found";
    return { ok: false, status: 401, message };
  }
  return authenticate(c.env, credentials, { ip: clientIp(c), now: now(), sleep, reads: takeLoginReads(c.req.raw) });
}

/** The client address the throttle counts by: CF-Connecting-IP, 'unknown' without one. */
export function clientIp(c: Context<AppEnv>): string {
  return c.req.header('CF-Connecting-IP') ?? 'unknown';
}

/**
 * Parses `Authorization: Basic …`. Credentials are UTF-8 (we announce charset="UTF-8"); bytes
 * that are not UTF-8 are read as Latin-1, which is what older clients send. The login ends at
 * the first colon: passwords may contain colons, logins cannot. Null when absent or malformed.
 */
// Made once: every authenticated request decodes its credentials (twice on the files routes).
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const LATIN1 = new TextDecoder('latin1');

export function parseBasicAuthorization(header: string | undefined): Credentials | null {
  const match = /^basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header ?? '');
  if (!match) return null;
  let binary: string;
  try {
    binary = atob(match[1]);
  } catch {
    return null;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    text = LATIN1.decode(bytes);
  }
  const colon = text.indexOf(':');
  if (colon <= 0) return null;
  return { login: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** A plain-text refusal (the default). */
export function plainUnauthorized(_c: Context<AppEnv>, message: string, status: RefusalStatus): Response {
  return new Response(`${message}\n`, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
}

/** A refusal as Nextcloud's DAV server words it (Sabre exception XML); for the DAV mount. */
export function davUnauthorized(_c: Context<AppEnv>, message: string, status: RefusalStatus): Response {
  const exception = status === 429
    ? 'OCA\\DAV\\Connector\\Sabre\\Exception\\TooManyRequests'
    : status === 403 ? 'Sabre\\DAV\\Exception\\Forbidden' : 'Sabre\\DAV\\Exception\\NotAuthenticated';
  const body = '<?xml version="1.0" encoding="utf-8"?>\n'
    + '<d:error xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns">'
    + `<s:exception>${escapeXml(exception)}</s:exception><s:message>${escapeXml(message)}</s:message>`
    + '</d:error>';
  return new Response(body, { status, headers: { 'Content-Type': 'application/xml; charset=utf-8' } });
}

function refuse(c: Context<AppEnv>, render: RefusalRenderer, status: RefusalStatus, message: string): Response {
  const rendered = render(c, message, status);
  // Copy so the headers are mutable whatever the renderer returned, and the status is ours.
  const res = new Response(rendered.body, { status, headers: rendered.headers });
  if (status === 401) {
    // Browsers show a password dialog for Basic; scripts of the web app ask not to (as Nextcloud).
    const xhr = c.req.header('X-Requested-With') === 'XMLHttpRequest';
    res.headers.set('WWW-Authenticate', xhr ? 'DummyBasic realm="Cumulus", charset="UTF-8"' : REALM);
  }
  return res;
}

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
