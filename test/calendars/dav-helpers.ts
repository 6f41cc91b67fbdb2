import { exports } from 'cloudflare:workers';

/** A request to any URL of the worker with Basic auth (null user = anonymous). */
export function davRequest(user: string | null, method: string, path: string, init: { headers?: Record<string, string>; body?: string | null } = {}) {
  const headers: Record<string, string> = { ...init.headers };
  if (user) headers.Authorization = 'Basic ' + btoa(`${user}:correct horse battery`);
  return exports.default.fetch(new Request(`http://localhost${path}`, { method, headers, body: init.body ?? null, redirect: 'manual' }));
}

/** A PROPFIND body asking for prefixed properties, with the namespaces CalDAV clients declare. */
export function propfindBody(props: string): string {
  return '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" xmlns:cal="urn:ietf:params:xml:ns:caldav" ' +
    'xmlns:card="urn:ietf:params:xml:ns:carddav" xmlns:cs="http://calendarserver.org/ns/" xmlns:x1="http://apple.com/ns/ical/">' +
    `<d:prop>${props}</d:prop></d:propfind>`;
}

/** Splits a multistatus into its responses, keyed by href as sent. */
export function responsesOf(xml: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of xml.matchAll(/<d:response><d:href>([^<]*)<\/d:href>(.*?)<\/d:response>/gs)) out.set(m[1], m[2]);
  return out;
}

/** The 200-propstat part of a response block. */
export function okPart(block: string | undefined): string {
  return block?.split('<d:propstat>').find((p) => p.includes('HTTP/1.1 200')) ?? '';
}

/** The hrefs inside one property of a block's 200 propstat. */
export function hrefsIn(block: string | undefined, tag: string): string[] {
  const m = new RegExp(`<${tag}>(.*?)</${tag}>`, 's').exec(okPart(block));
  return m ? [...m[1].matchAll(/<d:href>([^<]*)<\/d:href>/g)].map((x) => x[1]) : [];
}
