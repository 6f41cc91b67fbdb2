/**
 * The server session as the page sees it: who is signed in, and the CSRF token ("requesttoken")
 * that every request of the app carries. The session cookie itself is HttpOnly: scripts never see it.
 */
export interface SessionUser { id: string; displayName: string; email: string | null; isAdmin: boolean }
export interface Session { user: SessionUser; requestToken: string }

let requestToken = '';

/** Fetch for the app's own API calls: same origin, with the requesttoken and the XHR marker. */
export function apiFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (requestToken) headers.set('requesttoken', requestToken);
  // Tells the server not to send a Basic challenge (no browser password dialog), as Nextcloud.
  headers.set('X-Requested-With', 'XMLHttpRequest');
  return fetch(url, { ...init, headers, credentials: 'same-origin', referrerPolicy: 'same-origin' });
}

/** The signed-in session, or null (GET /csrftoken answers 401 without one). */
export async function loadSession(): Promise<Session | null> {
  const res = await apiFetch('/csrftoken');
  if (!res.ok) return null;
  const body = await res.json() as { token: string; user: SessionUser };
  requestToken = body.token;
  return { user: body.user, requestToken: body.token };
}

export type SignInResult =
  | { ok: true }
  | { ok: false; status: number; retryAfter?: number };

/** Signs in with a login name (user id or e-mail) and password. */
export async function signIn(user: string, password: string): Promise<SignInResult> {
  const res = await apiFetch('/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user, password }),
  });
  if (res.ok) {
    requestToken = ((await res.json()) as { requesttoken: string }).requesttoken;
    return { ok: true };
  }
  const retryAfter = Number(res.headers.get('Retry-After'));
  return { ok: false, status: res.status, ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfter } : {}) };
}

/** Ends the session on the server (the cookie is cleared by the answer). */
export async function signOut(): Promise<void> {
  await apiFetch('/logout', { method: 'POST' });
  requestToken = '';
}
