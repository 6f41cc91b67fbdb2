/**
 * The HTML of the login-flow pages: sign in, grant access, done, and refusals. Every value is
 * escaped; the pages work without scripts.
 */
import { escapeHtml, htmlPage } from './pages';

/** What every form of a flow page carries. */
export interface FlowForm {
  /** Where the form posts (the flow's path + /login or /grant). */
  action: string;
  formToken: string;
  /** The client that asks for access (its User-Agent). */
  client: string;
  /** CSP form-action: v1 must be allowed to follow the redirect to nc://. */
  formAction: string;
}

/** The form's hidden field that carries the per-flow token (Nextcloud's field name). */
export const FORM_TOKEN_FIELD = 'requesttoken';

/** Step 1: sign in with login name or e-mail and password. */
export function signInPage(form: FlowForm, options: { status?: number; error?: string; login?: string; headers?: Record<string, string> } = {}): Response {
  const alert = options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>\n` : '';
  return htmlPage(options.status ?? 200, 'Connect to Cumulus', `<h1>Connect to Cumulus</h1>
<p>${clientLine(form.client)} wants to connect to your account. Sign in to continue.</p>
${alert}<form method="post" action="${escapeHtml(form.action)}">
<input type="hidden" name="${FORM_TOKEN_FIELD}" value="${escapeHtml(form.formToken)}">
<label for="user">Account name or e-mail</label>
<input id="user" name="user" autocomplete="username" autocapitalize="none" spellcheck="false" required
  value="${escapeHtml(options.login ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`, { formAction: form.formAction, headers: options.headers });
}

/** Step 2: confirm which account the client gets. */
export function grantPage(form: FlowForm, account: { id: string; displayName: string }): Response {
  return htmlPage(200, 'Grant access', `<h1>Grant access</h1>
<p>${clientLine(form.client)} will get access to the files and data of
<strong>${escapeHtml(account.displayName)}</strong> (${escapeHtml(account.id)}).</p>
<p>It gets its own app password, which you can revoke at any time.</p>
<form method="post" action="${escapeHtml(form.action)}">
<input type="hidden" name="${FORM_TOKEN_FIELD}" value="${escapeHtml(form.formToken)}">
<button type="submit">Grant access</button>
</form>`, { formAction: form.formAction });
}

/** v2 after granting: the client picks the credentials up by polling. */
export function donePage(client: string): Response {
  return htmlPage(200, 'Account connected', `<h1>Account connected</h1>
<p>${clientLine(client)} is now connected to your account. You can close this window.</p>`);
}

/** A refusal: the flow is unknown or expired, the form came from elsewhere, and the like. */
export function flowErrorPage(status: number, message: string, headers: Record<string, string> = {}): Response {
  return htmlPage(status, 'Cannot connect', `<h1>Cannot connect</h1>
<p class="error" role="alert">${escapeHtml(message)}</p>
<p>Start again from your app.</p>`, { headers });
}

function clientLine(client: string): string {
  return `<strong class="client">${escapeHtml(client)}</strong>`;
}
