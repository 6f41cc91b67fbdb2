import { beforeAll, describe, expect, it } from 'vitest';
import { env } from 'cloudflare:test';
import { makeUser } from '../helpers';
import { birthdayEvent } from '../../worker/calendars/birthdays';
import { davRequest, propfindBody, responsesOf } from './dav-helpers';
import { eventIcs } from './fixtures';

const BOOK = '/remote.php/dav/addressbooks/users/bea/contacts/';
const CAL = '/remote.php/dav/calendars/bea/contact_birthdays/';
const VCARD = { 'Content-Type': 'text/vcard; charset=utf-8' };
const bea = (method: string, path: string, init: { headers?: Record<string, string>; body?: string | null } = {}) => davRequest('bea', method, path, init);

const card = (uid: string, fn: string, bday: string | null) => ['BEGIN:VCARD', 'VERSION:3.0', `UID:${uid}`, `FN:${fn}`, 'N:;;;;',
  ...(bday ? [`BDAY:${bday}`] : []), 'END:VCARD', ''].join('\r\n');

async function events(): Promise<string[]> {
  const { results } = await env.DB.prepare("SELECT o.data FROM calendar_objects o JOIN calendars c ON c.id = o.calendar_id WHERE c.owner = 'bea' AND c.uri = 'contact_birthdays' ORDER BY o.uri")
    .all<{ data: string }>();
  return results.map((r) => r.data);
}

beforeAll(async () => {
  await makeUser('bea');
  await makeUser('other');
});

describe('birthday calendar', () => {
  it('a card with BDAY becomes a yearly all-day event "FN (*year)" in contact_birthdays', async () => {
    expect((await bea('PUT', BOOK + 'ada.vcf', { headers: VCARD, body: card('ada', 'Ada Lovelace', '1815-12-10') })).status).toBe(201);
    const [ev] = await events();
    expect(ev).toContain('SUMMARY:Ada Lovelace (*1815)');
    expect(ev).toContain('DTSTART;VALUE=DATE:18151210');
    expect(ev).toContain('DTEND;VALUE=DATE:18151211');
    expect(ev).toContain('RRULE:FREQ=YEARLY');
    // Listed in the home, read-only; "Personal" is still created for this user.
    const home = responsesOf(await (await bea('PROPFIND', '/remote.php/dav/calendars/bea/', { headers: { Depth: '1' }, body: propfindBody('<d:displayname/><d:current-user-privilege-set/>') })).text());
    expect(home.get(CAL)).toContain('Contact birthdays');
    expect(home.get(CAL)).not.toContain('<d:write/>');
    expect(home.has('/remote.php/dav/calendars/bea/personal/')).toBe(true);
  });

  it('editing the card updates the event; a card without a year gives "FN" only; a time-range query finds this year\'s instance', async () => {
    expect((await bea('PUT', BOOK + 'ada.vcf', { headers: VCARD, body: card('ada', 'Ada King', '1815-12-10') })).status).toBe(204);
    expect((await events())[0]).toContain('SUMMARY:Ada King (*1815)');
    expect((await bea('PUT', BOOK + 'bob.vcf', { headers: VCARD, body: card('bob', 'Bob', '--0412') })).status).toBe(201);
    const bob = (await events()).find((e) => e.includes('Bob'))!;
    expect(bob).toContain('SUMMARY:Bob\r\n');
    expect(bob).toContain('DTSTART;VALUE=DATE:19700412');
    const q = await bea('REPORT', CAL, {
      headers: { Depth: '1', 'Content-Type': 'application/xml' },
      body: '<?xml version="1.0"?><c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop>' +
        '<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="20260401T000000Z" end="20260501T000000Z"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>',
    });
    const hits = [...responsesOf(await q.text()).keys()];
    expect(hits).toEqual([CAL + 'contacts-bob.vcf.ics']);
  });

  it('29 February recurs on the last day of February', () => {
    expect(birthdayEvent('b', { uri: 'x.vcf', uid: 'x', fn: 'Leap', bday: '2000-02-29' })).toContain('RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1');
    expect(birthdayEvent('b', { uri: 'x.vcf', uid: 'x', fn: 'None', bday: null })).toBeNull();
  });

  it('removing the BDAY or deleting the card removes the event', async () => {
    expect((await bea('PUT', BOOK + 'bob.vcf', { headers: VCARD, body: card('bob', 'Bob', null) })).status).toBe(204);
    expect((await events()).some((e) => e.includes('Bob'))).toBe(false);
    expect((await bea('DELETE', BOOK + 'ada.vcf')).status).toBe(204);
    expect(await events()).toEqual([]);
  });

  it('the birthday calendar is read-only: PUT, DELETE of the calendar and MKCOL of its name are 403', async () => {
    expect((await bea('PUT', BOOK + 'cy.vcf', { headers: VCARD, body: card('cy', 'Cy', '1990-01-01') })).status).toBe(201);
    expect((await bea('PUT', CAL + 'mine.ics', { headers: { 'Content-Type': 'text/calendar' }, body: eventIcs('mine') })).status).toBe(403);
    expect((await bea('DELETE', CAL + 'contacts-cy.vcf.ics')).status).toBe(403);
    expect((await bea('DELETE', CAL)).status).toBe(403);
    expect(await events()).toHaveLength(1);
    expect((await davRequest('other', 'GET', CAL + 'contacts-cy.vcf.ics')).status).toBe(403);
  });
});
