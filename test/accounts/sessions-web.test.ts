import { describe, expect, it } from 'vitest';
import { APP_CSP } from '../../worker/web/routes';
import { call, installAdmin } from './helpers';

/** The web app's pages and files as the Worker serves them from the ASSETS binding (web/dist). */
describe('web app serving (worker/web/routes.ts)', () => {
  it('GET / is the setup page until installed, then the app', async () => {
    const before = await call('/');
    expect(await before.text()).toContain('Set up Cumulus');
    await installAdmin();
    const after = await call('/');
    expect(after.status).toBe(200);
    expect(await after.text()).toContain('<div id="app"></div>');
  });

  it('serves the app\'s HTML for its pages with a strict CSP, no inline script, never cached', async () => {
    for (const path of ['/login', '/apps/files/', '/apps/files/?dir=/a/b', '/settings/user', '/index.php/apps/files/',
      '/apps/viewer', '/apps/viewer/?path=/a/b.txt', '/apps/viewer/x']) {
      const res = await call(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('Content-Security-Policy')).toBe(APP_CSP);
      expect(res.headers.get('Cache-Control')).toBe('no-cache');
      expect(res.headers.get('Referrer-Policy')).toBe('same-origin');
      const html = await res.text();
      expect(html).toMatch(/<html lang="en">/);
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    }
    expect(APP_CSP).toContain("script-src 'self';");
    expect(APP_CSP).not.toContain('unsafe');
    // The viewer plays media from the server itself, and nothing may be framed or embedded.
    expect(APP_CSP).toContain("media-src 'self';");
    expect(APP_CSP).toContain("object-src 'none'");
  });

  it('serves the hashed scripts and styles under /assets/ as immutable, and 404 for a missing one', async () => {
    const html = await (await call('/apps/files/')).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const res = await call(script!);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/javascript/);
    expect(res.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable');
    expect((await call('/assets/nope-123.js')).status).toBe(404);
  });

  it('serves the bundled OpenDyslexic font from the stylesheet as a hashed woff2, and its licence under /fonts/', async () => {
    expect(APP_CSP).toContain("font-src 'self';");
    const html = await (await call('/apps/files/')).text();
    const css = await (await call(/href="(\/assets\/[^"]+\.css)"/.exec(html)![1])).text();
    const fonts = [...css.matchAll(/url\(["']?(\/assets\/[^"')]+\.woff2)["']?\)/g)].map((m) => m[1]);
    expect(fonts).toHaveLength(2); // 400 and 700; no .woff fallback
    for (const font of fonts) {
      const res = await call(font);
      expect(res.status, font).toBe(200);
      expect(res.headers.get('Content-Type')).toBe('font/woff2');
      expect(res.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable');
      expect(new TextDecoder().decode((await res.arrayBuffer()).slice(0, 4))).toBe('wOF2');
    }
    const licence = await call('/fonts/OpenDyslexic-LICENSE.txt');
    expect(licence.status).toBe(200);
    expect(licence.headers.get('Content-Type')).toMatch(/^text\/plain/);
    expect(await licence.text()).toContain('SIL Open Font License, Version 1.1');
    // A browser revalidating it gets 304, not "missing".
    const etag = licence.headers.get('ETag');
    expect(etag).toBeTruthy();
    expect((await call('/fonts/OpenDyslexic-LICENSE.txt', { headers: { 'If-None-Match': etag! } })).status).toBe(304);
    expect((await call('/fonts/nope.woff2')).status).toBe(404);
  });

  it('leaves the other routes to the Worker: DAV still asks for credentials, unknown paths 404', async () => {
    expect((await call('/remote.php/dav/files/admin/', { method: 'PROPFIND' })).status).toBe(401);
    expect((await call('/no/such/page')).status).toBe(404);
    expect((await call('/apps/unknown-app/')).status).toBe(404);
  });
});
