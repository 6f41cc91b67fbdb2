/**
 * Login Flow v2 (`POST /login/v2`, the browser pages under `/login/v2/flow/{token}`, `POST
 * /login/v2/poll`) and v1 (`GET /login/flow` with `OCS-APIREQUEST: true`, ending in a redirect to
 * `nc://login/…`), as Nextcloud's ClientFlowLoginV2Controller and ClientFlowLoginController
 * behave for clients. Every route also answers under /index.php (stripped in worker/index.ts).
 *
 * CSRF: a form post must come from the browser that opened the page (an HttpOnly, SameSite=Lax
 * cookie whose hash the flow stores) and carry the page's form token; a foreign Origin is refused.
 */
import { clientIp } from './auth';
import { Hono, type Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { AppEnv } from '../http/env';
import { login } from './login';
import { donePage, FORM_TOKEN_FIELD, flowErrorPage, grantPage, signInPage, type FlowForm } from './login-flow-pages';
import {
  checkFlowForm, completeLoginFlowV1, findLoginFlow, grantLoginFlow, openLoginFlowPage, pollLoginFlow,
  recordFlowSignIn, startLoginFlow, FLOW_TTL_MS, type FlowVersion, type LoginFlow,
} from './login-flows';
import { sameOrigin } from './pages';
import { randomAlphanumeric } from './tokens';
import { getUser } from './users';

type Ctx = Context<AppEnv>;

export interface LoginFlowOptions {
  /** The clock, milliseconds since the epoch (tests move it). */
  now?: () => number;
  /** Waits before answering a sign-in after failures (tests pass a no-op). */
  sleep?: (ms: number) => Promise<void>;
}

interface FlowKind {
  version: FlowVersion;
  /** The page of a flow; its forms post to `${path}/login` and `${path}/grant`. */
  path: (loginToken: string) => string;
  /** CSP form-action of its pages: v1 ends in a redirect to the client's nc: scheme. */
  formAction: string;
}

const V2: FlowKind = { version: 2, path: (t) => `/login/v2/flow/${t}`, formAction: "'self'" };
const V1: FlowKind = { version: 1, path: (t) => `/login/flow/${t}`, formAction: "'self' nc:" };

const INVALID_FLOW = 'Your login token is invalid or has expired';
const BROWSER_SECRET_LENGTH = 43;

/** The login-flow routes. */
export function loginFlowRoutes(options: LoginFlowOptions = {}): Hono<AppEnv> {
  for (const name of ['now', 'sleep'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw new TypeError(`loginFlowRoutes: option ${name} must be a function`);
    }
  }
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const r = new Hono<AppEnv>();

  r.post('/login/v2', async (c) => {
    const { loginToken, pollToken } = await startLoginFlow(c.env, 2, c.req.header('User-Agent') ?? '', now());
    const origin = new URL(c.req.url).origin;
    return json(200, { poll: { token: pollToken, endpoint: `${origin}/login/v2/poll` }, login: `${origin}${V2.path(loginToken)}` });
  });

  r.post('/login/v2/poll', async (c) => {
    const token = await readPollToken(c);
    const credentials = token === null ? null : await pollLoginFlow(c.env, token, now());
    // Nextcloud answers an empty JSON array with the 404.
    if (!credentials) return json(404, []);
    return json(200, { server: new URL(c.req.url).origin, ...credentials });
  });

  r.get('/login/flow', async (c) => {
    // Nextcloud shows this page only to its apps, which send the header; browsers use v2.
    if (c.req.header('OCS-APIREQUEST') !== 'true') {
      return flowErrorPage(403, 'Access forbidden: this page is for Nextcloud apps (missing OCS-APIREQUEST header).');
    }
    const { loginToken, flow } = await startLoginFlow(c.env, 1, c.req.header('User-Agent') ?? '', now());
    return showFlow(c, V1, loginToken, flow);
  });

  for (const kind of [V2, V1]) {
    const page = kind.path(':token');
    r.get(page, async (c) => {
      const token = c.req.param('token') ?? '';
      return showFlow(c, kind, token, await findLoginFlow(c.env, kind.version, token, now()));
    });
    r.post(`${page}/login`, (c) => signIn(c, kind));
    r.post(`${page}/grant`, (c) => grant(c, kind));
  }

  /** The page for the flow's state: sign in, grant, or done. Binds the flow to this browser. */
  async function showFlow(c: Ctx, kind: FlowKind, token: string, flow: LoginFlow | null): Promise<Response> {
    if (!flow) return flowErrorPage(403, INVALID_FLOW);
    if (flow.granted) return donePage(flow.clientName);
    const secret = browserSecret(c) ?? randomAlphanumeric(BROWSER_SECRET_LENGTH);
    const { formToken, signedIn } = await openLoginFlowPage(c.env, flow, secret, now());
    const account = signedIn && flow.userId !== null ? await getUser(c.env, flow.userId) : null;
    const form = flowForm(kind, token, flow, formToken, account?.enabled ? 'grant' : 'login');
    const res = account?.enabled ? grantPage(form, account) : signInPage(form);
    res.headers.append('Set-Cookie', browserCookie(c, secret));
    return res;
  }

  async function signIn(c: Ctx, kind: FlowKind): Promise<Response> {
    const checked = await checkPost(c, kind);
    if (checked instanceof Response) return checked;
    const { flow, fields, token } = checked;
    const form = flowForm(kind, token, flow, fields[FORM_TOKEN_FIELD], 'login');
    const name = (fields.user ?? '').trim();
    const password = fields.password ?? '';
    if (name === '' || password === '') {
      return signInPage(form, { status: 400, error: 'Enter your account name and password.', login: name });
    }
    // The login password only: an app password must not be able to mint another one.
    const result = await login(c.env, { login: name, password }, {
      ip: clientIp(c), now: now(), sleep,
    });
    if (!result.ok) {
      const headers: Record<string, string> = result.status === 429 ? { 'Retry-After': String(result.retryAfterSeconds) } : {};
      return signInPage(form, { status: result.status === 429 ? 429 : 403, error: result.message, login: name, headers });
    }
    await recordFlowSignIn(c.env, flow, result.user.id, name, now());
    // Post/redirect/get: the page now shows the grant step, and a reload does not re-post the password.
    return new Response(null, { status: 303, headers: { Location: kind.path(token) } });
  }

  async function grant(c: Ctx, kind: FlowKind): Promise<Response> {
    const checked = await checkPost(c, kind);
    if (checked instanceof Response) return checked;
    const { flow } = checked;
    const account = flow.userId === null ? null : await getUser(c.env, flow.userId);
    if (!account) return flowErrorPage(403, 'Sign in first.');
    if (!account.enabled) return flowErrorPage(403, 'This account is disabled');
    if (kind.version === 2) {
      return await grantLoginFlow(c.env, flow, now()) ? donePage(flow.clientName) : flowErrorPage(403, INVALID_FLOW);
    }
    const credentials = await completeLoginFlowV1(c.env, flow, now());
    if (!credentials) return flowErrorPage(403, INVALID_FLOW);
    return new Response(null, {
      status: 303,
      headers: { Location: ncLoginUrl(new URL(c.req.url).origin, credentials.loginName, credentials.appPassword) },
    });
  }

  /** The flow and form fields of a post from the bound browser with the current form token, or the refusal. */
  async function checkPost(c: Ctx, kind: FlowKind): Promise<Response | { flow: LoginFlow; fields: Record<string, string>; token: string }> {
    const token = c.req.param('token') ?? '';
    const flow = await findLoginFlow(c.env, kind.version, token, now());
    if (!flow || flow.granted) return flowErrorPage(403, INVALID_FLOW);
    if (!sameOrigin(c.req.header('Origin'), c.req.url)) {
      return flowErrorPage(403, 'The form must be submitted from this server\'s own page.');
    }
    const fields = await readForm(c);
    const refusal = await checkFlowForm(flow, browserSecret(c), fields[FORM_TOKEN_FIELD]);
    if (refusal === 'other-browser') return flowErrorPage(403, 'Finish connecting in the browser that opened the link.');
    if (refusal) return flowErrorPage(403, 'The form is out of date or was not sent from this page. Reload it and try again.');
    return { flow, fields, token };
  }

  return r;
}

/** `nc://login/server:…&user:…&password:…` with user and password encoded as PHP's urlencode (Nextcloud). */
export function ncLoginUrl(server: string, loginName: string, appPassword: string): string {
  return `nc://login/server:${server}&user:${phpUrlencode(loginName)}&password:${phpUrlencode(appPassword)}`;
}

/** PHP's urlencode: like encodeURIComponent, but also !'()*~ escaped and space as "+". */
export function phpUrlencode(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*~]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

function flowForm(kind: FlowKind, token: string, flow: LoginFlow, formToken: string, step: 'login' | 'grant'): FlowForm {
  return { action: `${kind.path(token)}/${step}`, formToken, client: flow.clientName, formAction: kind.formAction };
}

// Under https the __Host- prefix keeps sibling subdomains from planting the cookie; it needs
// Secure, so plain-http development uses a bare name.
function browserCookieName(c: Ctx): string {
  return new URL(c.req.url).protocol === 'https:' ? '__Host-cumulus_flow' : 'cumulus_flow';
}

function browserSecret(c: Ctx): string | undefined {
  const value = getCookie(c, browserCookieName(c));
  return value !== undefined && /^[A-Za-z0-9]{43}$/.test(value) ? value : undefined;
}

function browserCookie(c: Ctx, secret: string): string {
  const secure = new URL(c.req.url).protocol === 'https:' ? '; Secure' : '';
  return `${browserCookieName(c)}=${secret}; Path=/; Max-Age=${FLOW_TTL_MS / 1000}; HttpOnly; SameSite=Lax${secure}`;
}

async function readForm(c: Ctx): Promise<Record<string, string>> {
  try {
    const body = await c.req.parseBody();
    return Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return {};
  }
}

/**
 * The poll token from the body — form-encoded (with or without a Content-Type: clients differ),
 * JSON or multipart — else from the query.
 */
async function readPollToken(c: Ctx): Promise<string | null> {
  const type = (c.req.header('Content-Type') ?? '').toLowerCase();
  let token: unknown;
  try {
    if (type.includes('multipart/form-data')) token = (await c.req.parseBody()).token;
    else if (type.includes('application/json')) token = (JSON.parse(await c.req.text()) as { token?: unknown } | null)?.token;
    else token = new URLSearchParams(await c.req.text()).get('token');
  } catch {
    // An unreadable body: fall back to the query.
  }
  return typeof token === 'string' && token !== '' ? token : c.req.query('token') ?? null;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status, headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
  });
}
