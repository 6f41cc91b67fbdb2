/**
 * The composition root: builds the app, exports the fetch and scheduled handlers.
 */
import { createApp } from './http/app';
import { runScheduledJobs } from './jobs/scheduled';

const app = createApp();

/** Clients use both `/index.php/x` and `/x` for every web route (nextcloud-api.md §0). */
function stripIndexPhp(request: Request): Request {
  if (!request.url.includes('/index.php')) return request; // most requests: no URL to parse
  const url = new URL(request.url);
  if (url.pathname === '/index.php' || url.pathname.startsWith('/index.php/')) {
    url.pathname = url.pathname.slice('/index.php'.length) || '/';
    return new Request(url.toString(), request);
  }
  return request;
}

/** The most of an unread body we read to deliver a refusal; past it the connection is dropped instead. */
const MAX_DRAIN_BYTES = 128 * 1024 * 1024;

/**
 * Reads what is left of a body the handler refused without reading (507 before the first byte,
 * 401, 403…). Answering while the client is still sending makes the runtime reset the connection
 * (locally; HTTP/1.1 servers such as Apache do the same unless they drain), so the client sees a
 * network fault and retries instead of the status. Bounded, so nobody can make us read forever.
 */
async function drainUnread(request: Request): Promise<void> {
  if (!request.body || request.bodyUsed) return;
  try {
    const reader = request.body.getReader();
    let read = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      read += value.byteLength;
      if (read > MAX_DRAIN_BYTES) {
        await reader.cancel();
        return;
      }
    }
  } catch {
    // The client went away or the body was taken: nothing left to deliver to.
  }
}

export default {
  async fetch(request, env, ctx) {
    const routed = stripIndexPhp(request);
    const response = await app.fetch(routed, env, ctx);
    if (response.status >= 400) await drainUnread(routed);
    return response;
  },
  scheduled(controller, env, ctx) {
    ctx.waitUntil(runScheduledJobs(controller, env));
  },
} satisfies ExportedHandler<Env>;
