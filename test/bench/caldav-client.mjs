/**
 * The CalDAV bench's HTTP side (test/bench/caldav.mjs): a keep-alive client for absolute URLs, a
 * namespace-aware multistatus parser that keeps nested elements (hrefs inside properties, the
 * sync-token of RFC 6578), calendar-home discovery and calendar creation.
 */
import http from 'node:http';
import https from 'node:https';
import { SaxesParser } from 'saxes';

const REQUEST_TIMEOUT_MS = 300_000; // of socket inactivity: a reference server may take long on 10,000 events
const DAV = 'DAV:';
export const CALDAV = 'urn:ietf:params:xml:ns:caldav';
export const XML = { 'Content-Type': 'application/xml; charset=utf-8' };

/**
 * A client for absolute URLs with Basic auth and keep-alive; request() resolves
 * { status, headers, body: string } once the whole answer has arrived.
 */
export function caldavHttp(user, password, { maxSockets = 8 } = {}) {
  const agents = { 'http:': new http.Agent({ keepAlive: true, maxSockets }), 'https:': new https.Agent({ keepAlive: true, maxSockets }) };
  const auth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  function request(method, url, { body, headers = {} } = {}) {
    const target = new URL(url);
    const lib = target.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const h = { Authorization: auth, ...headers };
      if (body !== undefined) h['Content-Length'] = String(Buffer.byteLength(body));
      const req = lib.request(target, { method, agent: agents[target.protocol], headers: h }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`${method} ${url}: no answer for ${REQUEST_TIMEOUT_MS / 1000} s`)));
      req.on('error', reject);
      req.end(body);
    });
  }
  return {
    request,
    close: () => Object.values(agents).forEach((a) => a.destroy()),
  };
}

/** Parses XML into { name: '{ns}local', attrs, children, text } elements (namespace-aware). */
export function parseXml(xml) {
  const parser = new SaxesParser({ xmlns: true });
  const stack = [{ name: '#document', attrs: {}, children: [], text: '' }];
  parser.on('opentag', (tag) => {
    const attrs = {};
    for (const a of Object.values(tag.attributes)) attrs[a.local] = a.value;
    const el = { name: `{${tag.uri}}${tag.local}`, attrs, children: [], text: '' };
    stack.at(-1).children.push(el);
    stack.push(el);
  });
  parser.on('text', (t) => (stack.at(-1).text += t));
  parser.on('cdata', (t) => (stack.at(-1).text += t));
  parser.on('closetag', () => stack.pop());
  parser.write(xml).close();
  return stack[0].children[0];
}

const childrenNamed = (el, name) => (el?.children ?? []).filter((c) => c.name === name);
export const childNamed = (el, name) => childrenNamed(el, name)[0];

/**
 * A 207 body as { responses: [{ href, status, props: { '{ns}name': element } }], syncToken }:
 * props from 200 propstats only; `status` is the response-level status (404 for a member a
 * sync-collection reports removed); syncToken is the multistatus-level one (RFC 6578).
 */
export function parseMultistatusTree(xml) {
  const root = parseXml(xml);
  if (root?.name !== `{${DAV}}multistatus`) throw new Error(`not a multistatus: ${xml.slice(0, 200)}`);
  const responses = childrenNamed(root, `{${DAV}}response`).map((r) => {
    const props = {};
    for (const ps of childrenNamed(r, `{${DAV}}propstat`)) {
      if (!/ 200 /.test(childNamed(ps, `{${DAV}}status`)?.text ?? '')) continue;
      for (const p of childNamed(ps, `{${DAV}}prop`)?.children ?? []) props[p.name] = p;
    }
    return {
      href: (childNamed(r, `{${DAV}}href`)?.text ?? '').trim(),
      status: childNamed(r, `{${DAV}}status`)?.text.trim() ?? null,
      props,
    };
  });
  return { responses, syncToken: childNamed(root, `{${DAV}}sync-token`)?.text.trim() ?? null };
}

/** The last path segment of an href, decoded ("…/ev-00012.ics" → "ev-00012.ics"). */
export const memberName = (href) => decodeURIComponent(href.replace(/\/$/, '').split('/').pop());

export async function expect(what, promise, ok) {
  const res = await promise;
  if (!ok.includes(res.status)) throw new Error(`${what}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
  return res;
}


// ---------------------------------------------------------------------------------------------
// Discovery and calendars

/**
 * The calendar home for `url`: `url`'s own calendar-home-set when it is a principal, else that of
 * its current-user-principal; `url` itself when the server names neither (then it must be a home).
 */
export async function discoverCalendarHome(client, url) {
  const body = `<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:" xmlns:c="${CALDAV}"><d:prop><d:current-user-principal/><c:calendar-home-set/></d:prop></d:propfind>`;
  const propsOf = async (u) => {
    const res = await expect(`PROPFIND ${u}`, client.request('PROPFIND', u, { body, headers: { ...XML, Depth: '0' } }), [207, 404]);
    return res.status === 207 ? (parseMultistatusTree(res.body).responses[0]?.props ?? {}) : {};
  };
  const hrefIn = (prop) => childNamed(prop, `{${DAV}}href`)?.text.trim();
  const own = await propsOf(url);
  let home = hrefIn(own[`{${CALDAV}}calendar-home-set`]);
  const principal = hrefIn(own[`{${DAV}}current-user-principal`]);
  if (!home && principal) home = hrefIn((await propsOf(new URL(principal, url).href))[`{${CALDAV}}calendar-home-set`]);
  const resolved = new URL(home ?? url, url).href;
  return resolved.endsWith('/') ? resolved : `${resolved}/`;
}

/** RFC 4791 MKCALENDAR body, or the RFC 5689 extended MKCOL body for the same calendar. */
function creationBody(method, displayName) {
  const props = `<d:displayname>${displayName}</d:displayname>
      <c:supported-calendar-component-set><c:comp name="VEVENT"/></c:supported-calendar-component-set>`;
  if (method === 'MKCALENDAR') {
    return `<?xml version="1.0" encoding="utf-8"?>
<c:mkcalendar xmlns:d="DAV:" xmlns:c="${CALDAV}"><d:set><d:prop>${props}</d:prop></d:set></c:mkcalendar>`;
  }
  return `<?xml version="1.0" encoding="utf-8"?>
<d:mkcol xmlns:d="DAV:" xmlns:c="${CALDAV}"><d:set><d:prop>
      <d:resourcetype><d:collection/><c:calendar/></d:resourcetype>${props}</d:prop></d:set></d:mkcol>`;
}

/**
 * Makes sure the calendar at `url` exists; resolves how: 'existing', 'MKCALENDAR' or 'MKCOL'
 * (extended MKCOL, tried when MKCALENDAR is refused as unknown or not allowed).
 */
export async function ensureCalendar(client, url, displayName) {
  const probe = await client.request('PROPFIND', url, {
    body: `<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/></d:prop></d:propfind>`,
    headers: { ...XML, Depth: '0' },
  });
  // Xandikos answers a PROPFIND on a missing resource with a 207 whose response says 404.
  const self = probe.status === 207 ? parseMultistatusTree(probe.body).responses[0] : null;
  if (self && !/ 404 /.test(self.status ?? '')) {
    if (!childNamed(self.props[`{${DAV}}resourcetype`], `{${CALDAV}}calendar`)) throw new Error(`${url} exists and is not a calendar`);
    return 'existing';
  }
  if (!self && probe.status !== 404) throw new Error(`PROPFIND ${url}: HTTP ${probe.status} ${probe.body.slice(0, 200)}`);
  const mk = await client.request('MKCALENDAR', url, { body: creationBody('MKCALENDAR', displayName), headers: XML });
  if (mk.status === 201) return 'MKCALENDAR';
  if (![400, 403, 405, 415, 501].includes(mk.status)) throw new Error(`MKCALENDAR ${url}: HTTP ${mk.status} ${mk.body.slice(0, 200)}`);
  await expect(`extended MKCOL ${url} (after MKCALENDAR → ${mk.status})`, client.request('MKCOL', url, { body: creationBody('MKCOL', displayName), headers: XML }), [201]);
  return 'MKCOL';
}

/** Names of the calendar's members (PROPFIND Depth 1, getetag). */
export async function listMembers(client, url) {
  const res = await expect(`PROPFIND ${url}`, client.request('PROPFIND', url, {
    body: `<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>`,
    headers: { ...XML, Depth: '1' },
  }), [207]);
  const self = new URL(url).pathname;
  return new Set(parseMultistatusTree(res.body).responses.filter((r) => new URL(r.href, url).pathname !== self).map((r) => memberName(r.href)));
}

/** Whether a calendar resource exists at `url` (PROPFIND Depth 0 answered for it). */
export async function calendarExists(client, url) {
  const res = await client.request('PROPFIND', url, {
    body: `<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/></d:prop></d:propfind>`,
    headers: { ...XML, Depth: '0' },
  });
  return res.status === 207 && !/ 404 /.test(parseMultistatusTree(res.body).responses[0]?.status ?? '');
}
