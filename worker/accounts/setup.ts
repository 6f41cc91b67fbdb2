/**
 * First-run setup and the root page. While no account exists, `GET /` shows a form that creates
 * the administrator (`POST /setup`, field names of Nextcloud's installer); scripts post the same
 * fields as JSON. There is never a default password. After setup `GET /` is a placeholder until
 * the web app arrives; it must never be a 401 (desktop clients would then force Basic auth).
 */
import { Hono, type Context } from 'hono';
import { InvalidField, WeakPassword } from './errors';
import { createFirstAdmin, isInstalled } from './install';
import { MIN_PASSWORD_LENGTH } from './validation';
import type { AppEnv } from '../http/env';

type Ctx = Context<AppEnv>;

const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  // No scripts at all; the one inline <style> is the only thing allowed besides posting the form.
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
};

/** `GET /` and `POST /setup`. */
export function setupRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();

  r.get('/', async (c) => {
    if (await isInstalled(c.env)) return page(200, 'Cumulus', placeholderBody(c));
    return page(200, 'Set up Cumulus', setupForm());
  });

  r.post('/setup', async (c) => {
    const json = (c.req.header('Content-Type') ?? '').toLowerCase().includes('application/json');
    const fail = (status: 400 | 403, message: string, login = '') => json
      ? c.json({ error: message }, status)
      : status === 400
        ? page(400, 'Set up Cumulus', setupForm(message, login))
        : page(403, 'Cumulus', `<h1>Setup refused</h1><p>${escapeHtml(message)}</p>`);

    // The form has no CSRF token (there is no session yet); a browser always sends Origin on a
    // cross-site POST, so a foreign page cannot make a visitor's browser install its admin.
    const origin = c.req.header('Origin');
    if (origin !== undefined && !sameHost(origin, c.req.url)) {
      return fail(403, 'Setup must be submitted from this server\'s own page');
    }
    if (await isInstalled(c.env)) return fail(403, 'Cumulus is already set up');

    const fields = await readFields(c, json);
    if (!fields) return fail(400, 'Send adminlogin and adminpass as a form or a JSON object');
    const { adminlogin, adminpass } = fields;
    let created;
    try {
      created = await createFirstAdmin(c.env, { id: adminlogin, password: adminpass });
    } catch (err) {
      if (err instanceof InvalidField || err instanceof WeakPassword) return fail(400, err.message, adminlogin);
      throw err;
    }
    if (!created) return fail(403, 'Cumulus is already set up');
    if (json) return c.json({ id: created.id, installed: true }, 201);
    return c.redirect('/', 303);
  });

  return r;
}

async function readFields(c: Ctx, json: boolean): Promise<{ adminlogin: string; adminpass: string } | null> {
  let body: Record<string, unknown>;
  try {
    body = json ? await c.req.json() : await c.req.parseBody();
  } catch {
    return null;
  }
  if (typeof body !== 'object' || body === null) return null;
  const { adminlogin, adminpass } = body;
  if (typeof adminlogin !== 'string' || typeof adminpass !== 'string') return null;
  return { adminlogin: adminlogin.trim(), adminpass };
}

function sameHost(origin: string, requestUrl: string): boolean {
  try {
    return new URL(origin).host === new URL(requestUrl).host;
  } catch {
    return false; // "null" (sandboxed or privacy-sensitive contexts) or garbage
  }
}

function setupForm(error = '', login = ''): string {
  const alert = error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : '';
  return `<h1>Set up Cumulus</h1>
<p>Create the administrator account. It can add other accounts later.</p>
${alert}<form method="post" action="/setup">
<label for="adminlogin">Administrator login</label>
<input id="adminlogin" name="adminlogin" autocomplete="username" required maxlength="64"
  pattern="[a-zA-Z0-9 _.@\\-']+" aria-describedby="adminlogin-hint" value="${escapeHtml(login)}">
<p id="adminlogin-hint" class="hint">Letters, digits, spaces and _ . @ - ' only.</p>
<label for="adminpass">Password</label>
<input id="adminpass" name="adminpass" type="password" autocomplete="new-password" required
  minlength="${MIN_PASSWORD_LENGTH}" aria-describedby="adminpass-hint">
<p id="adminpass-hint" class="hint">At least ${MIN_PASSWORD_LENGTH} characters.</p>
<button type="submit">Create administrator</button>
</form>`;
}

function placeholderBody(c: Ctx): string {
  const server = new URL(c.req.url).origin;
  return `<h1>Cumulus is running</h1>
<p>Connect a Nextcloud client (desktop, mobile, DAVx⁵) to <strong>${escapeHtml(server)}</strong>
with your account. The web interface is not available yet.</p>`;
}

function page(status: number, title: string, body: string): Response {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 28rem; margin: 3rem auto; padding: 0 1rem; color: #1a1a1a; }
label { display: block; margin-top: 1rem; font-weight: 600; }
input { width: 100%; padding: .5rem; font: inherit; box-sizing: border-box; }
.hint { margin: .25rem 0 0; font-size: .875rem; color: #444; }
.error { padding: .5rem; border: 2px solid #b00020; color: #b00020; }
button { margin-top: 1.5rem; padding: .5rem 1rem; font: inherit; }
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
  return new Response(html, { status, headers: PAGE_HEADERS });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
