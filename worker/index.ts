/**
 * The composition root: builds the app, exports the fetch and scheduled handlers.
 */
import { createApp } from './http/app';
import { runScheduledJobs } from './jobs/scheduled';

const app = createApp();

/** Clients use both `/index.php/x` and `/x` for every web route (nextcloud-api.md §0). */
function stripIndexPhp(request: Request): Request {
  const url = new URL(request.url);
  if (url.pathname === '/index.php' || url.pathname.startsWith('/index.php/')) {
    url.pathname = url.pathname.slice('/index.php'.length) || '/';
    return new Request(url.toString(), request);
  }
  return request;
}

export default {
  fetch(request, env, ctx) {
    return app.fetch(stripIndexPhp(request), env, ctx);
  },
  scheduled(controller, env, ctx) {
    ctx.waitUntil(runScheduledJobs(controller, env));
  },
} satisfies ExportedHandler<Env>;
