import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';

describe('app', () => {
  it('answers unknown routes with 404 and a request id', async () => {
    const res = await exports.default.fetch('http://localhost/nope');
    expect(res.status).toBe(404);
    expect(res.headers.get('X-Request-Id')).toBeTruthy();
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
  });
});
