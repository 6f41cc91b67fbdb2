import { beforeAll, describe, expect, it } from 'vitest';
import { env } from 'cloudflare:test';
import { makeUser } from '../helpers';
import { checkSource, isPrivateHost, refreshSubscriptions, setSubscriptionFetcher, type SubscriptionFetcher } from '../../worker/calendars/subscriptions';
import { davRequest, propfindBody, responsesOf } from './dav-helpers';
import { eventIcs } from './fixtures';

const HOME = '/remote.php/dav/calendars/sub/';
const XML = { 'Content-Type': 'application/xml; charset=utf-8' };
const FEED_URL = 'webcal://feeds.example.com/holidays.ics';

/** The extended MKCOL the Nextcloud calendar app sends for a new subscription. */
const mkcolSubscription = (source: string) => '<?xml version="1.0" encoding="utf-8"?><d:mkcol xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/" xmlns:x1="http://apple.com/ns/ical/">' +
  '<d:set><d:prop><d:resourcetype><d:collection/><cs:subscribed/></d:resourcetype><d:displayname>Holidays</d:displayname>' +
  `<x1:calendar-color>#00ff00</x1:calendar-color><x1:refreshrate>P1D</x1:refreshrate><cs:source><d:href>${source}</d:href></cs:source></d:prop></d:set></d:mkcol>`;

/** A feed of two events; `variant` changes the second and adds a third. */
function feed(variant: 1 | 2): string {
  const body = (s: string) => s.replace(/^BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:[^\r]*\r\n/, '').replace(/END:VCALENDAR\r\n$/, '');
  const events = variant === 1
    ? [eventIcs('h-1', '20260101T000000Z', '20260101T010000Z', 'BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nDESCRIPTION:x\r\nEND:VALARM'), eventIcs('h-2')]
    : [eventIcs('h-1', '20260101T000000Z', '20260101T010000Z'), eventIcs('h-2', '20260301T100000Z', '20260301T110000Z'), eventIcs('h-3')];
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Remote//EN', ...events.map(body), 'END:VCALENDAR', ''].join('\r\n').replace(/\r\n\r\n/g, '\r\n');
}

let served = feed(1);
const requested: string[] = [];
const fetcher: SubscriptionFetcher = async (url) => {
  requested.push(url);
  return new Response(served, { headers: { 'Content-Type': 'text/calendar' } });
};

async function objectsOf(owner: string, uri: string) {
  const { results } = await env.DB.prepare('SELECT o.uid, o.data FROM calendar_objects o JOIN calendars c ON c.id = o.calendar_id WHERE c.owner = ? AND c.uri = ? ORDER BY o.uid')
    .bind(owner, uri).all<{ uid: string; data: string }>();
  return results;
}

async function syncToken(): Promise<string> {
  const res = await davRequest('sub', 'PROPFIND', HOME + 'holidays/', { headers: { ...XML, Depth: '0' }, body: propfindBody('<d:sync-token/>') });
  return /<d:sync-token>([^<]+)<\/d:sync-token>/.exec(await res.text())![1];
}

beforeAll(async () => {
  await makeUser('sub');
  await makeUser('other');
  setSubscriptionFetcher(fetcher);
});

describe('calendar subscriptions', () => {
  it('extended MKCOL with cs:subscribed creates a subscription; webcal:// is stored as https://', async () => {
    const res = await davRequest('sub', 'MKCOL', HOME + 'holidays/', { headers: XML, body: mkcolSubscription(FEED_URL) });
    expect(res.status).toBe(201);
    const row = await env.DB.prepare("SELECT source FROM calendars WHERE owner = 'sub' AND uri = 'holidays'").first<{ source: string }>();
    expect(row!.source).toBe('https://feeds.example.com/holidays.ics');
  });

  it('a refresh stores one object per UID, without alarms; the home lists it read-only with cs:source', async () => {
    await refreshSubscriptions(env, new Date(Date.now() + 8 * 86400_000), fetcher);
    expect(requested.at(-1)).toBe('https://feeds.example.com/holidays.ics');
    const objs = await objectsOf('sub', 'holidays');
    expect(objs.map((o) => o.uid)).toEqual(['h-1', 'h-2']);
    expect(objs[0].data).not.toContain('VALARM');
    const res = await davRequest('sub', 'PROPFIND', HOME, {
      headers: { ...XML, Depth: '1' }, body: propfindBody('<d:resourcetype/><cs:source/><d:current-user-privilege-set/><x1:refreshrate/>'),
    });
    const block = responsesOf(await res.text()).get(HOME + 'holidays/')!;
    expect(block).toContain('<cal:calendar/>');
    expect(block).toContain('<cs:source><d:href>https://feeds.example.com/holidays.ics</d:href></cs:source>');
    expect(block).toContain('<x1:refreshrate>P1W</x1:refreshrate>');
    expect(block).toContain('<d:read/>');
    expect(block).not.toContain('<d:write/>');
  });

  it('a second refresh with changed content updates the objects and bumps the sync token; unchanged ones stay', async () => {
    const before = await syncToken();
    const h1 = (await objectsOf('sub', 'holidays'))[0].data;
    served = feed(2);
    // Not due yet one day later: nothing fetched.
    const count = requested.length;
    await refreshSubscriptions(env, new Date(Date.now() + 9 * 86400_000), fetcher);
    expect(requested.length).toBe(count);
    await refreshSubscriptions(env, new Date(Date.now() + 30 * 86400_000), fetcher);
    const objs = await objectsOf('sub', 'holidays');
    expect(objs.map((o) => o.uid)).toEqual(['h-1', 'h-2', 'h-3']);
    expect(objs[1].data).toContain('20260301T100000Z');
    expect(objs[0].data).toBe(h1.replace(/BEGIN:VALARM[\s\S]*END:VALARM\r\n/, ''));
    const after = await syncToken();
    expect(after).not.toBe(before);
    const report = await davRequest('sub', 'REPORT', HOME + 'holidays/', {
      headers: XML, body: `<?xml version="1.0"?><d:sync-collection xmlns:d="DAV:"><d:sync-token>${before}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`,
    });
    const hrefs = [...responsesOf(await report.text()).keys()];
    expect(hrefs).toHaveLength(2); // h-2 changed, h-3 added; h-1 untouched
  });

  it('writes to a subscription are 403', async () => {
    const put = await davRequest('sub', 'PUT', HOME + 'holidays/mine.ics', { headers: { 'Content-Type': 'text/calendar' }, body: eventIcs('mine') });
    expect(put.status).toBe(403);
    const [first] = [...responsesOf(await (await davRequest('sub', 'PROPFIND', HOME + 'holidays/', { headers: { ...XML, Depth: '1' }, body: propfindBody('<d:getetag/>') })).text()).keys()]
      .filter((h) => h.endsWith('.ics'));
    expect((await davRequest('sub', 'DELETE', first)).status).toBe(403);
    expect(await objectsOf('sub', 'holidays')).toHaveLength(3);
  });

  it('refuses non-http(s) schemes, credentials and private or loopback targets; creates nothing', async () => {
    for (const [url, status] of [['ftp://example.com/a.ics', 400], ['file:///etc/passwd', 400], ['not a url', 400], ['https://u:p@example.com/a.ics', 400],
      ['http://127.0.0.1:8080/a.ics', 403], ['https://10.1.2.3/a.ics', 403], ['https://[::1]/a.ics', 403], ['http://localhost/a.ics', 403], ['http://169.254.169.254/latest', 403]] as const) {
      const res = await davRequest('sub', 'MKCOL', HOME + 'bad/', { headers: XML, body: mkcolSubscription(url) });
      expect(res.status, url).toBe(status);
    }
    expect(await env.DB.prepare("SELECT 1 FROM calendars WHERE owner = 'sub' AND uri = 'bad'").first()).toBeNull();
    expect(isPrivateHost('192.168.0.1')).toBe(true);
    expect(isPrivateHost('example.com')).toBe(false);
  });

  it('loopback is allowed only with CALENDAR_SUBSCRIPTION_ALLOW_LOOPBACK=true (local test setups), private ranges never', () => {
    const local = { ...env, CALENDAR_SUBSCRIPTION_ALLOW_LOOPBACK: 'true' } as Env;
    expect(checkSource(local, 'http://127.0.0.1:8123/feed.ics')).toBe('http://127.0.0.1:8123/feed.ics');
    expect(() => checkSource(local, 'http://10.0.0.1/feed.ics')).toThrow();
    expect(() => checkSource(env, 'http://127.0.0.1:8123/feed.ics')).toThrow();
  });

  it('a redirect to a private address is refused hop by hop, the old objects stay', async () => {
    const redirecting: SubscriptionFetcher = async () => new Response(null, { status: 302, headers: { Location: 'http://10.0.0.5/x.ics' } });
    await refreshSubscriptions(env, new Date(Date.now() + 90 * 86400_000), redirecting);
    expect(await objectsOf('sub', 'holidays')).toHaveLength(3);
  });

  it('another user cannot see or read the subscription; anonymous is 401', async () => {
    expect((await davRequest('other', 'PROPFIND', HOME + 'holidays/', { headers: { Depth: '0' } })).status).toBe(403);
    expect((await davRequest(null, 'PROPFIND', HOME + 'holidays/', { headers: { Depth: '0' } })).status).toBe(401);
    const res = await davRequest('other', 'PROPFIND', '/remote.php/dav/calendars/other/', { headers: { ...XML, Depth: '1' }, body: propfindBody('<d:displayname/>') });
    expect(await res.text()).not.toContain('holidays');
  });
});
