import { and, gte, isNull, lt } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { calendars } from '../../schema';
import type { PropertyDef } from '../dav/backend';
import { DavError } from '../dav/errors';
import { hrefOf } from '../dav/locks';
import { clark, NS } from '../dav/namespaces';
import type { DavRequest } from '../dav/request';
import { escapeXml, type XmlElement } from '../dav/xml';
import type { CalendarNode, CalendarsDavBackend } from './dav-backend';
import type { CalendarRow } from './service';

// Publishing a calendar as a read-only public link, the way Nextcloud's PublishPlugin does it:
// POST <cs:publish-calendar/> (202) / <cs:unpublish-calendar/> (200) on the calendar, the link in
// cs:publish-url, served at /remote.php/dav/public-calendars/{token} (public-routes.ts).

const CS = (local: string) => clark(NS.CS, local);

/**
 * Nextcloud's human-readable alphabet (no 0/O, 1/l/I, h, u, v): links get read aloud and retyped.
 * No '-', which joins tokens in embed URLs.
 */
const TOKEN_ALPHABET = 'abcdefgijkmnopqrstwxyzABCDEFGHJKLMNPQRSTWXYZ23456789';
/**
 * 32 characters = 182 bits. Nextcloud uses 16 (≈91 bits); we want ≥128 bits in the part only ever
 * compared in constant time (the 24 characters after the selector: ≈137 bits).
 */
export const TOKEN_LENGTH = 32;
/** The leading characters the index looks up by; timing may reveal them, never the rest. */
const SELECTOR_LENGTH = 8;
const TOKEN_SHAPE = new RegExp(`^[${TOKEN_ALPHABET}]{${TOKEN_LENGTH}}$`);

/** A fresh public-link token from crypto.getRandomValues, without modulo bias (rejection sampling). */
export function newPublishToken(): string {
  const limit = 256 - (256 % TOKEN_ALPHABET.length);
  let out = '';
  while (out.length < TOKEN_LENGTH) {
    for (const byte of crypto.getRandomValues(new Uint8Array(TOKEN_LENGTH * 2))) {
      if (byte < limit && out.length < TOKEN_LENGTH) out += TOKEN_ALPHABET[byte % TOKEN_ALPHABET.length];
    }
  }
  return out;
}

function sameToken(a: string, b: string): boolean {
  const enc = new TextEncoder();
  const x = enc.encode(a);
  const y = enc.encode(b);
  // Lengths are public (the format is fixed); only equal-length contents reach the constant-time compare.
  return x.byteLength === y.byteLength && crypto.subtle.timingSafeEqual(x, y);
}

/**
 * The live published calendar of a token, or null. The query touches the unique index only with
 * the selector (a range scan on its first 8 characters), so the database's comparisons can leak
 * at most those; the whole token is then compared in constant time.
 */
export async function findPublishedCalendar(env: Env, token: string): Promise<CalendarRow | null> {
  if (!TOKEN_SHAPE.test(token)) return null;
  const selector = token.slice(0, SELECTOR_LENGTH);
  const rows = await drizzle(env.DB).select().from(calendars).where(and(
    gte(calendars.publishToken, selector), lt(calendars.publishToken, selector + '~'), isNull(calendars.deletedAt)));
  let found: CalendarRow | null = null;
  for (const row of rows) if (row.publishToken !== null && sameToken(row.publishToken, token)) found = row;
  return found;
}

/** The public URL of a published calendar, absolute as Nextcloud's getAbsoluteURL makes it. */
export function publishUrl(request: Request, token: string): string {
  return `${new URL(request.url).origin}/remote.php/dav/public-calendars/${token}`;
}

/** Only the owner publishes (Nextcloud also lets read-write sharees; the issue asks for owners only); subscriptions never. */
function mayPublish(cal: CalendarRow, principal: string): boolean {
  return cal.owner === principal && cal.source === null;
}

/**
 * The calendarserver POST bodies this module answers, by root element; the backend's POST hook
 * dispatches here (sharing adds its own entries beside these).
 */
export function publishingPostHandlers(b: CalendarsDavBackend): Map<string, (r: DavRequest<CalendarNode>, target: CalendarNode, body: XmlElement) => Promise<Response>> {
  const check = (r: DavRequest<CalendarNode>, target: CalendarNode): CalendarRow => {
    if (target.kind !== 'calendar' || !target.calendar) throw new DavError(403, 'Only calendars can be published');
    if (!mayPublish(target.calendar, r.ctx.principal)) {
      throw new DavError(403, 'Only the owner can publish this calendar', {
        condition: 'need-privileges',
        conditionBody: `<d:resource><d:href>${hrefOf(r.ctx, target.path, true)}</d:href><d:privilege><d:write/></d:privilege></d:resource>`,
      });
    }
    return target.calendar;
  };
  const done = (status: number) => new Response(null, { status, headers: { 'X-Sabre-Status': 'everything-went-well' } });
  return new Map([
    [CS('publish-calendar'), async (r, target) => {
      const cal = check(r, target);
      // Publishing again keeps the link: pages that embed it must not break.
      if (cal.publishToken === null) await b.service.setPublishToken(cal, newPublishToken());
      return done(202); // iCloud answers 202, and so do SabreDAV and Nextcloud.
    }],
    [CS('unpublish-calendar'), async (r, target) => {
      const cal = check(r, target);
      if (cal.publishToken !== null) await b.service.setPublishToken(cal, null);
      return done(200);
    }],
  ]);
}

/** cs:publish-url (only while published) and cs:allowed-sharing-modes, as Nextcloud's PublishPlugin reports them. */
export function publishingProperties(): PropertyDef<CalendarNode>[] {
  return [
    {
      name: CS('publish-url'),
      get: (n, _s, ctx) => (n.kind === 'calendar' && n.calendar?.publishToken
        ? `<d:href>${escapeXml(publishUrl(ctx.request, n.calendar.publishToken))}</d:href>` : undefined),
    },
    {
      name: CS('allowed-sharing-modes'),
      get: (n, _s, ctx) => (n.kind !== 'calendar' ? undefined
        : n.calendar && mayPublish(n.calendar, ctx.principal) ? '<cs:can-be-shared/><cs:can-be-published/>' : ''),
    },
  ];
}
