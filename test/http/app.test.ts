import { env } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import type { SmartRouter } from 'hono/router/smart-router';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../worker/http/app';

describe('app', () => {
  it('answers unknown routes with 404 and a request id', async () => {
    const res = await exports.default.fetch('http://localhost/nope');
    expect(res.status).toBe(404);
    expect(res.headers.get('X-Request-Id')).toBeTruthy();
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
  });

  it('OCS answers through its own app with the same request id and security headers', async () => {
    const ocs = await exports.default.fetch('http://localhost/ocs/v2.php/cloud/nothing-here?format=json', { headers: { 'OCS-APIRequest': 'true' } });
    expect(ocs.status).toBe(404);
    expect((await ocs.json() as { ocs: { meta: { statuscode: number } } }).ocs.meta.statuscode).toBe(998);
    expect(ocs.headers.get('X-Request-Id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(ocs.headers.get('X-Content-Type-Options')).toBe('nosniff');
    const outside = await exports.default.fetch('http://localhost/ocs/v3.php/x');
    expect(outside.status).toBe(404);
    expect(await outside.text()).toBe('Not found\n');
  });

  it("routes with one regular expression (Hono's RegExpRouter), not a trie walk per request", async () => {
    const app = createApp();
    expect((await app.request('/status.php', {}, env)).status).toBe(200);
    expect((app.router as SmartRouter<unknown>).name).toBe('SmartRouter + RegExpRouter');
  });
});
