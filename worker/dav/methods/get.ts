import type { DavResource } from '../backend';
import { checkConditionalHeaders, quoteEtag } from '../conditions';
import { DavError } from '../errors';
import { httpDate } from '../properties';
import type { DavRequest } from '../request';
import { baseName } from '../paths';
import { parseRange, type ByteRange } from './ranges';

const COLLECTION_PAGE = '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>WebDAV</title></head>' +
  '<body><p>This is the WebDAV interface. It can only be accessed by WebDAV clients such as the Nextcloud desktop client.</p></body></html>';

/** GET and HEAD (RFC 9110), with single and multiple byte ranges served from storage ranges. */
export async function get(r: DavRequest): Promise<Response> {
  const head = r.req.method === 'HEAD';
  const target = await r.backend.resolve(r.path);
  if (!target) throw new DavError(404, 'Resource not found');
  await r.checkIfHeader(target);
  const notModified = checkConditionalHeaders(r.req, target);
  if (notModified) return notModified;
  if (target.isCollection) {
    const offered = await r.backend.getCollection?.(r, target);
    if (offered) return offered;
    return new Response(head ? null : COLLECTION_PAGE, { headers: { 'Content-Type': 'text/html; charset=utf-8', ETag: quoteEtag(target.etag) } });
  }
  const headers = new Headers({
    ETag: quoteEtag(target.etag),
    'Last-Modified': httpDate(target.lastModifiedMs),
    'Accept-Ranges': 'bytes',
    'Content-Type': target.contentType,
    // User content must never run as a page of this origin.
    'Content-Security-Policy': "sandbox; default-src 'none'; style-src 'unsafe-inline'; media-src 'self'; img-src 'self'",
    'Content-Disposition': contentDisposition(baseName(target.path)),
    ...r.backend.writeHeaders?.(target),
  });
  let ranges = parseRange(r.header('Range'), target.contentLength);
  const ifRange = r.header('If-Range');
  if (ranges !== null && ifRange !== null && ifRange.trim() !== quoteEtag(target.etag) &&
      Date.parse(ifRange) !== Math.floor(target.lastModifiedMs / 1000) * 1000) {
    ranges = null;
  }
  if (ranges === 'unsatisfiable') {
    throw new DavError(416, 'Requested range not satisfiable', { headers: { 'Content-Range': `bytes */${target.contentLength}` } });
  }
  if (ranges === null) {
    headers.set('Content-Length', String(target.contentLength));
    return new Response(head ? null : await r.backend.read(target), { status: 200, headers });
  }
  if (ranges.length === 1) {
    const [range] = ranges;
    headers.set('Content-Range', `bytes ${range.offset}-${range.offset + range.length - 1}/${target.contentLength}`);
    headers.set('Content-Length', String(range.length));
    return new Response(head ? null : await r.backend.read(target, range), { status: 206, headers });
  }
  return multipartRanges(r, target, ranges, headers, head);
}

/** multipart/byteranges (RFC 9110 §14.6), each part streamed from storage in turn. */
function multipartRanges(r: DavRequest, target: DavResource, ranges: ByteRange[], headers: Headers, head: boolean): Response {
  const boundary = crypto.randomUUID().replace(/-/g, '');
  const type = target.contentType;
  const encoder = new TextEncoder();
  const partHead = (rg: ByteRange, first: boolean) => encoder.encode(
    `${first ? '' : '\r\n'}--${boundary}\r\nContent-Type: ${type}\r\nContent-Range: bytes ${rg.offset}-${rg.offset + rg.length - 1}/${target.contentLength}\r\n\r\n`);
  const tail = encoder.encode(`\r\n--${boundary}--\r\n`);
  const length = ranges.reduce((n, rg, i) => n + partHead(rg, i === 0).byteLength + rg.length, tail.byteLength);
  headers.set('Content-Type', `multipart/byteranges; boundary=${boundary}`);
  headers.set('Content-Length', String(length));
  if (head) return new Response(null, { status: 206, headers });
  const { readable, writable } = new FixedLengthStream(length);
  const pump = (async () => {
    const writer = writable.getWriter();
    try {
      for (let i = 0; i < ranges.length; i++) {
        await writer.write(partHead(ranges[i], i === 0));
        const reader = (await r.backend.read(target, ranges[i])).getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          await writer.write(value);
        }
      }
      await writer.write(tail);
      await writer.close();
    } catch (e) {
      await writer.abort(e);
    }
  })();
  r.ctx.waitUntil(pump);
  return new Response(readable, { status: 206, headers });
}

/** Content-Disposition with an RFC 5987 UTF-8 name and an ASCII fallback. */
function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename*=UTF-8''${encodeURIComponent(name)}; filename="${ascii}"`;
}
