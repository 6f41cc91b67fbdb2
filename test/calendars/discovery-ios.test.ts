import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env } from 'cloudflare:test';
import { updateUser } from '../../worker/accounts/users';
import { setSubscriptionFetcher } from '../../worker/calendars/subscriptions';
import { makeUser } from '../helpers';
import { card3 } from '../contacts/fixtures';
import { davRequest, hrefsIn, okPart, responsesOf } from './dav-helpers';
import { eventIcs } from './fixtures';

// The walk iOS/macOS dataaccessd (Calendar and Contacts) makes from a bare server URL, with the
// request bodies and headers it sends (captured in emersion/go-webdav#150, sabre-io/dav#813,
// jelmer/xandikos#166, owncloud/core#25351, Kozea/Radicale#330): Apple's own prefixes (A: DAV,
// B: CalDAV/CardDAV, C: calendarserver, D: Apple iCal, E: me.com), `text/xml`, and
// `Prefer: return=minimal` + `Brief: t` on every PROPFIND, so no 404 propstat may come back.

const USER = 'iris';
const PRINCIPAL = `/remote.php/dav/principals/users/${USER}/`;
const CAL_HOME = `/remote.php/dav/calendars/${USER}/`;
const CARD_HOME = `/remote.php/dav/addressbooks/users/${USER}/`;
const APPLE = { 'Content-Type': 'text/xml', 'Prefer': 'return=minimal', 'Brief': 't', 'User-Agent': 'iOS/18.1.1 (22B91) dataaccessd/1.0' };

const propfind = (props: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<A:propfind xmlns:A="DAV:">\n  <A:prop>\n${props}\n  </A:prop>\n</A:propfind>\n`;
const B = (l: string) => `    <B:${l} xmlns:B="urn:ietf:params:xml:ns:caldav"/>`;
const BC = (l: string) => `    <B:${l} xmlns:B="urn:ietf:params:xml:ns:carddav"/>`;
const C = (l: string) => `    <C:${l} xmlns:C="http://calendarserver.org/ns/"/>`;
const D = (l: string) => `    <D:${l} xmlns:D="http://apple.com/ns/ical/"/>`;
const E = (l: string) => `    <E:${l} xmlns:E="http://me.com/_namespace/"/>`;
const A = (l: string) => `    <A:${l}/>`;

/** Step 1: the first PROPFIND, on the well-known URL and again on wherever it leads. */
const CONTEXT_BODY = propfind([A('current-user-principal'), A('principal-URL'), A('resourcetype')].join('\n'));
/** Step 2 (Calendar): the principal. */
const CAL_PRINCIPAL_BODY = propfind([B('calendar-home-set'), B('calendar-user-address-set'), A('current-user-principal'), A('displayname'),
  C('dropbox-home-URL'), C('email-address-set'), B('max-attendees-per-instance'), C('notification-URL'), A('principal-collection-set'),
  A('principal-URL'), A('resource-id'), B('schedule-inbox-URL'), B('schedule-outbox-URL'), A('supported-report-set')].join('\n'));
/** Step 3 (Calendar): the calendar home, Depth 1. */
const CAL_HOME_BODY = propfind([A('add-member'), C('allowed-sharing-modes'), D('autoprovisioned'), E('bulk-requests'), B('calendar-alarm'),
  D('calendar-color'), B('calendar-description'), B('calendar-free-busy-set'), D('calendar-order'), B('calendar-timezone'),
  A('current-user-privilege-set'), B('default-alarm-vevent-date'), B('default-alarm-vevent-datetime'), A('displayname'), C('getctag'),
  C('invite'), D('language-code'), D('location-code'), A('owner'), C('pre-publish-url'), C('publish-url'), C('push-transports'),
  C('pushkey'), A('quota-available-bytes'), A('quota-used-bytes'), D('refreshrate'), A('resource-id'), A('resourcetype'),
  B('schedule-calendar-transp'), B('schedule-default-calendar-URL'), C('source'), C('subscribed-strip-alarms'),
  C('subscribed-strip-attachments'), C('subscribed-strip-todos'), B('supported-calendar-component-set'),
  B('supported-calendar-component-sets'), A('supported-report-set'), A('sync-token')].join('\n'));
/** Step 2 (Contacts): the principal. */
const CARD_PRINCIPAL_BODY = propfind([BC('addressbook-home-set'), A('current-user-principal'), A('displayname'), C('email-address-set'),
  A('principal-collection-set'), A('principal-URL'), A('resource-id'), A('supported-report-set')].join('\n'));
/** Step 3 (Contacts): the address-book home, Depth 1. */
const CARD_HOME_BODY = propfind([A('add-member'), E('bulk-requests'), A('current-user-privilege-set'), A('displayname'), C('getctag'),
  C('me-card'), BC('max-image-size'), BC('max-resource-size'), C('push-transports'), C('pushkey'), A('quota-available-bytes'),
  A('quota-used-bytes'), A('resource-id'), A('resourcetype'), A('supported-report-set'), A('sync-token')].join('\n'));
const SYNC = (token: string) => '<?xml version="1.0" encoding="UTF-8"?>\n<A:sync-collection xmlns:A="DAV:">\n' +
  `  <A:sync-token>${token}</A:sync-token>\n  <A:sync-level>1</A:sync-level>\n  <A:prop>\n    <A:getcontenttype/>\n    <A:getetag/>\n  </A:prop>\n</A:sync-collection>\n`;

const ios = (method: string, path: string, headers: Record<string, string> = {}, body: string | null = null) =>
  davRequest(USER, method, path, { headers: { ...APPLE, ...headers }, body });

/** A 207 with Apple's minimal preference honoured: no 404 propstat anywhere. */
async function minimal207(res: Response): Promise<Map<string, string>> {
  expect(res.status).toBe(207);
  expect(res.headers.get('Content-Type')).toContain('application/xml; charset=utf-8');
  expect(res.headers.get('Preference-Applied')).toBe('return=minimal');
  const text = await res.text();
  expect(text).not.toContain('404 Not Found');
  return responsesOf(text);
}

/** The privileges named in a block's current-user-privilege-set. */
function privileges(block: string | undefined): string[] {
  const m = /<d:current-user-privilege-set>(.*?)<\/d:current-user-privilege-set>/s.exec(okPart(block));
  return m ? [...m[1].matchAll(/<d:privilege><d:([a-z-]+)\/><\/d:privilege>/g)].map((x) => x[1]) : [];
}

/** The text of one simple property in a block's 200 propstat (null when absent). */
function valueOf(block: string | undefined, tag: string): string | null {
  const ok = okPart(block);
  if (new RegExp(`<${tag}/>`).test(ok)) return '';
  const m = new RegExp(`<${tag}>(.*?)</${tag}>`, 's').exec(ok);
  return m ? m[1] : null;
}

/** The well-known redirect, then the context path's current-user-principal (steps 0–1 for both apps). */
async function principalFromBareUrl(name: 'caldav' | 'carddav'): Promise<string> {
  const wk = await ios('PROPFIND', `/.well-known/${name}`, { Depth: '0' }, CONTEXT_BODY);
  expect(wk.status).toBe(301);
  const context = new URL(wk.headers.get('Location')!, 'http://localhost').pathname;
  expect(context).toBe('/remote.php/dav/');
  // iOS often drops the trailing slash; both forms answer the same.
  for (const path of [context, context.slice(0, -1)]) {
    const res = await ios('PROPFIND', path, { Depth: '0' }, CONTEXT_BODY);
    const [block] = [...(await minimal207(res)).values()];
    expect(hrefsIn(block, 'd:current-user-principal')).toEqual([PRINCIPAL]);
    expect(valueOf(block, 'd:resourcetype')).toBe('<d:collection/>');
  }
  // OPTIONS on the principal: the DAV classes decide whether iOS treats the account as CalDAV/CardDAV.
  const options = await ios('OPTIONS', PRINCIPAL);
  const classes = options.headers.get('DAV')!.split(',').map((s) => s.trim());
  expect(classes).toEqual(expect.arrayContaining(['1', '3', 'access-control', name === 'caldav' ? 'calendar-access' : 'addressbook']));
  return PRINCIPAL;
}

const FEED = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Remote//EN', 'BEGIN:VEVENT', 'UID:feed-1', 'DTSTAMP:20260101T000000Z',
  'DTSTART:20260101T000000Z', 'DTEND:20260101T010000Z', 'SUMMARY:New Year', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');

beforeAll(async () => {
  await makeUser(USER);
  await makeUser('ivan');
  await updateUser(env, USER, { email: 'iris@example.org' });
  // The default calendar exists before the subscription (as for anyone who opened the web app first).
  expect((await davRequest(USER, 'PROPFIND', CAL_HOME, { headers: { Depth: '1' } })).status).toBe(207);
  // A subscription, so the home listing shows what iOS needs of one (cs:source, read-only).
  setSubscriptionFetcher(async () => new Response(FEED, { headers: { 'Content-Type': 'text/calendar' } }));
  const mk = await davRequest(USER, 'MKCOL', `${CAL_HOME}holidays/`, {
    headers: { 'Content-Type': 'application/xml; charset=utf-8' },
    body: '<?xml version="1.0" encoding="utf-8"?><d:mkcol xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/">' +
      '<d:set><d:prop><d:resourcetype><d:collection/><cs:subscribed/></d:resourcetype><d:displayname>Holidays</d:displayname>' +
      '<cs:source><d:href>webcal://feeds.example.com/holidays.ics</d:href></cs:source></d:prop></d:set></d:mkcol>',
  });
  expect(mk.status).toBe(201);
});

afterAll(() => setSubscriptionFetcher(null));

describe('iOS/macOS Calendar: discovery walk from the bare server URL', () => {
  let calendarHref = '';

  it('/.well-known/caldav → 301 → context path → current-user-principal; OPTIONS announces calendar-access', async () => {
    expect(await principalFromBareUrl('caldav')).toBe(PRINCIPAL);
  });

  it('the principal answers every property iOS needs, and leaves out (not 404s) those it lacks', async () => {
    const res = await ios('PROPFIND', PRINCIPAL, { Depth: '0' }, CAL_PRINCIPAL_BODY);
    const block = (await minimal207(res)).get(PRINCIPAL);
    expect(hrefsIn(block, 'cal:calendar-home-set')).toEqual([CAL_HOME]);
    // iOS takes the first mailto: as the account's address for invitations.
    expect(hrefsIn(block, 'cal:calendar-user-address-set')).toEqual(['mailto:iris@example.org', PRINCIPAL]);
    expect(hrefsIn(block, 'd:current-user-principal')).toEqual([PRINCIPAL]);
    expect(hrefsIn(block, 'd:principal-URL')).toEqual([PRINCIPAL]);
    expect(hrefsIn(block, 'd:principal-collection-set')).toEqual(['/remote.php/dav/principals/']);
    expect(hrefsIn(block, 'cal:schedule-inbox-URL')).toEqual([`${CAL_HOME}inbox/`]);
    expect(hrefsIn(block, 'cal:schedule-outbox-URL')).toEqual([`${CAL_HOME}outbox/`]);
    expect(valueOf(block, 'd:displayname')).toBe(USER.toUpperCase());
    expect(valueOf(block, 'cs:email-address-set')).toBe('<cs:email-address>iris@example.org</cs:email-address>');
    // Reports on a principal itself: none (RFC 3744 §9.4 searches run on the principal collections)...
    expect(valueOf(block, 'd:supported-report-set')).toBe('');
    // No attachments dropbox and no notification collection: absent, which iOS accepts.
    expect(block).not.toContain('dropbox-home-URL');
    expect(block).not.toContain('notification-URL');
    // ...which is where iOS looks for attendee search (principal-collection-set, then its supported-report-set).
    const coll = await minimal207(await ios('PROPFIND', '/remote.php/dav/principals/', { Depth: '0' }, propfind(A('supported-report-set'))));
    const reports = valueOf(coll.get('/remote.php/dav/principals/'), 'd:supported-report-set');
    expect(reports).toContain('<d:principal-property-search/>');
    expect(reports).toContain('<d:principal-search-property-set/>');
  });

  it('the home, Depth 1: every calendar with what iOS shows and syncs by; scheduling boxes and subscriptions typed', async () => {
    const res = await ios('PROPFIND', CAL_HOME, { Depth: '1' }, CAL_HOME_BODY);
    const blocks = await minimal207(res);
    // Every href is a path inside the home (iOS resolves them against the request URL).
    for (const href of blocks.keys()) expect(href.startsWith(CAL_HOME)).toBe(true);
    // The home: iOS offers "Add Calendar" only with bind on it.
    const home = blocks.get(CAL_HOME);
    expect(valueOf(home, 'd:resourcetype')).toBe('<d:collection/>');
    expect(privileges(home)).toEqual(expect.arrayContaining(['read', 'bind', 'unbind']));
    expect(hrefsIn(home, 'd:owner')).toEqual([PRINCIPAL]);

    // Calendars iOS syncs by CalDAV; a subscription (cs:source) is also a calendar here, but read-only (below).
    const calendars = [...blocks].filter(([, b]) => valueOf(b, 'd:resourcetype')?.includes('<cal:calendar/>') && valueOf(b, 'cs:source') === null);
    expect(calendars.length).toBe(1);
    const [href, cal] = calendars[0];
    calendarHref = href;
    expect(href).toMatch(new RegExp(`^${CAL_HOME}[^/]+/$`));
    expect(valueOf(cal, 'd:displayname')).toBe('Personal');
    expect(valueOf(cal, 'x1:calendar-order')).toMatch(/^-?\d+$/);
    const comps = [...(valueOf(cal, 'cal:supported-calendar-component-set') ?? '').matchAll(/<cal:comp name="([A-Z]+)"\/>/g)].map((m) => m[1]);
    expect(comps).toEqual(expect.arrayContaining(['VEVENT', 'VTODO']));
    const ctag = valueOf(cal, 'cs:getctag');
    expect(ctag).toBeTruthy();
    expect(valueOf(cal, 'd:sync-token')).toBe(ctag);
    expect(privileges(cal)).toEqual(expect.arrayContaining(['read', 'write', 'write-content', 'write-properties', 'bind', 'unbind']));
    expect(hrefsIn(cal, 'd:owner')).toEqual([PRINCIPAL]);
    expect(valueOf(cal, 'cal:schedule-calendar-transp')).toBe('<cal:opaque/>');
    const reports = valueOf(cal, 'd:supported-report-set') ?? '';
    for (const r of ['d:sync-collection', 'cal:calendar-multiget', 'cal:calendar-query']) expect(reports).toContain(`<${r}/>`);

    // The scheduling inbox and outbox, typed so iOS does not list them as calendars.
    expect(valueOf(blocks.get(`${CAL_HOME}inbox/`), 'd:resourcetype')).toBe('<d:collection/><cal:schedule-inbox/>');
    // RFC 6638 §9.2: the inbox names where invitations land (iOS asks for it in this same listing).
    expect(hrefsIn(blocks.get(`${CAL_HOME}inbox/`), 'cal:schedule-default-calendar-URL')).toEqual([href]);
    expect(valueOf(blocks.get(`${CAL_HOME}outbox/`), 'd:resourcetype')).toBe('<d:collection/><cal:schedule-outbox/>');

    // The subscription: the server keeps a refreshed copy, so iOS syncs it as a calendar over CalDAV;
    // cs:source names the feed and, without write privileges, iOS shows it read-only.
    const sub = blocks.get(`${CAL_HOME}holidays/`);
    expect(valueOf(sub, 'd:resourcetype')).toBe('<d:collection/><cal:calendar/>');
    expect(hrefsIn(sub, 'cs:source')).toEqual(['https://feeds.example.com/holidays.ics']);
    expect(valueOf(sub, 'x1:refreshrate')).toMatch(/^P/);
    expect(privileges(sub)).toContain('read');
    expect(privileges(sub)).not.toContain('write-content');
  });

  it('PUT as iOS does, then sync-collection from an empty token and calendar-multiget; a second sync sees the deletion', async () => {
    expect(calendarHref).not.toBe('');
    const ics = eventIcs('ios-event-1');
    const put = await ios('PUT', `${calendarHref}ios-event-1.ics`, { 'Content-Type': 'text/calendar', 'If-None-Match': '*' }, ics);
    expect(put.status).toBe(201);
    const etag = put.headers.get('ETag');
    expect(etag).toMatch(/^"[^"]+"$/);

    const first = await ios('REPORT', calendarHref, { Depth: '1' }, SYNC(''));
    expect(first.status).toBe(207);
    const text = await first.text();
    const token = /<d:sync-token>([^<]+)<\/d:sync-token>/.exec(text)![1];
    const block = responsesOf(text).get(`${calendarHref}ios-event-1.ics`);
    expect(valueOf(block, 'd:getetag')).toBe(etag!.replaceAll('"', '&quot;'));
    expect(valueOf(block, 'd:getcontenttype')).toMatch(/^text\/calendar/);

    const multiget = await ios('REPORT', calendarHref, { Depth: '1' },
      '<?xml version="1.0" encoding="UTF-8"?>\n<B:calendar-multiget xmlns:A="DAV:" xmlns:B="urn:ietf:params:xml:ns:caldav">\n' +
      `  <A:prop>\n    <A:getetag/>\n    <B:calendar-data/>\n  </A:prop>\n  <A:href>${calendarHref}ios-event-1.ics</A:href>\n</B:calendar-multiget>\n`);
    expect(multiget.status).toBe(207);
    const mg = responsesOf(await multiget.text()).get(`${calendarHref}ios-event-1.ics`);
    expect(valueOf(mg, 'd:getetag')).toBe(etag!.replaceAll('"', '&quot;'));
    expect(valueOf(mg, 'cal:calendar-data')).toBe(ics.replaceAll('\r', '&#13;'));

    // The ctag iOS polls has moved, and equals the token the sync handed out.
    const again = await minimal207(await ios('PROPFIND', calendarHref, { Depth: '0' }, propfind([C('getctag'), A('sync-token')].join('\n'))));
    expect(valueOf(again.get(calendarHref), 'cs:getctag')).toBe(token);

    expect((await ios('DELETE', `${calendarHref}ios-event-1.ics`, { 'If-Match': etag! })).status).toBe(204);
    const second = await ios('REPORT', calendarHref, { Depth: '1' }, SYNC(token));
    const secondText = await second.text();
    expect(responsesOf(secondText).get(`${calendarHref}ios-event-1.ics`)).toContain('<d:status>HTTP/1.1 404 Not Found</d:status>');
    expect(/<d:sync-token>([^<]+)<\/d:sync-token>/.exec(secondText)![1]).not.toBe(token);
  });

  it('another user walking to this home is refused; an anonymous walk gets a Basic challenge', async () => {
    const other = await davRequest('ivan', 'PROPFIND', CAL_HOME, { headers: { ...APPLE, Depth: '1' }, body: CAL_HOME_BODY });
    expect(other.status).toBe(403);
    const anon = await davRequest(null, 'PROPFIND', '/remote.php/dav/', { headers: { ...APPLE, Depth: '0' }, body: CONTEXT_BODY });
    expect(anon.status).toBe(401);
    expect(anon.headers.get('WWW-Authenticate')).toMatch(/^Basic /);
  });
});

describe('iOS/macOS Contacts: discovery walk from the bare server URL', () => {
  let bookHref = '';

  it('/.well-known/carddav → 301 → context path → current-user-principal; OPTIONS announces addressbook', async () => {
    expect(await principalFromBareUrl('carddav')).toBe(PRINCIPAL);
  });

  it('the principal names the address-book home', async () => {
    const block = (await minimal207(await ios('PROPFIND', PRINCIPAL, { Depth: '0' }, CARD_PRINCIPAL_BODY))).get(PRINCIPAL);
    expect(hrefsIn(block, 'card:addressbook-home-set')).toEqual([CARD_HOME]);
    expect(hrefsIn(block, 'd:current-user-principal')).toEqual([PRINCIPAL]);
    expect(hrefsIn(block, 'd:principal-URL')).toEqual([PRINCIPAL]);
    expect(valueOf(block, 'd:displayname')).toBe(USER.toUpperCase());
    expect(valueOf(block, 'cs:email-address-set')).toBe('<cs:email-address>iris@example.org</cs:email-address>');
  });

  it('the home, Depth 1: the address book with ctag, sync-token, privileges and sync-collection', async () => {
    const blocks = await minimal207(await ios('PROPFIND', CARD_HOME, { Depth: '1' }, CARD_HOME_BODY));
    for (const href of blocks.keys()) expect(href.startsWith(CARD_HOME)).toBe(true);
    expect(valueOf(blocks.get(CARD_HOME), 'd:resourcetype')).toBe('<d:collection/>');
    expect(privileges(blocks.get(CARD_HOME))).toEqual(expect.arrayContaining(['read', 'bind']));
    const books = [...blocks].filter(([, b]) => valueOf(b, 'd:resourcetype')?.includes('<card:addressbook/>'));
    // macOS/iOS Contacts use the first address book only: the default one must be there.
    expect(books.length).toBe(1);
    const [href, book] = books[0];
    bookHref = href;
    expect(valueOf(book, 'd:displayname')).toBe('Contacts');
    const ctag = valueOf(book, 'cs:getctag');
    expect(ctag).toBeTruthy();
    expect(valueOf(book, 'd:sync-token')).toBe(ctag);
    expect(valueOf(book, 'card:max-resource-size')).toMatch(/^\d+$/);
    expect(privileges(book)).toEqual(expect.arrayContaining(['read', 'write', 'write-content', 'bind', 'unbind']));
    const reports = valueOf(book, 'd:supported-report-set') ?? '';
    for (const r of ['d:sync-collection', 'card:addressbook-multiget']) expect(reports).toContain(`<${r}/>`);
  });

  it('PUT a card, sync-collection from an empty token, addressbook-multiget, then the deletion comes back as 404', async () => {
    expect(bookHref).not.toBe('');
    const vcf = card3('ios-card-1', 'Ada Lovelace', 'EMAIL;TYPE=INTERNET:ada@example.org');
    const put = await ios('PUT', `${bookHref}ios-card-1.vcf`, { 'Content-Type': 'text/vcard', 'If-None-Match': '*' }, vcf);
    expect(put.status).toBe(201);
    const etag = put.headers.get('ETag')!;

    const first = await ios('REPORT', bookHref, { Depth: '1' }, SYNC(''));
    expect(first.status).toBe(207);
    const text = await first.text();
    const token = /<d:sync-token>([^<]+)<\/d:sync-token>/.exec(text)![1];
    const block = responsesOf(text).get(`${bookHref}ios-card-1.vcf`);
    expect(valueOf(block, 'd:getetag')).toBe(etag.replaceAll('"', '&quot;'));
    expect(valueOf(block, 'd:getcontenttype')).toMatch(/^text\/vcard/);

    const multiget = await ios('REPORT', bookHref, { Depth: '1' },
      '<?xml version="1.0" encoding="UTF-8"?>\n<B:addressbook-multiget xmlns:A="DAV:" xmlns:B="urn:ietf:params:xml:ns:carddav">\n' +
      `  <A:prop>\n    <A:getetag/>\n    <B:address-data/>\n  </A:prop>\n  <A:href>${bookHref}ios-card-1.vcf</A:href>\n</B:addressbook-multiget>\n`);
    expect(multiget.status).toBe(207);
    const mg = responsesOf(await multiget.text()).get(`${bookHref}ios-card-1.vcf`);
    expect(valueOf(mg, 'card:address-data')).toBe(vcf.replaceAll('\r', '&#13;'));

    expect((await ios('DELETE', `${bookHref}ios-card-1.vcf`, { 'If-Match': etag })).status).toBe(204);
    const second = await (await ios('REPORT', bookHref, { Depth: '1' }, SYNC(token))).text();
    expect(responsesOf(second).get(`${bookHref}ios-card-1.vcf`)).toContain('<d:status>HTTP/1.1 404 Not Found</d:status>');
  });

  it('another user is refused the home', async () => {
    expect((await davRequest('ivan', 'PROPFIND', CARD_HOME, { headers: { ...APPLE, Depth: '1' }, body: CARD_HOME_BODY })).status).toBe(403);
  });
});
