import { Hono, type Context } from 'hono';
import { davUnauthorized, requireUser } from '../accounts/auth';
import type { AppEnv } from '../http/env';
import { DavError } from '../dav/errors';
import { clark, NS } from '../dav/namespaces';
import { decodeRelativePath } from '../dav/paths';
import type { DavMount } from '../dav/request';
import { serveDav } from '../dav/server';
import { child, elements, parseXml } from '../dav/xml';
import { addressbookHomeHref } from '../principals/hrefs';
import { parseAddressDataRequest, versionFromAccept, WHOLE_CARD, type AddressDataRequest } from './address-data';
import { ContactsDavBackend, type ContactsNode } from './dav-backend';
import { ContactsService } from './service';
import { exportAddressbook } from './export';
import { isExportRequest } from '../calendars/export';
import { readUpTo } from '../http/bounded-body';

/** PROPFIND bodies are small; a larger one is left to the DAV core, which refuses it. */
const MAX_PEEK = 64 * 1024;

/**
 * The CARDDAV:address-data a PROPFIND asks for. The DAV core hands properties their names only,
 * so the body is read once more here (a clone) for the version and property selection.
 * Malformed bodies are left to the core's 400.
 */
async function propfindAddressData(req: Request): Promise<AddressDataRequest> {
  if (req.method !== 'PROPFIND' || !req.body || Number(req.headers.get('Content-Length') ?? 0) > MAX_PEEK) return WHOLE_CARD;
  const text = await peekText(req.clone());
  if (text === null) return WHOLE_CARD;
  let el;
  try {
    const prop = child(parseXml(text), NS.DAV, 'prop');
    el = prop && elements(prop).find((e) => clark(e.ns, e.local) === clark(NS.CARDDAV, 'address-data'));
  } catch {
    return WHOLE_CARD;
  }
  return el ? parseAddressDataRequest(el) : WHOLE_CARD;
}

/** The body as text when it is at most MAX_PEEK bytes (a chunked body has no Content-Length to check first). */
async function peekText(req: Request): Promise<string | null> {
  const bytes = await readUpTo(req.body, MAX_PEEK);
  return bytes && new TextDecoder().decode(bytes);
}

/** Serves `/remote.php/dav/addressbooks/users/{user}/…`; only the owner reaches an address-book home. */
async function serveContacts(c: Context<AppEnv>): Promise<Response> {
  const user = c.get('user');
  const raw = new URL(c.req.url).pathname.split('/').filter((s) => s !== '');
  const urlUser = decodeRelativePath(raw[4] ?? '');
  if (urlUser !== user.id) throw new DavError(403, 'You may only access your own address books');
  const path = decodeRelativePath(raw.slice(5).join('/'));
  const now = Date.now();
  const home = addressbookHomeHref(user.id);
  const req = c.req.raw;
  const getVersion = req.method === 'GET' || req.method === 'HEAD' ? versionFromAccept(req.headers.get('Accept')) : null;
  const exporting = isExportRequest(req, path);
  const backend = new ContactsDavBackend(new ContactsService(c.env, user.id, now), user.id, home, {
    getVersion, propfindAddressData: exporting ? WHOLE_CARD : await propfindAddressData(req),
  });
  if (exporting) return serveExport(backend, path, now, req.method === 'HEAD');
  const mount: DavMount<ContactsNode> = {
    backend,
    prefixes: [['remote.php', 'dav', 'addressbooks', 'users', user.id]],
    ctx: { principal: user.id, baseHref: home.slice(0, -1), request: req, now, waitUntil: (p) => c.executionCtx.waitUntil(p) },
  };
  return serveDav(mount, path);
}

/** `?export` of one of the user's address books, own or shared with them (Nextcloud's VCFExportPlugin). */
async function serveExport(backend: ContactsDavBackend, uri: string, now: number, head: boolean): Promise<Response> {
  const service = backend.service;
  const book = await backend.bookAt(uri);
  if (!book) throw new DavError(404, 'Address book not found');
  return exportAddressbook(service, book, now, head);
}

/** CardDAV routes: the address-book home of each user. */
export function contactsRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const auth = requireUser({ onUnauthorized: davUnauthorized });
  for (const route of ['/remote.php/dav/addressbooks/users/:user', '/remote.php/dav/addressbooks/users/:user/*']) {
    app.use(route, auth);
    app.all(route, serveContacts);
  }
  return app;
}
