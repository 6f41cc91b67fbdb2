/**
 * The shell of the server-rendered pages of accounts (setup, login flows): plain accessible HTML
 * (lang, title, labels, readable at 360 px), no scripts, and a CSP that allows nothing else.
 */

/** Pages post only to this server; `formAction` widens that (Login Flow v1 redirects to nc://). */
export interface PageOptions {
  formAction?: string;
  headers?: Record<string, string>;
}

/** A complete HTML page with `body` (trusted markup: escape every value put into it). */
export function htmlPage(status: number, title: string, body: string, options: PageOptions = {}): Response {
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
.client { overflow-wrap: anywhere; }
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
  return new Response(html, {
    status,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      // No scripts at all; the one inline <style> is the only thing allowed besides posting forms.
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; "
        + `form-action ${options.formAction ?? "'self'"}; base-uri 'none'; frame-ancestors 'none'`,
      // Under the app-wide no-referrer, browsers send "Origin: null" with the page's own form
      // posts, and sameOrigin() must refuse null. same-origin still keeps URLs (login tokens)
      // from leaking to other sites.
      'Referrer-Policy': 'same-origin',
      ...options.headers,
    },
  });
}

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Whether a POST's Origin (when the browser sent one) is this server: a cross-site form is refused. */
export function sameOrigin(origin: string | undefined, requestUrl: string): boolean {
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === new URL(requestUrl).host;
  } catch {
    return false; // "null" (sandboxed or privacy-sensitive contexts) or garbage
  }
}
