import { beforeAll, describe, expect, it } from 'vitest';
import { env } from 'cloudflare:test';
import ICAL from 'ical.js';
import { addGroupMember, createGroup } from '../../../worker/accounts/groups';
import { updateUser } from '../../../worker/accounts/users';
import { makeUser } from '../../helpers';
import { davRequest, propfindBody, responsesOf, hrefsIn, okPart } from '../dav-helpers';
import { eventIcs } from '../fixtures';

// RFC 6638 implicit scheduling between local users, iMIP to outside addresses through the
// recording outbox, free-busy through the outbox, rooms, and who may do what.

const TYPE = { 'Content-Type': 'text/calendar; charset=utf-8' };
const home = (u: string) => `/remote.php/dav/calendars/${u}/`;
const lines = (...l: string[]) => l.join('\r\n');
const org = (u: string) => `ORGANIZER;CN=${u.toUpperCase()}:mailto:${u}@example.com`;
const att = (u: string, partstat = 'NEEDS-ACTION', host = 'example.com') => `ATTENDEE;CN=${u};PARTSTAT=${partstat};RSVP=TRUE:mailto:${u}@${host}`;
const put = (u: string, path: string, body: string, headers: Record<string, string> = {}) => davRequest(u, 'PUT', home(u) + path, { headers: { ...TYPE, ...headers }, body });

async function inbox(u: string): Promise<{ method: string; uid: string; data: string }[]> {
  const { results } = await env.DB.prepare('SELECT method, uid, data FROM schedule_inbox WHERE owner = ? ORDER BY id').bind(u).all<{ method: string; uid: string; data: string }>();
  return results;
}

async function copyOf(u: string, uid: string): Promise<string | null> {
  const row = await env.DB.prepare(
    'SELECT o.data FROM calendar_objects o JOIN calendars c ON c.id = o.calendar_id WHERE c.owner = ? AND o.uid = ? AND o.deleted_at IS NULL').bind(u, uid).first<{ data: string }>();
  return row?.data ?? null;
}

async function outbox(): Promise<{ sender: string; from_address: string; to_addresses: string; subject: string; ics: string; method: string }[]> {
  const { results } = await env.DB.prepare('SELECT * FROM mail_outbox ORDER BY id').all<never>();
  return results;
}

/** PARTSTAT of an attendee address in an object (first component that has it). */
function partstat(ics: string, address: string): string | null {
  const comp = new ICAL.Component(ICAL.parse(ics));
  for (const ev of comp.getAllSubcomponents('vevent')) {
    const p = ev.getAllProperties('attendee').find((a) => String(a.getFirstValue()).toLowerCase() === address);
    if (p) return String(p.getParameter('partstat'));
  }
  return null;
}

beforeAll(async () => {
  for (const u of ['alice', 'bob', 'carol', 'dave']) {
    await makeUser(u);
    await updateUser(env, u, { email: `${u}@example.com` });
  }
  await createGroup(env, 'admin').catch(() => {});
  await addGroupMember(env, 'admin', 'alice');
});

describe('scheduling inbox and outbox collections (RFC 6638 §2)', () => {
  it('the principal points at real inbox/outbox collections with their resourcetypes, and at the default calendar', async () => {
    const p = await davRequest('bob', 'PROPFIND', '/remote.php/dav/principals/users/bob/', {
      headers: { Depth: '0' }, body: propfindBody('<cal:schedule-inbox-URL/><cal:schedule-outbox-URL/><cal:schedule-default-calendar-URL/>'),
    });
    const block = responsesOf(await p.text()).get('/remote.php/dav/principals/users/bob/');
    expect(hrefsIn(block, 'cal:schedule-default-calendar-URL')).toEqual(['/remote.php/dav/calendars/bob/personal/']);
    for (const [prop, type] of [['cal:schedule-inbox-URL', 'schedule-inbox'], ['cal:schedule-outbox-URL', 'schedule-outbox']]) {
      const [href] = hrefsIn(block, prop);
      const res = await davRequest('bob', 'PROPFIND', href, { headers: { Depth: '0' }, body: propfindBody('<d:resourcetype/>') });
      expect(res.status).toBe(207);
      expect(okPart(responsesOf(await res.text()).get(href))).toContain(`<cal:${type}/>`);
    }
    const list = await davRequest('bob', 'PROPFIND', home('bob'), { headers: { Depth: '1' }, body: propfindBody('<d:resourcetype/>') });
    const hrefs = [...responsesOf(await list.text()).keys()];
    expect(hrefs).toContain('/remote.php/dav/calendars/bob/inbox/');
    expect(hrefs).toContain('/remote.php/dav/calendars/bob/outbox/');
  });

  it('nothing can be stored in the boxes, and they cannot be deleted', async () => {
    expect((await put('bob', 'inbox/x.ics', eventIcs('x'))).status).toBe(403);
    expect((await put('bob', 'outbox/x.ics', eventIcs('x'))).status).toBe(403);
    expect((await davRequest('bob', 'DELETE', home('bob') + 'inbox/')).status).toBe(403);
    expect((await davRequest('bob', 'DELETE', home('bob') + 'outbox/')).status).toBe(403);
    expect((await davRequest('bob', 'GET', home('bob') + 'inbox/missing.ics')).status).toBe(404);
  });

  it('other users get 403 on your inbox and outbox; anonymous gets 401', async () => {
    expect((await davRequest('carol', 'PROPFIND', '/remote.php/dav/calendars/bob/inbox/', { headers: { Depth: '1' } })).status).toBe(403);
    expect((await davRequest('carol', 'POST', '/remote.php/dav/calendars/bob/outbox/', { headers: TYPE, body: 'x' })).status).toBe(403);
    expect((await davRequest(null, 'PROPFIND', '/remote.php/dav/calendars/bob/inbox/', { headers: { Depth: '1' } })).status).toBe(401);
    expect((await davRequest(null, 'POST', '/remote.php/dav/calendars/bob/outbox/', { headers: TYPE, body: 'x' })).status).toBe(401);
  });
});

describe('scheduling between two local users (RFC 6638 §3.2)', () => {
  const uid = 'meet-1';
  const invite = (extra = '') => eventIcs(uid, '20260310T100000Z', '20260310T110000Z', lines(org('alice'), att('alice', 'ACCEPTED'), att('bob'), ...(extra ? [extra] : [])));

  it('invite: the attendee gets a REQUEST in the inbox and the event in the default calendar with PARTSTAT=NEEDS-ACTION', async () => {
    const res = await put('alice', 'personal/meet-1.ics', invite());
    expect(res.status).toBe(201);
    // The stored copy differs from what was sent (SCHEDULE-STATUS), so no ETag (RFC 4918 §9.7.1).
    expect(res.headers.get('ETag')).toBeNull();
    const organizerCopy = await (await davRequest('alice', 'GET', home('alice') + 'personal/meet-1.ics')).text();
    expect(organizerCopy.replace(/\r\n /g, '')).toMatch(/ATTENDEE;[^\r\n]*SCHEDULE-STATUS=1\.2[^\r\n]*:mailto:bob@example\.com/);
    const msgs = await inbox('bob');
    expect(msgs.map((m) => [m.method, m.uid])).toEqual([['REQUEST', uid]]);
    expect(msgs[0].data).toContain('METHOD:REQUEST');
    const copy = await copyOf('bob', uid);
    expect(copy).not.toBeNull();
    expect(partstat(copy!, 'mailto:bob@example.com')).toBe('NEEDS-ACTION');
    expect(copy).not.toContain('METHOD:');
    // The inbox lists the message; GET returns it; the owner may delete it.
    const list = await davRequest('bob', 'PROPFIND', home('bob') + 'inbox/', { headers: { Depth: '1' }, body: propfindBody('<cal:calendar-data/>') });
    const entries = [...responsesOf(await list.text()).keys()].filter((h) => h.endsWith('.ics'));
    expect(entries).toHaveLength(1);
    expect(await (await davRequest('bob', 'GET', entries[0])).text()).toContain('METHOD:REQUEST');
    expect((await davRequest('carol', 'GET', entries[0])).status).toBe(403);
    expect((await davRequest('bob', 'DELETE', entries[0])).status).toBe(204);
    expect(await inbox('bob')).toHaveLength(0);
    expect(await outbox()).toHaveLength(0); // nobody outside was invited
  });

  it('accept: the attendee\'s PARTSTAT change sends a REPLY that updates the organizer\'s copy', async () => {
    const uri = (await env.DB.prepare(
      "SELECT o.uri FROM calendar_objects o JOIN calendars c ON c.id = o.calendar_id WHERE c.owner = 'bob' AND o.uid = ?").bind(uid).first<{ uri: string }>())!.uri;
    const copy = (await copyOf('bob', uid))!;
    const accepted = copy.replace(/PARTSTAT=NEEDS-ACTION(;RSVP=TRUE)?:mailto:bob@example\.com/, 'PARTSTAT=ACCEPTED:mailto:bob@example.com')
      .replace(/PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=bob:mailto:bob@example\.com/, 'PARTSTAT=ACCEPTED;CN=bob:mailto:bob@example.com');
    expect(partstat(accepted, 'mailto:bob@example.com')).toBe('ACCEPTED');
    expect((await put('bob', `personal/${uri}`, accepted)).status).toBe(204);
    expect(partstat((await copyOf('alice', uid))!, 'mailto:bob@example.com')).toBe('ACCEPTED');
    expect((await inbox('alice')).map((m) => m.method)).toEqual(['REPLY']);
  });

  it('cancel: deleting the organizer\'s event sends CANCEL and removes the attendee\'s copy', async () => {
    expect((await davRequest('alice', 'DELETE', home('alice') + 'personal/meet-1.ics')).status).toBe(204);
    expect(await copyOf('bob', uid)).toBeNull();
    const msgs = await inbox('bob');
    expect(msgs.map((m) => m.method)).toEqual(['CANCEL']);
    expect(msgs[0].data).toContain('STATUS:CANCELLED');
  });

  it('removing an attendee from the event cancels for that attendee only', async () => {
    const ics = eventIcs('meet-2', '20260311T100000Z', '20260311T110000Z', lines(org('alice'), att('bob'), att('carol')));
    expect((await put('alice', 'personal/meet-2.ics', ics)).status).toBe(201);
    expect(await copyOf('carol', 'meet-2')).not.toBeNull();
    const without = eventIcs('meet-2', '20260311T100000Z', '20260311T110000Z', lines(org('alice'), att('bob'), 'SEQUENCE:1'));
    expect((await put('alice', 'personal/meet-2.ics', without)).status).toBe(204);
    expect(await copyOf('carol', 'meet-2')).toBeNull();
    expect(await copyOf('bob', 'meet-2')).not.toBeNull();
  });
});

describe('iMIP to an outside address (RFC 6047)', () => {
  it('queues one text/calendar REQUEST per external attendee in the recorded outbox', async () => {
    const before = (await outbox()).length;
    const ics = eventIcs('ext-1', '20260312T100000Z', '20260312T110000Z', lines(org('alice'), att('zoe', 'NEEDS-ACTION', 'elsewhere.org')));
    expect((await put('alice', 'personal/ext-1.ics', ics)).status).toBe(201);
    const mails = (await outbox()).slice(before);
    expect(mails).toHaveLength(1);
    const mail = mails[0];
    expect(JSON.parse(mail.to_addresses)).toEqual(['zoe@elsewhere.org']);
    expect(mail.from_address).toContain('alice@example.com');
    expect(mail.method).toBe('REQUEST');
    expect(mail.subject).toBe('Invitation: Event ext-1');
    const cal = new ICAL.Component(ICAL.parse(mail.ics));
    expect(cal.getFirstPropertyValue('method')).toBe('REQUEST');
    const ev = cal.getFirstSubcomponent('vevent')!;
    expect(ev.getFirstPropertyValue('uid')).toBe('ext-1');
    expect(String(ev.getFirstPropertyValue('organizer'))).toBe('mailto:alice@example.com');
    expect(ev.getAllProperties('attendee').map((a) => String(a.getFirstValue()))).toContain('mailto:zoe@elsewhere.org');
    // The organizer's copy says "sent" for the external attendee.
    expect((await copyOf('alice', 'ext-1'))!.replace(/\r\n /g, '')).toMatch(/SCHEDULE-STATUS=1\.1[^\r\n]*:mailto:zoe@elsewhere\.org/);
  });

  it('re-saving the same event sends nothing again', async () => {
    const before = (await outbox()).length;
    const text = (await copyOf('alice', 'ext-1'))!;
    expect((await put('alice', 'personal/ext-1.ics', text)).status).toBe(204);
    expect(await outbox()).toHaveLength(before);
  });

  it('a local attendee of an external organizer replies by iMIP REPLY', async () => {
    const ics = eventIcs('ext-2', '20260313T100000Z', '20260313T110000Z', lines('ORGANIZER:mailto:zoe@elsewhere.org', att('dave')));
    expect((await put('dave', 'personal/ext-2.ics', ics)).status).toBe(201);
    const before = (await outbox()).length;
    const accepted = eventIcs('ext-2', '20260313T100000Z', '20260313T110000Z', lines('ORGANIZER:mailto:zoe@elsewhere.org', att('dave', 'ACCEPTED')));
    expect((await put('dave', 'personal/ext-2.ics', accepted)).status).toBe(204);
    const mails = (await outbox()).slice(before);
    expect(mails).toHaveLength(1);
    expect(JSON.parse(mails[0].to_addresses)).toEqual(['zoe@elsewhere.org']);
    expect(mails[0].method).toBe('REPLY');
    const ev = new ICAL.Component(ICAL.parse(mails[0].ics)).getFirstSubcomponent('vevent')!;
    expect(ev.getAllProperties('attendee').map((a) => [String(a.getFirstValue()), a.getParameter('partstat')])).toEqual([['mailto:dave@example.com', 'ACCEPTED']]);
  });
});

describe('only the organizer sends invitations', () => {
  it('an object whose ORGANIZER is another user\'s address sends no REQUEST on their behalf', async () => {
    const beforeMail = (await outbox()).length;
    const beforeDave = (await inbox('dave')).length;
    const forged = eventIcs('forged-1', '20260314T100000Z', '20260314T110000Z', lines(org('alice'), att('carol', 'ACCEPTED'), att('dave'), att('x', 'NEEDS-ACTION', 'elsewhere.org')));
    expect((await put('carol', 'personal/forged-1.ics', forged)).status).toBe(201);
    expect(await inbox('dave')).toHaveLength(beforeDave);
    expect(await copyOf('dave', 'forged-1')).toBeNull();
    expect(await outbox()).toHaveLength(beforeMail);
    // And alice's (the named organizer's) calendar is untouched.
    expect(await copyOf('alice', 'forged-1')).toBeNull();
  });

  it('an attendee\'s reply does not change the organizer\'s copy of a different object they do not organize', async () => {
    // carol claims to attend an event "organized" by bob that bob never created: nothing to update.
    const ics = eventIcs('forged-2', '20260315T100000Z', '20260315T110000Z', lines(org('bob'), att('carol')));
    expect((await put('carol', 'personal/forged-2.ics', ics)).status).toBe(201);
    const accepted = eventIcs('forged-2', '20260315T100000Z', '20260315T110000Z', lines(org('bob'), att('carol', 'ACCEPTED')));
    expect((await put('carol', 'personal/forged-2.ics', accepted)).status).toBe(204);
    expect(await copyOf('bob', 'forged-2')).toBeNull();
    expect((await inbox('bob')).filter((m) => m.uid === 'forged-2')).toEqual([]);
  });

  it('a "reply" from someone the organizer did not invite changes nothing and is not delivered', async () => {
    const ics = eventIcs('meet-3', '20260316T100000Z', '20260316T110000Z', lines(org('alice'), att('bob')));
    expect((await put('alice', 'personal/meet-3.ics', ics)).status).toBe(201);
    const before = (await copyOf('alice', 'meet-3'))!;
    // dave makes his own copy claiming to attend, then "accepts".
    const mine = (p: string) => eventIcs('meet-3', '20260316T100000Z', '20260316T110000Z', lines(org('alice'), att('dave', p)));
    expect((await put('dave', 'personal/meet-3.ics', mine('NEEDS-ACTION'))).status).toBe(201);
    expect((await put('dave', 'personal/meet-3.ics', mine('ACCEPTED'))).status).toBe(204);
    expect(await copyOf('alice', 'meet-3')).toBe(before);
    expect((await inbox('alice')).filter((m) => m.uid === 'meet-3')).toEqual([]);
  });
});

const FB_REQUEST = (organizer: string, attendees: string[]) => lines('BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', 'METHOD:REQUEST', 'BEGIN:VFREEBUSY',
  'UID:fb-1', 'DTSTAMP:20260101T000000Z', 'DTSTART:20260401T000000Z', 'DTEND:20260402T000000Z', `ORGANIZER:${organizer}`,
  ...attendees.map((a) => `ATTENDEE:${a}`), 'END:VFREEBUSY', 'END:VCALENDAR', '');

describe('free-busy through the outbox (RFC 6638 §5)', () => {
  it('answers a VFREEBUSY REQUEST with the busy time of a local user', async () => {
    expect((await put('bob', 'personal/busy-1.ics', eventIcs('busy-1', '20260401T090000Z', '20260401T100000Z'))).status).toBe(201);
    const res = await davRequest('carol', 'POST', home('carol') + 'outbox/', {
      headers: TYPE, body: FB_REQUEST('mailto:carol@example.com', ['mailto:bob@example.com', 'mailto:nobody@nowhere.test']),
    });
    expect(res.status).toBe(200);
    const xml = await res.text();
    expect(xml).toContain('<cal:schedule-response');
    const bob = /<cal:response><cal:recipient><d:href>mailto:bob@example.com<\/d:href><\/cal:recipient>(.*?)<\/cal:response>/s.exec(xml)![1];
    expect(bob).toContain('<cal:request-status>2.0;Success</cal:request-status>');
    const data = /<cal:calendar-data>(.*?)<\/cal:calendar-data>/s.exec(bob)![1].replace(/&#13;/g, '\r');
    const vfb = new ICAL.Component(ICAL.parse(data)).getFirstSubcomponent('vfreebusy')!;
    const periods = vfb.getAllProperties('freebusy').map((p) => (p.getFirstValue() as ICAL.Period).toString());
    expect(periods).toEqual(['2026-04-01T09:00:00Z/2026-04-01T10:00:00Z']);
    expect(xml).toMatch(/mailto:nobody@nowhere.test<\/d:href><\/cal:recipient><cal:request-status>3\.7/);
  });

  it('refuses an ORGANIZER that is not the caller (403) and a non-free-busy body (400)', async () => {
    const forged = await davRequest('carol', 'POST', home('carol') + 'outbox/', { headers: TYPE, body: FB_REQUEST('mailto:bob@example.com', ['mailto:alice@example.com']) });
    expect(forged.status).toBe(403);
    const bad = await davRequest('carol', 'POST', home('carol') + 'outbox/', { headers: TYPE, body: eventIcs('x') });
    expect(bad.status).toBe(400);
    const garbage = await davRequest('carol', 'POST', home('carol') + 'outbox/', { headers: TYPE, body: 'not ical' });
    expect(garbage.status).toBe(400);
  });
});

describe('rooms and resources as principals', () => {
  it('only an admin creates rooms (others 403, anonymous 401); bad input is 400', async () => {
    const body = JSON.stringify({ kind: 'room', id: 'room-1', displayName: 'Room One', email: 'room-1@example.com' });
    const api = '/apps/cumulus/api/calendar-resources';
    expect((await davRequest('bob', 'POST', api, { headers: { 'Content-Type': 'application/json' }, body })).status).toBe(403);
    expect((await davRequest(null, 'POST', api, { headers: { 'Content-Type': 'application/json' }, body })).status).toBe(401);
    expect((await davRequest('alice', 'POST', api, { headers: { 'Content-Type': 'application/json' }, body: '{"kind":"hall"}' })).status).toBe(400);
    expect((await davRequest('alice', 'POST', api, { headers: { 'Content-Type': 'application/json' }, body })).status).toBe(201);
    expect((await davRequest('alice', 'POST', api, { headers: { 'Content-Type': 'application/json' }, body })).status).toBe(409);
  });

  it('a room is a principal with calendar-user-type ROOM and its address', async () => {
    const href = '/remote.php/dav/principals/calendar-rooms/room-1/';
    const res = await davRequest('bob', 'PROPFIND', href, {
      headers: { Depth: '0' }, body: propfindBody('<cal:calendar-user-type/><cal:calendar-user-address-set/><d:displayname/><d:resourcetype/>'),
    });
    expect(res.status).toBe(207);
    const block = okPart(responsesOf(await res.text()).get(href));
    expect(block).toContain('<cal:calendar-user-type>ROOM</cal:calendar-user-type>');
    expect(block).toContain('<d:href>mailto:room-1@example.com</d:href>');
    expect(block).toContain('Room One');
    expect(block).toContain('<d:principal/>');
    expect((await davRequest('bob', 'PROPFIND', '/remote.php/dav/principals/calendar-rooms/nope/', { headers: { Depth: '0' } })).status).toBe(404);
  });

  it('room conflict: the first booking is accepted, an overlapping second one declined; back-to-back is fine', async () => {
    const room = 'ATTENDEE;CUTYPE=ROOM;PARTSTAT=NEEDS-ACTION:mailto:room-1@example.com';
    expect((await put('alice', 'personal/book-1.ics', eventIcs('book-1', '20260320T100000Z', '20260320T120000Z', lines(org('alice'), room)))).status).toBe(201);
    expect((await put('bob', 'personal/book-2.ics', eventIcs('book-2', '20260320T110000Z', '20260320T130000Z', lines(org('bob'), room)))).status).toBe(201);
    expect((await put('carol', 'personal/book-3.ics', eventIcs('book-3', '20260320T120000Z', '20260320T130000Z', lines(org('carol'), room)))).status).toBe(201);
    expect(partstat((await copyOf('alice', 'book-1'))!, 'mailto:room-1@example.com')).toBe('ACCEPTED');
    expect(partstat((await copyOf('bob', 'book-2'))!, 'mailto:room-1@example.com')).toBe('DECLINED');
    expect(partstat((await copyOf('carol', 'book-3'))!, 'mailto:room-1@example.com')).toBe('ACCEPTED');
    // Cancelling the first booking frees its slot: bob's event, saved again, now gets the room.
    expect((await davRequest('alice', 'DELETE', home('alice') + 'personal/book-1.ics')).status).toBe(204);
    const moved = eventIcs('book-2', '20260320T100000Z', '20260320T120000Z', lines(org('bob'), room, 'SEQUENCE:1'));
    expect((await put('bob', 'personal/book-2.ics', moved)).status).toBe(204);
    expect(partstat((await copyOf('bob', 'book-2'))!, 'mailto:room-1@example.com')).toBe('ACCEPTED');
    // The room's busy time is visible through free-busy.
    const fb = await davRequest('carol', 'POST', home('carol') + 'outbox/', {
      headers: TYPE, body: FB_REQUEST('mailto:carol@example.com', ['mailto:room-1@example.com']).replace('20260401T000000Z', '20260320T000000Z').replace('20260402T000000Z', '20260321T000000Z'),
    });
    const xml = await fb.text();
    expect(xml).toContain('2.0;Success');
    expect(xml).toContain('FREEBUSY:20260320T100000Z/20260320T130000Z');
  });
});
