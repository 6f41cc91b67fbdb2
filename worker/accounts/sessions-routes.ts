/**
 * The web app's sign-in API: `POST /login` (JSON `{ user, password }`; user = user id or e-mail)
 * starts a session, `POST /logout` ends it, `GET /csrftoken` hands the page its CSRF token (as
 * Nextcloud's /index.php/csrftoken). The password check, throttle and disabled-account rule are
 * login()'s (login.ts), the same as for Basic auth.
 *
 * Login CSRF: a foreign page must not sign a visitor into another account, so `POST /login` takes
 * only JSON (a cross-site form cannot send it without a CORS preflight, which we never grant) from
 * this server's own Origin.
 */
import { clientIp } from './auth';
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../http/env';
import { login } from './login';
import { sameOrigin } from './pages';
import { checkCsrfToken, createSession, csrfToken, deleteSession, verifySession } from './sessions';
import { clearedSessionCookie, CSRF_HEADER, sessionCookie, sessionTokenOf } from './sessions-http';

type Ctx = Context<AppEnv>;

export interface SessionRoutesOptions {
  /** The clock, milliseconds since the epoch (tests move it). */
  now?: () => number;
  /** Waits before answering a sign-in after failures (tests pass a no-op). */
  sleep?: (ms: number) => Promise<void>;
}

/** `POST /login`, `POST /logout`, `GET /csrftoken`. */
export function sessionRoutes(options: SessionRoutesOptions = {}): Hono<AppEnv> {
  for (const name of ['now', 'sleep'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw new TypeError(`sessionRoutes: option ${name} must be a function`);
    }
  }
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const r = new Hono<AppEnv>();

  r.post('/login', async (c) => {
    if (!sameOrigin(c.req.header('Origin'), c.req.url) || c.req.header('Origin') === undefined) {
      return json(403, { error: 'Sign in from this server\'s own page' });
    }
    if (!(c.req.header('Content-Type') ?? '').toLowerCase().startsWith('application/json')) {
      return json(415, { error: 'Send the sign-in as JSON' });
    }
    const fields = await readCredentials(c);
    if (!fields) return json(400, { error: 'Enter your account name and password.' });
    // The login password only, as Nextcloud's login page: app passwords are for clients.
    const result = await login(c.env, { login: fields.user, password: fields.password }, {
      ip: clientIp(c), now: now(), sleep,
    });
    if (!result.ok) {
      if (result.status === 429) {
        return json(429, { error: result.message, retryAfter: result.retryAfterSeconds },
          { 'Retry-After': String(result.retryAfterSeconds) });
      }
      return json(401, { error: result.message });
    }
    const at = now();
    const session = await createSession(c.env, result.user.id, fields.user, at, c.req.header('User-Agent') ?? null);
    return json(200, {
      user: { id: result.user.id, displayName: result.user.displayName },
      requesttoken: await csrfToken(session.token),
    }, { 'Set-Cookie': sessionCookie(c.req.url, session.token, session.expiresAt, at) });
  });

  r.post('/logout', async (c) => {
    const token = sessionTokenOf(c);
    if (token === undefined) return json(401, { error: 'Not signed in' });
    if (!await checkCsrfToken(token, c.req.header(CSRF_HEADER))) {
      return json(403, { error: 'CSRF check failed: send the requesttoken header' });
    }
    await deleteSession(c.env, token);
    return json(200, { loggedOut: true }, { 'Set-Cookie': clearedSessionCookie(c.req.url) });
  });

  r.get('/csrftoken', async (c) => {
    // Only for a live session: the token is worthless without one, and this tells the page
    // whether it is signed in. Cross-site pages cannot read the answer (no CORS).
    const token = sessionTokenOf(c);
    if (token === undefined) return json(401, { error: 'Not signed in' });
    const session = await verifySession(c.env, token, now());
    if (!session.ok) return json(401, { error: session.message }, { 'Set-Cookie': clearedSessionCookie(c.req.url) });
    return json(200, {
      token: await csrfToken(token),
      user: { id: session.user.id, displayName: session.user.displayName, email: session.user.email, isAdmin: session.user.isAdmin },
    });
  });

  return r;
}

async function readCredentials(c: Ctx): Promise<{ user: string; password: string } | null> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    return null;
  }
  if (typeof body !== 'object' || body === null) return null;
  const { user, password } = body as Record<string, unknown>;
  if (typeof user !== 'string' || typeof password !== 'string') return null;
  const name = user.trim();
  if (name === '' || password === '') return null;
  return { user: name, password };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers },
  });
}
