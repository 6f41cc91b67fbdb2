import type { Context } from 'hono';
import { DavError } from '../dav/errors';
import { decodeRelativePath } from '../dav/paths';
import type { DavBackend, DavResource } from '../dav/backend';
import type { DavMount } from '../dav/request';
import type { AppEnv } from '../http/env';

/**
 * A request to `/remote.php/dav/{tree}/{user}/…` of a tree only its owner reaches (trashbin,
 * versions, uploads): the path below the user, decoded. Anyone else's tree is a 403 before
 * anything is read or stored; a malformed user segment is a 400.
 */
export function ownTreePath(c: Context<AppEnv>, refusal: string): string {
  const raw = new URL(c.req.url).pathname.split('/').filter((s) => s !== '');
  let urlUser: string;
  try {
    urlUser = decodeURIComponent(raw[3]).normalize('NFC');
  } catch {
    throw new DavError(400, 'Malformed user in path');
  }
  if (urlUser !== c.get('user').id) throw new DavError(403, refusal);
  return decodeRelativePath(raw.slice(4).join('/'));
}

/** The DAV mount of the caller's own `/remote.php/dav/{tree}/{user}/` tree. */
export function ownTreeMount<R extends DavResource>(c: Context<AppEnv>, tree: string, backend: DavBackend<R>, now: number): DavMount<R> {
  const user = c.get('user');
  return {
    backend,
    prefixes: [['remote.php', 'dav', tree, user.id]],
    ctx: {
      principal: user.id,
      baseHref: `/remote.php/dav/${tree}/${encodeURIComponent(user.id)}`,
      request: c.req.raw,
      now,
      waitUntil: (p) => c.executionCtx.waitUntil(p),
    },
  };
}
