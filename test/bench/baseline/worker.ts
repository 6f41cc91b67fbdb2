/**
 * Bench-only baseline Worker (never deployed). Each route does the least a file server must do,
 * so its rate is the ceiling for the matching Cumulus operation on the same machine:
 *   PUT /noop/:name     answer 201, touch nothing            (request overhead)
 *   PUT /small/:name    body into R2 + one D1 row insert     (the least a PUT must persist)
 *   PUT /r2/:name       Content-Length body straight into R2 (streamed upload)
 *   GET /r2/:name       R2 object straight into the response (streamed download)
 *   PUT /discard        read and drop the body               (request body throughput)
 *   GET /list/:n        n rows from D1 as a multistatus body (what PROPFIND Depth 1 must do)
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

interface ListingRow { id: number; name: string; size: number; mtime: number; etag: string }

const listingsReady = new Map<number, Promise<void>>();

/** Creates `n` rows in folder `n` of a listing table once per isolate: the timed request then makes one D1 query. */
function ensureListing(db: D1Database, n: number): Promise<void> {
  let ready = listingsReady.get(n);
  if (!ready) {
    ready = fillListing(db, n);
    ready.catch(() => listingsReady.delete(n));
    listingsReady.set(n, ready);
  }
  return ready;
}

/** Creates `n` rows in folder `n` of a listing table (10 rows per statement, D1's parameter cap). */
async function fillListing(db: D1Database, n: number): Promise<void> {
  await db.prepare('CREATE TABLE IF NOT EXISTS listing (id INTEGER PRIMARY KEY, dir INTEGER NOT NULL, name TEXT NOT NULL, size INTEGER NOT NULL, mtime INTEGER NOT NULL, etag TEXT NOT NULL)').run();
  await db.prepare('CREATE INDEX IF NOT EXISTS listing_dir ON listing (dir)').run();
  const have = await db.prepare('SELECT count(*) AS c FROM listing WHERE dir = ?').bind(n).first<{ c: number }>();
  if ((have?.c ?? 0) >= n) return;
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < n; i += 10) {
    const values: unknown[] = [];
    const rows: string[] = [];
    for (let k = i; k < Math.min(n, i + 10); k++) {
      rows.push('(?, ?, ?, ?, ?)');
      values.push(n, `f-${k}.txt`, 4096, 1_700_000_000 + k, `etag${k.toString(16).padStart(12, '0')}`);
    }
    statements.push(db.prepare(`INSERT INTO listing (dir, name, size, mtime, etag) VALUES ${rows.join(', ')}`).bind(...values));
  }
  for (let i = 0; i < statements.length; i += 500) await db.batch(statements.slice(i, i + 500));
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

    if (request.method === 'GET' && route === 'list') {
      const n = Number(key);
      if (!Number.isInteger(n) || n < 1 || n > 100_000) return new Response('bad size\n', { status: 400 });
      await ensureListing(env.DB, n);
      const { results } = await env.DB.prepare('SELECT id, name, size, mtime, etag FROM listing WHERE dir = ?').bind(n).all<ListingRow>();
      let xml = '<?xml version="1.0" encoding="utf-8"?>\n<d:multistatus xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns">';
      for (const r of results) {
        xml += `<d:response><d:href>/list/${n}/${encodeURIComponent(r.name)}</d:href><d:propstat><d:prop>` +
          `<d:getetag>&quot;${r.etag}&quot;</d:getetag><d:getlastmodified>${new Date(r.mtime * 1000).toUTCString()}</d:getlastmodified>` +
          `<d:getcontentlength>${r.size}</d:getcontentlength><d:resourcetype/><oc:fileid>${r.id}</oc:fileid>` +
          `<oc:permissions>RGDNVW</oc:permissions></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`;
      }
      return new Response(xml + '</d:multistatus>\n', { status: 207, headers: { 'Content-Type': 'application/xml; charset=utf-8' } });
    }

    if (request.method === 'GET' && url.pathname === '/') return new Response('baseline\n');
    return new Response('Not found\n', { status: 404 });
  },
} satisfies ExportedHandler<Env>;
