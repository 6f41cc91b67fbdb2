import { ROOT_XMLNS } from './namespaces';
import { escapeXml, tagFor } from './xml';

const REASONS: Record<number, string> = {
  200: 'OK', 201: 'Created', 204: 'No Content', 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found',
  409: 'Conflict', 412: 'Precondition Failed', 423: 'Locked', 424: 'Failed Dependency', 500: 'Internal Server Error',
  502: 'Bad Gateway', 507: 'Insufficient Storage', 415: 'Unsupported Media Type',
};

/** `HTTP/1.1 404 Not Found` — desktop clients match the `HTTP/1.1 200` prefix literally. */
export function statusLine(status: number): string {
  return `HTTP/1.1 ${status} ${REASONS[status] ?? ''}`.trimEnd();
}

/** One property in a propstat: name in Clark notation, value as inner XML (absent = empty element). */
export interface PropEntry { name: string; value?: string }

/** One DAV:response: either per-property propstats or a single status. */
export type MultistatusEntry =
  | { href: string; propstats: { status: number; props: PropEntry[] }[]; error?: never; status?: never }
  | { href: string; status: number; error?: string; propstats?: never };

/** Serializes one DAV:response element. */
export function responseXml(e: MultistatusEntry): string {
  let out = `<d:response><d:href>${escapeXml(e.href)}</d:href>`;
  if (e.propstats) {
    for (const ps of e.propstats) {
      if (ps.props.length === 0) continue;
      out += '<d:propstat><d:prop>';
      for (const p of ps.props) {
        const tag = tagFor(p.name);
        out += p.value === undefined || p.value === '' ? tag.empty : tag.open + p.value + tag.close;
      }
      out += `</d:prop><d:status>${statusLine(ps.status)}</d:status></d:propstat>`;
    }
  } else {
    out += `<d:status>${statusLine(e.status)}</d:status>`;
    if (e.error) out += `<d:error>${e.error}</d:error>`;
  }
  return out + '</d:response>';
}

export const MULTISTATUS_HEADERS = { 'Content-Type': 'application/xml; charset=utf-8' } as const;

/** Answers up to this size are sent as one string: workerd sends those far faster than a stream. */
const WHOLE_BODY_LIMIT = 16 * 1024 * 1024;

/**
 * The 207 writer: serializes entries (or takes already serialized `<d:response>` strings) as they
 * are produced. An answer that stays under WHOLE_BODY_LIMIT goes out as one string; a larger one
 * (a huge folder) streams in chunks instead of being held whole. `tail` is XML written after the
 * responses (RFC 6578 puts DAV:sync-token there).
 */
export function multistatusResponse(entries: Iterable<MultistatusEntry | string>, headers: Record<string, string> = {}, tail = ''): Response {
  const init = { status: 207, headers: { ...MULTISTATUS_HEADERS, ...headers } };
  const it = entries[Symbol.iterator]();
  const parts: string[] = [`<?xml version="1.0" encoding="utf-8"?>\n<d:multistatus${ROOT_XMLNS}>`];
  let size = 0;
  for (;;) {
    const next = it.next();
    if (next.done) {
      parts.push(tail + '</d:multistatus>\n');
      return new Response(parts.join(''), init);
    }
    const xml = typeof next.value === 'string' ? next.value : responseXml(next.value);
    parts.push(xml);
    size += xml.length;
    if (size > WHOLE_BODY_LIMIT) break;
  }
  const encoder = new TextEncoder();
  let pending: string | null = parts.join('');
  let done = false;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (done) return;
      let chunk = pending ?? '';
      pending = null;
      while (chunk.length < 256 * 1024) {
        const next = it.next();
        if (next.done) {
          chunk += tail + '</d:multistatus>\n';
          done = true;
          break;
        }
        chunk += typeof next.value === 'string' ? next.value : responseXml(next.value);
      }
      controller.enqueue(encoder.encode(chunk));
      if (done) controller.close();
    },
  });
  return new Response(body, init);
}
