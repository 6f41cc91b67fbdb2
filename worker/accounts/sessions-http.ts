/**
 * The session cookie and the CSRF rule, in HTTP terms. Under https the cookie is
 * `__Host-cumulus_session` (Secure, so sibling subdomains cannot plant it); plain-http development
 * uses a bare name. Always HttpOnly, SameSite=Lax, Path=/.
 *
 * The CSRF rule has two halves, as in Nextcloud:
 * - OCS (`/ocs/v1.php/…`, `/ocs/v2.php/…`): every cookie-authenticated request, GET included, needs
 *   the session's `requesttoken` or the header `OCS-APIRequest: true`.
 * - Everything else (WebDAV, the web app's own routes): every request other than GET/HEAD/OPTIONS
 *   needs the `requesttoken`; `OCS-APIRequest` does not stand in for it there.
 * Requests with Basic credentials never reach this rule (auth.ts): clients send Basic, with or
 * without the header.
 */
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { AppEnv, AuthUser } from '../http/env';
import { checkCsrfToken, isSessionToken, verifySession } from './sessions';

/** The header the web app sends its CSRF token in (Nextcloud's name). */
export const CSRF_HEADER = 'requesttoken';

/**
 * The header Nextcloud's apps and web pages send on OCS calls; on OCS it satisfies the CSRF check
 * in place of the requesttoken. A cross-site page can only send it after a CORS preflight, which
 * Cumulus never grants, and a form or link cannot send it at all.
 */
export const OCS_API_HEADER = 'OCS-APIRequest';

/** Methods that change nothing: outside OCS they need no CSRF token. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The OCS mounts (index.ts has already stripped a leading /index.php). */
const OCS_PATH = /^\/ocs\/v[12]\.php(?:\/|$)/;

function isHttps(url: string): boolean {
  return new URL(url).protocol === 'https:';
}

/** The session cookie's name for this request's scheme. */
export function sessionCookieName(url: string): string {
  return isHttps(url) ? '__Host-cumulus_session' : 'cumulus_session';
}

/** The session token the request carries, if it has the right shape. */
export function sessionTokenOf(c: Context<AppEnv>): string | undefined {
  const value = getCookie(c, sessionCookieName(c.req.url));
  return value !== undefined && isSessionToken(value) ? value : undefined;
}

/** Set-Cookie value that starts a session; Secure exactly when the request came over https. */
export function sessionCookie(url: string, token: string, expiresAt: number, now: number): string {
  const maxAge = Math.max(0, Math.floor((expiresAt - now) / 1000));
  const secure = isHttps(url) ? '; Secure' : '';
  return `${sessionCookieName(url)}=${token}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure}`;
}

/** Set-Cookie value that makes the browser forget the session cookie. */
export function clearedSessionCookie(url: string): string {
  const secure = isHttps(url) ? '; Secure' : '';
  return `${sessionCookieName(url)}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${secure}`;
}

export type SessionAuthResult =
  | { ok: true; user: AuthUser }
  | { ok: false; status: 401 | 403; message: string };

/**
 * The user of a cookie-authenticated request: the session must be alive (401 otherwise, whatever
 * headers come with it), its user enabled, and the request must pass the CSRF rule above (403).
 */
export async function authenticateSession(c: Context<AppEnv>, token: string, now: number): Promise<SessionAuthResult> {
  const result = await verifySession(c.env, token, now);
  if (!result.ok) return { ok: false, status: 401, message: result.message };
  if (isOcsRequest(c)) {
    if (!hasOcsApiHeader(c) && !await checkCsrfToken(token, c.req.header(CSRF_HEADER))) {
      return { ok: false, status: 403, message: 'CSRF check failed: send the OCS-APIRequest: true or the requesttoken header' };
    }
  } else if (!SAFE_METHODS.has(c.req.method.toUpperCase()) && !await checkCsrfToken(token, c.req.header(CSRF_HEADER))) {
    return { ok: false, status: 403, message: 'CSRF check failed: send the requesttoken header' };
  }
  return result;
}

/**
 * Whether the request goes to an OCS route. There GET is checked too: Nextcloud's
 * SecurityMiddleware runs its CSRF check on every method of an OCS controller (only routes marked
 * NoCSRFRequired, such as capabilities, skip it), and the SameSite=Lax cookie does ride along on a
 * cross-site top-level GET (a link, a redirect). Requiring the header on GET as well means no OCS GET
 * has to be proven free of side effects, and costs the web app nothing (it sends both headers). The
 * one visible difference: a cookie GET of capabilities without either header is answered as for an
 * anonymous client, where Nextcloud would answer for the user.
 */
function isOcsRequest(c: Context<AppEnv>): boolean {
  return OCS_PATH.test(c.req.path);
}

/** `OCS-APIRequest: true`, the value compared exactly, as Nextcloud's SecurityMiddleware does. */
function hasOcsApiHeader(c: Context<AppEnv>): boolean {
  return c.req.header(OCS_API_HEADER) === 'true';
}
