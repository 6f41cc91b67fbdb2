/**
 * A minimal WebDAV client for tests and benchmarks: Basic auth, keep-alive, streamed bodies,
 * and a namespace-aware multistatus parser (saxes) — nothing a real client would not do.
 */
import http from 'node:http';
import { SaxesParser } from 'saxes';

const DAV = 'DAV:';
export const OC = 'http://owncloud.org/ns';

/** Percent-encodes each segment of a relative path ("a b/c#d" → "a%20b/c%23d"). */
export function encodePath(relPath) {
  return relPath.split('/').map((s) => encodeURIComponent(s)).join('/');
}

/**
 * Parses a 207 body into [{ href, status, props: { '{ns}name': text } }] (only 200 propstats).
 * `href` is decoded.
 */
export function parseMultistatus(xml) {
  const responses = [];
  const parser = new SaxesParser({ xmlns: true });
  const stack = [];
  let current = null;
  let propstat = null;
  let text = '';
  parser.on('opentag', (tag) => {
    const name = `{${tag.uri}}${tag.local}`;
    stack.push(name);
    text = '';
    if (name === `{${DAV}}response`) current = { href: '', props: {}, status: null };
    else if (name === `{${DAV}}propstat`) propstat = { props: {}, status: '' };
    else if (propstat && stack.at(-2) === `{${DAV}}prop`) {
      propstat.props[name] = '';
      if (name === `{${DAV}}resourcetype`) propstat.props[name] = [];
    } else if (propstat && stack.at(-2) === `{${DAV}}resourcetype` && stack.at(-3) === `{${DAV}}prop`) {
      propstat.props[`{${DAV}}resourcetype`].push(name);
    }
  });
  parser.on('text', (t) => {
    text += t;
  });
  parser.on('closetag', () => {
    const name = stack.pop();
    const parent = stack.at(-1);
    if (!current) return;
    if (name === `{${DAV}}href` && parent === `{${DAV}}response`) current.href = decodeURIComponent(text.trim());
    else if (name === `{${DAV}}status` && parent === `{${DAV}}propstat`) propstat.status = text.trim();
    else if (name === `{${DAV}}status` && parent === `{${DAV}}response`) current.status = text.trim();
    else if (propstat && parent === `{${DAV}}prop` && !Array.isArray(propstat.props[name])) propstat.props[name] = text;
    else if (name === `{${DAV}}propstat`) {
      if (/ 200 /.test(propstat.status)) Object.assign(current.props, propstat.props);
      propstat = null;
    } else if (name === `{${DAV}}response`) {
      responses.push(current);
      current = null;
    }
    text = '';
  });
  parser.write(xml).close();
  return responses;
}

/** PROPFIND body asking for the properties a sync client asks for. */
export const SYNC_PROPFIND = `<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns">
  <d:prop>
    <d:getetag/><d:getlastmodified/><d:getcontentlength/><d:resourcetype/>
    <oc:fileid/><oc:permissions/>
  </d:prop>
</d:propfind>`;

/**
 * A client rooted at a WebDAV collection URL (ending in "/"); paths are relative and unencoded.
 * @param {string} rootUrl @param {string} user @param {string} password
 */
export function davClient(rootUrl, user, password, { maxSockets = 8 } = {}) {
  const root = new URL(rootUrl.endsWith('/') ? rootUrl : `${rootUrl}/`);
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const auth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  /**
   * One request; `body` is a Buffer, string or Readable (then `length` is required: we always send
   * Content-Length, like real clients). Resolves { status, headers, body: Buffer } or, with
   * `sink`, streams the response into sink(chunk) and resolves { status, headers, bytes }.
   */
  function request(method, relPath, { body, length, headers = {}, sink } = {}) {
    const url = new URL(encodePath(relPath), root);
    return new Promise((resolve, reject) => {
      const h = { Authorization: auth, ...headers };
      if (body !== undefined) h['Content-Length'] = String(length ?? Buffer.byteLength(body));
      const req = http.request(url, { method, agent, headers: h }, (res) => {
        const chunks = [];
        let bytes = 0;
        res.on('data', (c) => {
          bytes += c.length;
          if (sink && res.statusCode < 300) sink(c);
          else chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), bytes }));
        res.on('error', reject);
      });
      req.on('error', reject);
      if (body === undefined) req.end();
      else if (typeof body.pipe === 'function') {
        body.on('error', (err) => req.destroy(err));
        body.pipe(req);
      } else req.end(body);
    });
  }

  /** PROPFIND with sync-client props; resolves the multistatus body unparsed (what a timing should cover). */
  async function propfindRaw(p, depth = 1, body = SYNC_PROPFIND) {
    const res = await expectStatus(
      `PROPFIND ${p}`,
      request('PROPFIND', p, { body, headers: { Depth: String(depth), 'Content-Type': 'application/xml; charset=utf-8' } }),
      [207],
    );
    return res.body.toString('utf8');
  }

  async function expectStatus(what, promise, ok) {
    const res = await promise;
    if (!ok.includes(res.status)) {
      throw new Error(`${what}: HTTP ${res.status} ${res.body?.toString('utf8').slice(0, 300) ?? ''}`);
    }
    return res;
  }

  return {
    root: root.href,
    request,
    put: (p, body, opts = {}) => expectStatus(`PUT ${p}`, request('PUT', p, { body, ...opts }), [200, 201, 204]),
    get: async (p) => (await expectStatus(`GET ${p}`, request('GET', p), [200])).body,
    mkcol: (p) => expectStatus(`MKCOL ${p}`, request('MKCOL', p), [201]),
    delete: (p) => expectStatus(`DELETE ${p}`, request('DELETE', p), [200, 204, 404]),
    propfindRaw,
    /** PROPFIND with sync-client props; resolves the parsed responses. */
    propfind: async (p, depth = 1, body = SYNC_PROPFIND) => parseMultistatus(await propfindRaw(p, depth, body)),
    close: () => agent.destroy(),
  };
}
