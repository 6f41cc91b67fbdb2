/**
 * First-run setup and the root page. While no account exists, `GET /` shows a form that creates
 * the administrator (`POST /setup`, field names of Nextcloud's installer); scripts post the same
 * fields as JSON. There is never a default password. After setup `GET /` is a placeholder until
 * the web app arrives; it must never be a 401 (desktop clients would then force Basic auth).
 */
import { Hono, type Context } from 'hono';
import { InvalidField, WeakPassword } from './errors';
import { createFirstAdmin, isInstalled } from './install';
import { escapeHtml, htmlPage, sameOrigin } from './pages';
import { MIN_PASSWORD_LENGTH } from './validation';
import type { AppEnv } from '../http/env';

type Ctx = Context<AppEnv>;

/** `GET /` and `POST /setup`. */
export function setupRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();

  r.get('/', async (c) => {
    if (await isInstalled(c.env)) return htmlPage(200, 'Cumulus', placeholderBody(c));
    return htmlPage(200, 'Set up Cumulus', setupForm());
  });

  r.post('/setup', async (c) => {
    const json = (c.req.header('Content-Type') ?? '').toLowerCase().includes('application/json');
    const fail = (status: 400 | 403, message: string, login = '') => json
      ? c.json({ error: message }, status)
      : status === 400
        ? htmlPage(400, 'Set up Cumulus', setupForm(message, login))
        : htmlPage(403, 'Cumulus', `<h1>Setup refused</h1><p>${escapeHtml(message)}</p>`);

    // The form has no CSRF token (there is no session yet); a browser always sends Origin on a
    // cross-site POST, so a foreign page cannot make a visitor's browser install its admin.
    const origin = c.req.header('Origin');
    if (!sameOrigin(origin, c.req.url)) {
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
