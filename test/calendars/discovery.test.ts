import { beforeAll, describe, expect, it } from 'vitest';
import { env } from 'cloudflare:test';
import { addGroupMember, createGroup } from '../../worker/accounts/groups';
import { updateUser } from '../../worker/accounts/users';
import { makeUser } from '../helpers';
import { davRequest, hrefsIn, okPart, propfindBody, responsesOf } from './dav-helpers';


beforeAll(async () => {
  await makeUser('dora');
  await makeUser('eric');
  await updateUser(env, 'dora', { email: 'dora@example.org' });
  await updateUser(env, 'eric', { email: 'eric@example.net' });
  await createGroup(env, 'staff', 'Staff');
  await addGroupMember(env, 'staff', 'dora');
});

describe('discovery (RFC 6764, RFC 5397, nextcloud-api.md §5.2)', () => {
  it('RFC 6764 §5: /.well-known/caldav and carddav redirect to the DAV root with 301', async () => {
    for (const name of ['caldav', 'carddav']) {
      for (const method of ['GET', 'PROPFIND']) {
        const res = await davRequest(null, method, `/.well-known/${name}`);
        expect(res.status).toBe(301);
        expect(new URL(res.headers.get('Location')!, 'http://localhost').pathname).toBe('/remote.php/dav/');
      }
    }
  });

  it('RFC 5397: PROPFIND on the DAV root gives current-user-principal (DAVx5 step 1)', async () => {
    for (const path of ['/remote.php/dav', '/remote.php/dav/']) {
      const res = await davRequest('dora', 'PROPFIND', path, {
        headers: { Depth: '0' },
        body: propfindBody('<d:resourcetype/><d:displayname/><cal:calendar-home-set/><d:current-user-principal/><card:addressbook-home-set/>'),
      });
      expect(res.status).toBe(207);
      const [block] = responsesOf(await res.text()).values();
      expect(hrefsIn(block, 'd:current-user-principal')).toEqual(['/remote.php/dav/principals/users/dora/']);
    }
  });

  it('RFC 4791 §6.2.1, RFC 6352 §7.1.1: the principal names the homes, addresses and groups (DAVx5 step 4)', async () => {
    const res = await davRequest('dora', 'PROPFIND', '/remote.php/dav/principals/users/dora/', {
      headers: { Depth: '0' },
      body: propfindBody('<d:resourcetype/><d:displayname/><cal:calendar-home-set/><card:addressbook-home-set/>' +
        '<cal:calendar-user-address-set/><cal:schedule-inbox-URL/><cal:schedule-outbox-URL/><d:principal-URL/><d:group-membership/>' +
        '<d:supported-report-set/><cs:email-address-set/>'),
    });
    expect(res.status).toBe(207);
    const block = responsesOf(await res.text()).get('/remote.php/dav/principals/users/dora/');
    const ok = okPart(block);
    expect(ok).toContain('<d:resourcetype><d:principal/></d:resourcetype>');
    expect(ok).toContain('<d:displayname>DORA</d:displayname>');
    expect(hrefsIn(block, 'cal:calendar-home-set')).toEqual(['/remote.php/dav/calendars/dora/']);
    expect(hrefsIn(block, 'card:addressbook-home-set')).toEqual(['/remote.php/dav/addressbooks/users/dora/']);
    expect(hrefsIn(block, 'cal:calendar-user-address-set')).toEqual(['mailto:dora@example.org', '/remote.php/dav/principals/users/dora/']);
    expect(hrefsIn(block, 'cal:schedule-inbox-URL')).toEqual(['/remote.php/dav/calendars/dora/inbox/']);
    expect(hrefsIn(block, 'cal:schedule-outbox-URL')).toEqual(['/remote.php/dav/calendars/dora/outbox/']);
    expect(hrefsIn(block, 'd:principal-URL')).toEqual(['/remote.php/dav/principals/users/dora/']);
    expect(hrefsIn(block, 'd:group-membership')).toEqual(['/remote.php/dav/principals/groups/staff/']);
    expect(ok).toContain('<cs:email-address>dora@example.org</cs:email-address>');
  });

  it('RFC 4791 §5.1: OPTIONS on the principal announces calendar-access and addressbook (DAVx5 step 3)', async () => {
    const res = await davRequest('dora', 'OPTIONS', '/remote.php/dav/principals/users/dora/');
    const classes = res.headers.get('DAV')!.split(',').map((s) => s.trim());
    expect(classes).toEqual(expect.arrayContaining(['1', '3', 'access-control', 'calendar-access', 'addressbook']));
  });

  it('RFC 3744 §4: a group principal, and another user\'s principal shows only public properties', async () => {
    const group = await davRequest('dora', 'PROPFIND', '/remote.php/dav/principals/groups/staff/', {
      headers: { Depth: '0' }, body: propfindBody('<d:resourcetype/><d:displayname/><cal:calendar-user-type/>'),
    });
    const g = okPart([...responsesOf(await group.text()).values()][0]);
    expect(g).toContain('<d:displayname>Staff</d:displayname>');
    expect(g).toContain('<cal:calendar-user-type>GROUP</cal:calendar-user-type>');

    const other = await davRequest('dora', 'PROPFIND', '/remote.php/dav/principals/users/eric/', {
      headers: { Depth: '0' }, body: propfindBody('<d:displayname/><cal:calendar-home-set/><card:addressbook-home-set/><d:group-membership/><cal:calendar-user-address-set/>'),
    });
    const text = await other.text();
    const block = [...responsesOf(text).values()][0];
    expect(okPart(block)).toContain('<d:displayname>ERIC</d:displayname>');
    expect(hrefsIn(block, 'cal:calendar-user-address-set')).toContain('mailto:eric@example.net');
    expect(okPart(block)).not.toContain('calendar-home-set');
    expect(block).toMatch(/<cal:calendar-home-set\/>.*HTTP\/1.1 404/s);
  });

  it('refusals: unauthenticated → 401 with a Basic challenge; unknown principal → 404; writes → 403', async () => {
    const anon = await davRequest(null, 'PROPFIND', '/remote.php/dav/', { headers: { Depth: '0' } });
    expect(anon.status).toBe(401);
    expect(anon.headers.get('WWW-Authenticate')).toContain('Basic');
    expect((await davRequest(null, 'PROPFIND', '/remote.php/dav/principals/users/dora/')).status).toBe(401);
    expect((await davRequest('dora', 'PROPFIND', '/remote.php/dav/principals/users/nobody/', { headers: { Depth: '0' } })).status).toBe(404);
    // RFC 4918 §9.2: a protected property fails inside the 207.
    const patch = await davRequest('dora', 'PROPPATCH', '/remote.php/dav/principals/users/dora/', {
      body: '<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><d:displayname>x</d:displayname></d:prop></d:set></d:propertyupdate>',
    });
    expect(await patch.text()).toContain('HTTP/1.1 403');
    const dead = await davRequest('dora', 'PROPPATCH', '/remote.php/dav/principals/users/dora/', {
      body: '<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><x:y xmlns:x="urn:x">1</x:y></d:prop></d:set></d:propertyupdate>',
    });
    expect(dead.status).toBe(403);
    expect((await davRequest('dora', 'PUT', '/remote.php/dav/principals/users/dora/x', { body: 'x' })).status).toBe(403);
  });

  it('Depth 1 on the users collection lists only oneself', async () => {
    const res = await davRequest('dora', 'PROPFIND', '/remote.php/dav/principals/users/', { headers: { Depth: '1' }, body: propfindBody('<d:displayname/>') });
    expect([...responsesOf(await res.text()).keys()]).toEqual(['/remote.php/dav/principals/users/', '/remote.php/dav/principals/users/dora/']);
  });
});

describe('principal search (RFC 3744 §9.4, §9.5)', () => {
  const search = (match: string, prop = '<d:displayname/>', test = '') =>
    '<?xml version="1.0"?><d:principal-property-search xmlns:d="DAV:" xmlns:cal="urn:ietf:params:xml:ns:caldav"' + test + '>' +
    `<d:property-search><d:prop>${prop}</d:prop><d:match>${match}</d:match></d:property-search>` +
    '<d:prop><d:displayname/><cal:calendar-user-address-set/></d:prop></d:principal-property-search>';

  it('§9.4: finds users by display name and by e-mail, with the asked properties', async () => {
    const byName = await davRequest('dora', 'REPORT', '/remote.php/dav/principals/', { headers: { Depth: '0' }, body: search('eri') });
    expect(byName.status).toBe(207);
    const found = responsesOf(await byName.text());
    expect([...found.keys()]).toEqual(['/remote.php/dav/principals/users/eric/']);
    expect(hrefsIn(found.get('/remote.php/dav/principals/users/eric/'), 'cal:calendar-user-address-set')).toContain('mailto:eric@example.net');

    const byMail = await davRequest('dora', 'REPORT', '/remote.php/dav/principals/users/', {
      body: search('mailto:dora@example', '<cal:calendar-user-address-set/>'),
    });
    expect([...responsesOf(await byMail.text()).keys()]).toEqual(['/remote.php/dav/principals/users/dora/']);

    const groups = await davRequest('dora', 'REPORT', '/remote.php/dav/principals/groups/', { body: search('staf') });
    expect([...responsesOf(await groups.text()).keys()]).toEqual(['/remote.php/dav/principals/groups/staff/']);
  });

  it('§9.4: LIKE wildcards are literal; an empty match finds nothing', async () => {
    for (const m of ['%', '_', '']) {
      const res = await davRequest('dora', 'REPORT', '/remote.php/dav/principals/', { body: search(m) });
      expect(responsesOf(await res.text()).size, m).toBe(0);
    }
  });

  it('RFC 3253 §3.1.5: the principal collections list both search reports', async () => {
    const res = await davRequest('dora', 'PROPFIND', '/remote.php/dav/principals/', { headers: { Depth: '0' }, body: propfindBody('<d:supported-report-set/>') });
    const ok = okPart([...responsesOf(await res.text()).values()][0]);
    expect(ok).toContain('<d:report><d:principal-property-search/></d:report>');
    expect(ok).toContain('<d:report><d:principal-search-property-set/></d:report>');
  });

  it('§9.5: principal-search-property-set lists the searchable properties', async () => {
    const res = await davRequest('dora', 'REPORT', '/remote.php/dav/principals/', {
      headers: { Depth: '0' }, body: '<d:principal-search-property-set xmlns:d="DAV:"/>',
    });
    expect(res.status).toBe(200);
    const xml = await res.text();
    expect(xml).toContain('<d:displayname/>');
    expect(xml).toContain('<cal:calendar-user-address-set/>');
  });

  it('RFC 3253 §3.6: an unknown report → 403 supported-report; bad XML → 400', async () => {
    const res = await davRequest('dora', 'REPORT', '/remote.php/dav/principals/', { body: '<x:nope xmlns:x="urn:x"/>' });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<d:supported-report/>');
    expect((await davRequest('dora', 'REPORT', '/remote.php/dav/principals/', { body: '<d:principal-property-search xmlns:d="DAV:">' })).status).toBe(400);
    expect((await davRequest(null, 'REPORT', '/remote.php/dav/principals/', { body: search('x') })).status).toBe(401);
  });
});
