import { beforeAll, describe, expect, it } from 'vitest';
import { env } from 'cloudflare:test';
import { addGroupMember, createGroup } from '../../worker/accounts/groups';
import { updateUser } from '../../worker/accounts/users';
import { sendReminders } from '../../worker/calendars/reminders';
import { makeUser } from '../helpers';
import { davRequest, okPart, propfindBody, responsesOf } from './dav-helpers';
import { eventIcs, MKCOL_CALENDAR } from './fixtures';

// Calendar sharing as Nextcloud's clients do it: POST oc:share (the web calendar) or cs:share
// (calendarserver clients) on the calendar; the sharee finds it in their own calendar home as
// {uri}_shared_by_{owner}; DELETE there is "unshare from me".

const XML = { 'Content-Type': 'application/xml; charset=utf-8' };
const ICS = { 'Content-Type': 'text/calendar; charset=utf-8' };
const OWN = '/remote.php/dav/calendars/shalice/personal/';
const home = (u: string) => `/remote.php/dav/calendars/${u}/`;
const SHARED = (u: string) => `${home(u)}personal_shared_by_shalice/`;

const ocShare = (inner: string) => `<?xml version="1.0" encoding="utf-8"?><oc:share xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns">${inner}</oc:share>`;
const ocSet = (href: string, rw = false) => `<oc:set><d:href>${href}</d:href><oc:summary>Cal</oc:summary>${rw ? '<oc:read-write/>' : ''}</oc:set>`;
const ocRemove = (href: string) => `<oc:remove><d:href>${href}</d:href></oc:remove>`;
const req = (user: string, method: string, path: string, init: { headers?: Record<string, string>; body?: string | null } = {}) => davRequest(user, method, path, init);
const share = (user: string, body: string, path = OWN) => req(user, 'POST', path, { headers: XML, body });

/** The calendars in a user's home: href → response block. */
async function homeListing(user: string, props = '<d:displayname/><d:resourcetype/>'): Promise<Map<string, string>> {
  const res = await req(user, 'PROPFIND', home(user), { headers: { Depth: '1' }, body: propfindBody(props) });
  expect(res.status).toBe(207);
  return responsesOf(await res.text());
}

async function prop(user: string, path: string, props: string): Promise<string> {
  const res = await req(user, 'PROPFIND', path, { headers: { Depth: '0' }, body: propfindBody(props) });
  expect(res.status).toBe(207);
  return okPart([...responsesOf(await res.text()).values()][0]);
}

beforeAll(async () => {
  for (const u of ['shalice', 'shbob', 'shcarol', 'shdave', 'sheve']) await makeUser(u);
  await updateUser(env, 'shbob', { email: 'bob@example.org' });
  await createGroup(env, 'shteam', 'The Team');
  await addGroupMember(env, 'shteam', 'shcarol');
  await addGroupMember(env, 'shteam', 'shdave');
  expect((await req('shalice', 'PUT', `${OWN}one.ics`, { headers: ICS, body: eventIcs('one') })).status).toBe(201);
});

describe('calendar sharing', () => {
  it('oc:share read-only: 200; oc:invite and cs:invite list the sharee; the owner principal and name are readable', async () => {
    const res = await share('shalice', ocShare(ocSet('principal:principals/users/shbob')));
    expect(res.status).toBe(200);
    const p = await prop('shalice', OWN, '<oc:invite xmlns:oc="http://owncloud.org/ns"/><cs:invite/><oc:owner-principal xmlns:oc="http://owncloud.org/ns"/><x2:owner-displayname xmlns:x2="http://nextcloud.com/ns"/>');
    expect(p).toContain('<oc:invite><oc:user><d:href>principal:principals/users/shbob</d:href><oc:common-name>SHBOB</oc:common-name><oc:invite-accepted/><oc:access><oc:read/></oc:access></oc:user></oc:invite>');
    expect(p).toContain('<cs:organizer><d:href>principal:principals/users/shalice</d:href><cs:common-name>SHALICE</cs:common-name></cs:organizer>');
    expect(p).toContain('<cs:user><d:href>principal:principals/users/shbob</d:href>');
    expect(p).toContain('<oc:owner-principal>principals/users/shalice</oc:owner-principal>');
    expect(p).toContain('<x2:owner-displayname>SHALICE</x2:owner-displayname>');
  });

  it('the sharee sees it in their home, marked shared, owned by the owner, read-only privileges', async () => {
    const listing = await homeListing('shbob');
    const block = listing.get(SHARED('shbob'));
    expect(block).toBeDefined();
    expect(okPart(block)).toContain('<d:resourcetype><d:collection/><cal:calendar/><cs:shared/></d:resourcetype>');
    expect(listing.has(`${home('shbob')}personal/`)).toBe(true); // their own calendar is still there
    const p = await prop('shbob', SHARED('shbob'), '<d:owner/><d:current-user-privilege-set/><d:displayname/>');
    expect(p).toContain('<d:owner><d:href>/remote.php/dav/principals/users/shalice/</d:href></d:owner>');
    expect(p).toContain('<d:privilege><d:read/></d:privilege>');
    expect(p).not.toContain('<d:write/>');
    expect(p).not.toContain('<d:write-content/>');
    expect(p).toContain('<d:displayname>Personal</d:displayname>');
  });

  it('a read-only sharee reads (GET, calendar-query, sync-collection) but cannot write or delete: 403 need-privileges, nothing changes', async () => {
    const get = await req('shbob', 'GET', `${SHARED('shbob')}one.ics`);
    expect(get.status).toBe(200);
    expect(await get.text()).toContain('UID:one');
    const query = await req('shbob', 'REPORT', SHARED('shbob'), {
      headers: { Depth: '1', ...XML },
      body: '<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="20260101T000000Z" end="20260201T000000Z"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>',
    });
    expect(query.status).toBe(207);
    expect([...responsesOf(await query.text()).keys()]).toEqual([`${SHARED('shbob')}one.ics`]);
    const sync = await req('shbob', 'REPORT', SHARED('shbob'), {
      headers: XML, body: '<d:sync-collection xmlns:d="DAV:"><d:sync-token/><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>',
    });
    expect(sync.status).toBe(207);
    expect(await sync.text()).toContain(`${SHARED('shbob')}one.ics`);

    const put = await req('shbob', 'PUT', `${SHARED('shbob')}two.ics`, { headers: ICS, body: eventIcs('two') });
    expect(put.status).toBe(403);
    expect(await put.text()).toContain('need-privileges');
    expect((await req('shbob', 'PUT', `${SHARED('shbob')}one.ics`, { headers: ICS, body: eventIcs('one', '20260106T100000Z', '20260106T110000Z') })).status).toBe(403);
    expect((await req('shbob', 'DELETE', `${SHARED('shbob')}one.ics`)).status).toBe(403);
    expect(await (await req('shalice', 'GET', `${OWN}one.ics`)).text()).toContain('DTSTART:20260105T100000Z');
    expect((await req('shalice', 'GET', `${OWN}two.ics`)).status).toBe(404);
  });

  it('a sharee cannot share, publish or change the owner\'s properties; a stranger reaches nothing', async () => {
    expect((await share('shbob', ocShare(ocSet('principal:principals/users/sheve')), SHARED('shbob'))).status).toBe(403);
    const publish = await share('shbob', '<cs:publish-calendar xmlns:cs="http://calendarserver.org/ns/"/>', SHARED('shbob'));
    expect(publish.status).toBe(403);
    const patch = await req('shbob', 'PROPPATCH', SHARED('shbob'), {
      headers: XML, body: '<d:propertyupdate xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop><c:calendar-description>mine</c:calendar-description></d:prop></d:set></d:propertyupdate>',
    });
    expect(patch.status).toBe(403);
    // eve has no share: alice's home is not hers, and no shared calendar appears in her own.
    expect((await share('sheve', ocShare(ocSet('principal:principals/users/sheve')))).status).toBe(403);
    expect((await req('sheve', 'GET', `${OWN}one.ics`)).status).toBe(403);
    expect((await req('sheve', 'GET', `${SHARED('sheve')}one.ics`)).status).toBe(404);
    expect([...(await homeListing('sheve')).keys()].some((h) => h.includes('_shared_by_'))).toBe(false);
    expect((await req('shalice', 'GET', `${OWN}one.ics`)).status).toBe(200);
  });

  it('bad share requests: unknown user, the owner, a non-principal href, no sharee → 400 and nothing changes', async () => {
    for (const body of [
      ocShare(ocSet('principal:principals/users/nobody') + ocSet('principal:principals/users/shcarol')),
      ocShare(ocSet('principal:principals/users/shalice')),
      ocShare(ocSet('/remote.php/dav/files/shcarol/')),
      ocShare(ocSet('mailto:unknown@example.org')),
      ocShare(''),
    ]) {
      const res = await share('shalice', body);
      expect(res.status, body).toBe(400);
    }
    expect((await share('shalice', '<x:unknown xmlns:x="urn:x"/>')).status).toBe(400);
    expect([...(await homeListing('shcarol')).keys()].some((h) => h.includes('_shared_by_'))).toBe(false);
    const invite = await prop('shalice', OWN, '<oc:invite xmlns:oc="http://owncloud.org/ns"/>');
    expect(invite.match(/<oc:user>/g)).toHaveLength(1);
  });

  it('cs:share with a mailto: href upgrades to read-write: the sharee writes, the owner sees it, the sync token moves', async () => {
    const before = await prop('shalice', OWN, '<d:sync-token/>');
    const res = await share('shalice', '<?xml version="1.0"?><C:share xmlns:D="DAV:" xmlns:C="http://calendarserver.org/ns/"><C:set><D:href>mailto:bob@example.org</D:href><C:read-write/></C:set></C:share>');
    expect(res.status).toBe(200);
    expect(await prop('shbob', SHARED('shbob'), '<d:current-user-privilege-set/>')).toContain('<d:write-content/>');
    const put = await req('shbob', 'PUT', `${SHARED('shbob')}bob.ics`, { headers: ICS, body: eventIcs('bob-event') });
    expect(put.status).toBe(201);
    expect(await (await req('shalice', 'GET', `${OWN}bob.ics`)).text()).toContain('UID:bob-event');
    expect(await prop('shalice', OWN, '<d:sync-token/>')).not.toBe(before);
    expect((await req('shbob', 'DELETE', `${SHARED('shbob')}bob.ics`)).status).toBe(204);
    expect((await req('shalice', 'GET', `${OWN}bob.ics`)).status).toBe(404);
    // A write by a sharee sends no invitations (only the owner schedules): nothing in the mail outbox.
    const { results } = await env.DB.prepare('SELECT count(*) AS n FROM mail_outbox').all<{ n: number }>();
    expect(results[0].n).toBe(0);
  });

  it('a sharee\'s PROPPATCH of name and colour changes only their own view', async () => {
    const res = await req('shbob', 'PROPPATCH', SHARED('shbob'), {
      headers: XML,
      body: '<d:propertyupdate xmlns:d="DAV:" xmlns:x1="http://apple.com/ns/ical/"><d:set><d:prop><d:displayname>Alice at work</d:displayname><x1:calendar-color>#112233</x1:calendar-color></d:prop></d:set></d:propertyupdate>',
    });
    expect(res.status).toBe(207);
    expect(await res.text()).not.toContain('403');
    const bobs = await prop('shbob', SHARED('shbob'), '<d:displayname/><x1:calendar-color/>');
    expect(bobs).toContain('<d:displayname>Alice at work</d:displayname>');
    expect(bobs).toContain('#112233');
    expect(await prop('shalice', OWN, '<d:displayname/>')).toContain('<d:displayname>Personal</d:displayname>');
  });

  it('a group share reaches every member; one member\'s "unshare from me" hides it for them only', async () => {
    expect((await share('shalice', ocShare(ocSet('principal:principals/groups/shteam')))).status).toBe(200);
    expect((await homeListing('shcarol')).has(SHARED('shcarol'))).toBe(true);
    expect((await homeListing('shdave')).has(SHARED('shdave'))).toBe(true);
    expect(await prop('shalice', OWN, '<oc:invite xmlns:oc="http://owncloud.org/ns"/>')).toContain('<d:href>principal:principals/groups/shteam</d:href><oc:common-name>The Team</oc:common-name>');
    expect((await req('shcarol', 'DELETE', SHARED('shcarol'))).status).toBe(204);
    expect((await homeListing('shcarol')).has(SHARED('shcarol'))).toBe(false);
    expect((await req('shcarol', 'GET', `${SHARED('shcarol')}one.ics`)).status).toBe(404);
    expect((await homeListing('shdave')).has(SHARED('shdave'))).toBe(true);
    expect((await req('shalice', 'GET', `${OWN}one.ics`)).status).toBe(200);
    // A direct share is stronger than the group's opt-out: sharing with carol again shows it to her.
    expect((await share('shalice', ocShare(ocSet('principal:principals/users/shcarol')))).status).toBe(200);
    expect((await homeListing('shcarol')).has(SHARED('shcarol'))).toBe(true);
    expect((await share('shalice', ocShare(ocRemove('principal:principals/users/shcarol')))).status).toBe(200);
  });

  it('reminders go to the owner and read-write sharees, never to read-only ones', async () => {
    const alarm = 'BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nDESCRIPTION:Reminder\r\nEND:VALARM';
    expect((await req('shalice', 'PUT', `${OWN}meeting.ics`, { headers: ICS, body: eventIcs('meeting', '20260410T100000Z', '20260410T110000Z', alarm) })).status).toBe(201);
    await sendReminders(env, new Date('2026-04-10T09:40:00Z'));
    await sendReminders(env, new Date('2026-04-10T09:50:00Z'));
    const notified = async (u: string) => {
      const res = await req(u, 'GET', '/ocs/v2.php/apps/notifications/api/v2/notifications?format=json', { headers: { 'OCS-APIRequest': 'true' } });
      return ((await res.json()) as { ocs: { data: { subject: string; link: string }[] } }).ocs.data;
    };
    expect((await notified('shalice')).map((n) => n.subject)).toEqual(['Event meeting (2026-04-10 10:00 UTC)']);
    const bobs = await notified('shbob'); // read-write
    expect(bobs.map((n) => n.subject)).toEqual(['Event meeting (2026-04-10 10:00 UTC)']);
    expect(bobs[0].link).toBe('/remote.php/dav/calendars/shbob/personal_shared_by_shalice/meeting.ics');
    expect(await notified('shdave')).toEqual([]); // read-only through the group
  });

  it('the owner trashing the calendar hides it from sharees; restoring brings the shares back', async () => {
    expect((await req('shalice', 'MKCOL', `${home('shalice')}trip/`, { headers: XML, body: MKCOL_CALENDAR('Trip') })).status).toBe(201);
    expect((await share('shalice', ocShare(ocSet('principal:principals/users/sheve')), `${home('shalice')}trip/`)).status).toBe(200);
    const trip = `${home('sheve')}trip_shared_by_shalice/`;
    expect((await homeListing('sheve')).has(trip)).toBe(true);
    expect((await req('shalice', 'DELETE', `${home('shalice')}trip/`)).status).toBe(204);
    expect((await homeListing('sheve')).has(trip)).toBe(false);
    const listing = await homeListing('shalice');
    const deleted = [...listing.keys()].find((h) => /\/trip-deleted-\d+\/$/.test(h))!;
    expect((await req('shalice', 'MOVE', deleted, { headers: { Destination: `http://localhost${home('shalice')}trashbin/restore/cal` } })).status).toBe(201);
    expect((await homeListing('sheve')).has(trip)).toBe(true);
  });

  it('the sharee exports a shared calendar (?export); its ?export is refused to others', async () => {
    const res = await req('shbob', 'GET', `${SHARED('shbob')}?export`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('UID:one');
    expect((await req('sheve', 'GET', `${SHARED('sheve')}?export`)).status).toBe(404);
  });

  it('subscriptions and the birthday calendar cannot be shared; names with _shared_by_ cannot be created', async () => {
    const card = 'BEGIN:VCARD\r\nVERSION:3.0\r\nUID:kid\r\nFN:Kid\r\nBDAY:2010-05-04\r\nEND:VCARD\r\n';
    expect((await req('shalice', 'PUT', '/remote.php/dav/addressbooks/users/shalice/contacts/kid.vcf', { headers: { 'Content-Type': 'text/vcard' }, body: card })).status).toBe(201);
    expect((await req('shalice', 'GET', `${home('shalice')}contact_birthdays/`)).status).not.toBe(404);
    const bday = await share('shalice', ocShare(ocSet('principal:principals/users/shbob')), `${home('shalice')}contact_birthdays/`);
    expect(bday.status).toBe(403);
    expect(await bday.text()).toContain('cannot be shared');
    const mk = await req('shalice', 'MKCOL', `${home('shalice')}x_shared_by_shbob/`, { headers: XML, body: MKCOL_CALENDAR('Fake') });
    expect(mk.status).toBe(403);
  });

  it('the public view of a published shared calendar does not reveal who it is shared with', async () => {
    expect((await share('shalice', '<cs:publish-calendar xmlns:cs="http://calendarserver.org/ns/"/>')).status).toBe(202);
    const url = /<d:href>[^<]*(\/remote\.php\/dav\/public-calendars\/[^<]+)<\/d:href>/.exec(await prop('shalice', OWN, '<cs:publish-url/>'))![1];
    const res = await davRequest(null, 'PROPFIND', url, { headers: { Depth: '0' }, body: propfindBody('<oc:invite xmlns:oc="http://owncloud.org/ns"/><cs:invite/>') });
    expect(res.status).toBe(207);
    const text = await res.text();
    expect(text).not.toContain('shbob');
    expect(text).not.toContain('shteam');
  });

  it('"unshare from me" of a direct share deletes it; oc:remove by the owner takes a share away', async () => {
    expect((await req('shbob', 'DELETE', SHARED('shbob'))).status).toBe(204);
    expect((await homeListing('shbob')).has(SHARED('shbob'))).toBe(false);
    expect(await prop('shalice', OWN, '<oc:invite xmlns:oc="http://owncloud.org/ns"/>')).not.toContain('shbob');
    expect((await share('shalice', ocShare(ocRemove('principal:principals/groups/shteam')))).status).toBe(200);
    expect((await homeListing('shdave')).has(SHARED('shdave'))).toBe(false);
    expect((await req('shdave', 'GET', `${SHARED('shdave')}one.ics`)).status).toBe(404);
  });
});
