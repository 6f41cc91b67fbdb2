/**
 * Bench-only baseline Worker (never deployed). Each route does the least a file server must do,
 * so its rate is the ceiling for the matching Cumulus operation on the same machine:
 *   PUT /noop/:name     answer 201, touch nothing            (request overhead)
 *   PUT /small/:name    body into R2 + one D1 row insert     (the least a PUT must persist)
 *   PUT /r2/:name       Content-Length body straight into R2 (streamed upload)
 *   GET /r2/:name       R2 object straight into the response (streamed download)
 *   PUT /discard        read and drop the body               (request body throughput)
 */
interface Env {
  DB: D1Database;
  FILES: R2Bucket;
}

let tableReady: Promise<unknown> | undefined;

function ensureTable(db: D1Database) {
  tableReady ??= db
    .prepare('CREATE TABLE IF NOT EXISTS objects (key TEXT PRIMARY KEY, size INTEGER NOT NULL, created_at INTEGER NOT NULL)')
    .run();
  return tableReady;
}

function contentLength(request: Request): number | null {
  const value = request.headers.get('content-length');
  return value !== null && /^\d+$/.test(value) ? Number(value) : null;
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const [, route, name] = url.pathname.split('/');
    const key = decodeURIComponent(name ?? '');

    if (request.method === 'PUT' && route === 'noop') {
      return new Response(null, { status: 201 });
    }

    if (request.method === 'PUT' && route === 'small') {
      const length = contentLength(request);
      if (length === null || !request.body) return new Response('Content-Length required\n', { status: 411 });
      await ensureTable(env.DB);
      await env.FILES.put(`small/${key}`, request.body);
      await env.DB.prepare('INSERT OR REPLACE INTO objects (key, size, created_at) VALUES (?, ?, ?)')
        .bind(key, length, Date.now())
        .run();
      return new Response(null, { status: 201 });
    }

    if (request.method === 'PUT' && route === 'r2') {
      if (contentLength(request) === null || !request.body) return new Response('Content-Length required\n', { status: 411 });
      const object = await env.FILES.put(`big/${key}`, request.body);
      return new Response(null, { status: 201, headers: object ? { ETag: object.httpEtag } : {} });
    }

    if (request.method === 'GET' && route === 'r2') {
      const object = await env.FILES.get(`big/${key}`);
      if (!object) return new Response('Not found\n', { status: 404 });
      return new Response(object.body, {
        headers: { 'Content-Length': String(object.size), ETag: object.httpEtag, 'Content-Type': 'application/octet-stream' },
      });
    }

    if (request.method === 'PUT' && route === 'discard') {
      let bytes = 0;
      if (request.body) {
        const reader = request.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          bytes += value.byteLength;
        }
      }
      return new Response(`${bytes}\n`, { status: 200 });
    }

    if (request.method === 'GET' && url.pathname === '/') return new Response('baseline\n');
    return new Response('Not found\n', { status: 404 });
  },
} satisfies ExportedHandler<Env>;
