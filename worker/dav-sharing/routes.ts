/**
 * The sharing API for the web apps (Calendar, Contacts): JSON/XML over OCS, the same operations
 * as the DAV share POST and through the same service.
 *
 *   GET    /ocs/v2.php/apps/cumulus/api/v1/dav-shares/{calendars|addressbooks}/{uri}   who it is shared with
 *   POST   …  shareType=user|group, shareWith=id, access=read|read-write              share or change access
 *   DELETE …  shareType, shareWith                                                     take a share away
 *
 * Only the owner manages shares; any other caller gets 404, as for a collection that does not
 * exist, so names reveal nothing. Every answer is the list after the change.
 */
import { Hono, type Context } from 'hono';
import { requireUser } from '../accounts/auth';
import { CalendarService } from '../calendars/service';
import { calendarShareRefusal } from '../calendars/sharing';
import { ContactsService } from '../contacts/service';
import { BadInput } from '../errors';
import type { AppEnv } from '../http/env';
import { OcsError, ocsOk, ocsUnauthorized, type OcsData } from '../ocs/envelope';
import { readParams } from '../ocs/params';
import { DavShares, type Access, type Sharee, type ShareKind } from './shares';

const BASE = '/apps/cumulus/api/v1/dav-shares/:kind{calendars|addressbooks}/:uri';

/** The caller's own collection named in the URL, or 404; 403 when it can never be shared. */
async function ownCollection(c: Context<AppEnv>): Promise<{ kind: ShareKind; id: number; owner: string }> {
  const user = c.get('user').id;
  const uri = c.req.param('uri') ?? '';
  const now = Date.now();
  if (c.req.param('kind') === 'calendars') {
    const cal = await new CalendarService(c.env, user, now).get(uri);
    if (!cal) throw new OcsError(404, 'Calendar not found');
    const refusal = calendarShareRefusal(cal);
    if (refusal) throw new OcsError(403, refusal);
    return { kind: 'calendar', id: cal.id, owner: user };
  }
  const book = await new ContactsService(c.env, user, now).get(uri);
  if (!book) throw new OcsError(404, 'Address book not found');
  return { kind: 'addressbook', id: book.id, owner: user };
}

function shareeParam(type: string | undefined, id: string | undefined): Sharee {
  if (type !== 'user' && type !== 'group') throw new OcsError(400, 'shareType must be user or group');
  if (!id) throw new OcsError(400, 'shareWith is required');
  return { type, id };
}

async function listed(c: Context<AppEnv>, service: DavShares, id: number): Promise<Response> {
  const shares = await service.list(id);
  return ocsOk(c, shares.map((s): OcsData => ({ shareType: s.sharee.type, shareWith: s.sharee.id, displayName: s.displayName, access: s.access })));
}

async function change(c: Context<AppEnv>, op: (service: DavShares, id: number, owner: string) => Promise<void>): Promise<Response> {
  const target = await ownCollection(c);
  const service = new DavShares(c.env, target.kind);
  try {
    await op(service, target.id, target.owner);
  } catch (e) {
    if (e instanceof BadInput) throw new OcsError(400, e.message);
    throw e;
  }
  return listed(c, service, target.id);
}

export function davSharesOcsRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  r.use(BASE, requireUser({ onUnauthorized: ocsUnauthorized }));
  r.get(BASE, async (c) => {
    const target = await ownCollection(c);
    return listed(c, new DavShares(c.env, target.kind), target.id);
  });
  r.post(BASE, async (c) => {
    const p = await readParams(c);
    const sharee = shareeParam(p.get('shareType'), p.get('shareWith'));
    const access = p.get('access') ?? 'read';
    if (access !== 'read' && access !== 'read-write') throw new OcsError(400, 'access must be read or read-write');
    return change(c, (s, id, owner) => s.apply(id, owner, [{ sharee, access: access as Access }], []));
  });
  r.delete(BASE, async (c) => {
    const p = await readParams(c);
    const sharee = shareeParam(p.get('shareType'), p.get('shareWith'));
    return change(c, (s, id, owner) => s.apply(id, owner, [], [sharee]));
  });
  return r;
}
