/**
 * The session cookie and the CSRF rule, in HTTP terms. Under https the cookie is
 * `__Host-cumulus_session` (Secure, so sibling subdomains cannot plant it); plain-http development
 * uses a bare name. Always HttpOnly, SameSite=Lax, Path=/.
 */
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { AppEnv, AuthUser } from '../http/env';
import { checkCsrfToken, isSessionToken, verifySession } from './sessions';

/** The header the web app sends its CSRF token in (Nextcloud's name). */
export const CSRF_HEADER = 'requesttoken';

/** Methods that change nothing: they need no CSRF token. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

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
 * The user of a cookie-authenticated request: the session must be alive, its user enabled, and a
 * request other than GET/HEAD/OPTIONS must carry the session's CSRF token (403 otherwise).
 */
export async function authenticateSession(c: Context<AppEnv>, token: string, now: number): Promise<SessionAuthResult> {
  const result = await verifySession(c.env, token, now);
  if (!result.ok) return { ok: false, status: 401, message: result.message };
  if (!SAFE_METHODS.has(c.req.method.toUpperCase()) && !await checkCsrfToken(token, c.req.header(CSRF_HEADER))) {
    return { ok: false, status: 403, message: 'CSRF check failed: send the requesttoken header' };
  }
  return result;
}
