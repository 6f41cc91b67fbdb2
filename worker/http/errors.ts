import type { Context } from 'hono';
import type { AppEnv } from './env';

/**
 * An error created at a protocol boundary (DAV, OCS, JSON) that knows how to render itself.
 * The one onError handler renders these; anything else becomes a logged, bare 500.
 */
export abstract class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = new.target.name;
  }
  abstract toResponse(c: Context<AppEnv>): Response;
}

/** A plain-text error for routes without a protocol envelope. */
export class PlainError extends HttpError {
  constructor(status: number, message: string, readonly headers: Record<string, string> = {}) {
    super(status, message);
  }
  toResponse(): Response {
    return new Response(this.message + '\n', {
      status: this.status,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', ...this.headers },
    });
  }
}

/** The plain 404 of routes that match nothing. */
export function plainNotFound(c: Context<AppEnv>): Response {
  return c.text('Not found\n', 404);
}

/** The app's single error renderer. */
export function renderError(err: Error, c: Context<AppEnv>): Response {
  if (err instanceof HttpError) return err.toResponse(c);
  const requestId = c.get('requestId') ?? 'unknown';
  console.error(`request ${requestId} failed:`, err);
  return new Response(`Internal error (request ${requestId})\n`, {
    status: 500,
    headers: { 'Content-Type': 'text/plain; charset=utf-8' },
  });
}
