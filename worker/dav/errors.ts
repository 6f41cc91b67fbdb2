import { HttpError } from '../http/errors';
import { escapeXml } from './xml';

const STATUS_EXCEPTION: Record<number, string> = {
  400: 'BadRequest', 401: 'NotAuthenticated', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed',
  409: 'Conflict', 412: 'PreconditionFailed', 415: 'UnsupportedMediaType', 416: 'RequestedRangeNotSatisfiable',
  423: 'Locked', 501: 'NotImplemented', 502: 'BadGateway', 507: 'InsufficientStorage',
};

/**
 * A DAV error: HTTP status plus an optional RFC 4918 precondition/postcondition element
 * (e.g. `lock-token-submitted`), rendered as SabreDAV renders it so Nextcloud clients parse it.
 */
export class DavError extends HttpError {
  constructor(
    status: number,
    message: string,
    readonly opts: { /** A DAV: local name, or a Clark name for other namespaces. */ condition?: string; conditionBody?: string; headers?: Record<string, string> } = {},
  ) {
    super(status, message);
  }

  toResponse(): Response {
    const exception = `Sabre\\DAV\\Exception\\${STATUS_EXCEPTION[this.status] ?? 'Exception'}`;
    const condition = this.opts.condition ? conditionXml(this.opts.condition, this.opts.conditionBody) : '';
    const body = `<?xml version="1.0" encoding="utf-8"?>\n<d:error xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns">${condition}` +
      `<s:exception>${escapeXml(exception)}</s:exception><s:message>${escapeXml(this.message)}</s:message></d:error>\n`;
    return new Response(body, {
      status: this.status,
      headers: { 'Content-Type': 'application/xml; charset=utf-8', ...this.opts.headers },
    });
  }
}

/**
 * A precondition element: a bare name is in the DAV: namespace; a Clark name (`{urn:…caldav}
 * valid-calendar-data`) declares its own namespace (CalDAV/CardDAV preconditions).
 */
function conditionXml(condition: string, body: string | undefined): string {
  const m = /^\{(.*)\}(.+)$/.exec(condition);
  const [open, close] = m ? [`c:${m[2]} xmlns:c="${escapeXml(m[1])}"`, `c:${m[2]}`] : [`d:${condition}`, `d:${condition}`];
  return body ? `<${open}>${body}</${close}>` : `<${open}/>`;
}

export const badRequest = (message: string) => new DavError(400, message);
export const notFound = (message = 'Not found') => new DavError(404, message);
export const conflict = (message: string) => new DavError(409, message);
export const forbidden = (message: string, condition?: string) => new DavError(403, message, { condition });
export const preconditionFailed = (message: string, condition?: string) => new DavError(412, message, { condition });
