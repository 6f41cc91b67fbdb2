/**
 * The OCS envelope (nextcloud-api.md §1.2), as Nextcloud's V1Response/V2Response render it:
 * `{"ocs":{"meta":{…},"data":…}}` in compact JSON or the equivalent XML, v1 or v2 by URL.
 */
import type { Context } from 'hono';
import type { RefusalRenderer } from '../accounts/auth';
import type { AppEnv } from '../http/env';
import { HttpError } from '../http/errors';

export type OcsVersion = 1 | 2;
export type OcsFormat = 'json' | 'xml';
/** What a controller returns as `data`: plain JSON values. */
export type OcsData = string | number | boolean | null | OcsData[] | { [key: string]: OcsData };

/** Nextcloud's special OCS status codes. */
export const OCS_SERVER_ERROR = 996;
export const OCS_UNAUTHORISED = 997;
export const OCS_NOT_FOUND = 998;
export const OCS_UNKNOWN_ERROR = 999;

/** v2 when the request came in under /ocs/v2.php, else v1. */
export function ocsVersion(c: Context): OcsVersion {
  return /^\/ocs\/v2\.php(\/|$)/.test(c.req.path) ? 2 : 1;
}

/** JSON when asked by `?format=json` or an Accept of application/json; the query wins. */
export function ocsFormat(c: Context): OcsFormat {
  const format = c.req.query('format');
  if (format === 'json' || format === 'xml') return format;
  return (c.req.header('Accept') ?? '').includes('application/json') ? 'json' : 'xml';
}

/** The HTTP status v2 uses for an OCS status code (V2Response::getStatus). */
export function v2HttpStatus(code: number): number {
  if (code === OCS_UNAUTHORISED) return 401;
  if (code === OCS_NOT_FOUND) return 404;
  if (code === OCS_SERVER_ERROR || code === OCS_UNKNOWN_ERROR) return 500;
  if (code < 200 || code > 600) return 400;
  return code;
}

/**
 * Renders an envelope. `code` is the OCS status: an HTTP success code (200, 201…) for success,
 * or an error code (102, 403, 997…). v1 reports success as 100 and answers HTTP 200 except 401
 * for 997; v2 reports the code itself and maps it to the HTTP status.
 */
export function renderOcs(c: Context, code: number, message: string, data: OcsData): Response {
  const version = ocsVersion(c);
  const success = code >= 200 && code < 300;
  let meta: Record<string, OcsData>;
  let status: number;
  if (version === 1) {
    const statuscode = success ? 100 : code;
    meta = {
      status: success ? 'ok' : 'failure', statuscode, message: success ? 'OK' : message,
      totalitems: '', itemsperpage: '',
    };
    status = code === OCS_UNAUTHORISED ? 401 : 200;
  } else {
    meta = { status: success ? 'ok' : 'failure', statuscode: code, message: success ? 'OK' : message };
    status = v2HttpStatus(code);
  }
  const envelope = { ocs: { meta, data } };
  if (ocsFormat(c) === 'json') {
    // Compact (the desktop client regex-matches "statuscode":NNN); < and > escaped like PHP's
    // JSON_HEX_TAG so a response can never be sniffed as HTML.
    const body = JSON.stringify(envelope).replace(/</g, '\\u003C').replace(/>/g, '\\u003E');
    return new Response(body, { status, headers: { 'Content-Type': 'application/json; charset=utf-8' } });
  }
  const body = `<?xml version="1.0"?>\n${xmlElement('ocs', envelope.ocs)}\n`;
  return new Response(body, { status, headers: { 'Content-Type': 'application/xml; charset=utf-8' } });
}

/** A success envelope; `status` is the v2 HTTP status (v1 always answers 200). */
export function ocsOk(c: Context, data: OcsData = [], status = 200): Response {
  return renderOcs(c, status, 'OK', data);
}

/** An OCS error created at the boundary; it renders itself in the caller's version and format. */
export class OcsError extends HttpError {
  constructor(readonly code: number, message = '') {
    super(v2HttpStatus(code), message);
  }
  toResponse(c: Context<AppEnv>): Response {
    return renderOcs(c, this.code, this.message, []);
  }
}

/** Refusals of requireUser() as OCS answers them: 997 (HTTP 401), 403 (CSRF) or 429. */
export const ocsUnauthorized: RefusalRenderer = (c, message, status) =>
  renderOcs(c, status === 401 ? OCS_UNAUTHORISED : status, message, []);

/** What Nextcloud answers for an unknown OCS route. */
export function ocsNotFound(c: Context): Response {
  return renderOcs(c, OCS_NOT_FOUND, 'Invalid query, please check the syntax. API specifications are here:'
    + ' http://www.freedesktop.org/wiki/Specifications/open-collaboration-services.', []);
}

// PHP's XMLWriter turns list items into <element> and booleans into "1" / "".
function xmlElement(name: string, value: OcsData): string {
  const tag = /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name) ? name : 'element';
  if (value === null) return `<${tag}/>`;
  if (Array.isArray(value)) return `<${tag}>${value.map((v) => xmlElement('element', v)).join('')}</${tag}>`;
  if (typeof value === 'object') {
    const children = Object.entries(value).map(([k, v]) => xmlElement(/^\d+$/.test(k) ? 'element' : k, v));
    return `<${tag}>${children.join('')}</${tag}>`;
  }
  const text = typeof value === 'boolean' ? (value ? '1' : '') : String(value);
  return `<${tag}>${escapeXmlText(text)}</${tag}>`;
}

/** Escapes markup and replaces characters XML 1.0 cannot carry (control chars, lone surrogates). */
export function escapeXmlText(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
