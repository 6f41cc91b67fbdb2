import { beforeAll, describe, expect, it } from 'vitest';
import { env } from 'cloudflare:test';
import { addGroupMember, createGroup } from '../../worker/accounts/groups';
import { makeUser } from '../helpers';
import { davRequest, okPart, propfindBody, responsesOf } from '../calendars/dav-helpers';
import { card3, VCARD_TYPE } from './fixtures';

// Address-book sharing, the same protocol as calendars (oc:share / cs:share POST on the book; the
// sharee finds {uri}_shared_by_{owner} in their address-book home; DELETE there leaves it).

const XML = { 'Content-Type': 'application/xml; charset=utf-8' };
const home = (u: string) => `/remote.php/dav/addressbooks/users/${u}/`;
const OWN = `${home('abowner')}contacts/`;
const SHARED = (u: string) => `${home(u)}contacts_shared_by_abowner/`;
const ocShare = (inner: string) => `<?xml version="1.0"?><oc:share xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns">${inner}</oc:share>`;
const set = (who: string, rw = false) => `<oc:set><d:href>principal:principals/${who}</d:href>${rw ? '<oc:read-write/>' : ''}</oc:set>`;
const req = (user: string, method: string, path: string, init: { headers?: Record<string, string>; body?: string | null } = {}) => davRequest(user, method, path, init);

async function listing(user: string): Promise<Map<string, string>> {
  const res = await req(user, 'PROPFIND', home(user), { headers: { Depth: '1' }, body: propfindBody('<d:displayname/><d:resourcetype/><d:current-user-privilege-set/>') });
  expect(res.status).toBe(207);
  return responsesOf(await res.text());
}

beforeAll(async () => {
  for (const u of ['abowner', 'abreader', 'abwriter', 'abmember', 'abother']) await makeUser(u);
  await createGroup(env, 'abgroup');
  await addGroupMember(env, 'abgroup', 'abmember');
  expect((await req('abowner', 'PUT', `${OWN}ann.vcf`, { headers: VCARD_TYPE, body: card3('ann', 'Ann Example') })).status).toBe(201);
});

describe('address-book sharing', () => {
  it('shares read-only and read-write; oc:invite lists both; sharees see the book with the right privileges', async () => {
    const res = await req('abowner', 'POST', OWN, { headers: XML, body: ocShare(set('users/abreader') + set('users/abwriter', true)) });
    expect(res.status).toBe(200);
    const invite = await req('abowner', 'PROPFIND', OWN, { headers: { Depth: '0' }, body: propfindBody('<oc:invite xmlns:oc="http://owncloud.org/ns"/>') });
    const text = await invite.text();
    expect(text).toContain('<d:href>principal:principals/users/abreader</d:href><oc:common-name>ABREADER</oc:common-name><oc:invite-accepted/><oc:access><oc:read/></oc:access>');
    expect(text).toContain('<d:href>principal:principals/users/abwriter</d:href><oc:common-name>ABWRITER</oc:common-name><oc:invite-accepted/><oc:access><oc:read-write/></oc:access>');

    const reader = okPart((await listing('abreader')).get(SHARED('abreader')));
    expect(reader).toContain('<card:addressbook/><cs:shared/>');
    expect(reader).not.toContain('<d:write-content/>');
    expect(okPart((await listing('abwriter')).get(SHARED('abwriter')))).toContain('<d:write-content/>');
  });

  it('a read-only sharee reads cards and multiget, cannot PUT or DELETE (403 need-privileges)', async () => {
    const get = await req('abreader', 'GET', `${SHARED('abreader')}ann.vcf`);
    expect(get.status).toBe(200);
    expect(await get.text()).toContain('FN:Ann Example');
    const multiget = await req('abreader', 'REPORT', SHARED('abreader'), {
      headers: XML,
      body: `<card:addressbook-multiget xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/><card:address-data/></d:prop><d:href>${SHARED('abreader')}ann.vcf</d:href></card:addressbook-multiget>`,
    });
    expect(multiget.status).toBe(207);
    expect(await multiget.text()).toContain('FN:Ann Example');
    const put = await req('abreader', 'PUT', `${SHARED('abreader')}x.vcf`, { headers: VCARD_TYPE, body: card3('x', 'X') });
    expect(put.status).toBe(403);
    expect(await put.text()).toContain('need-privileges');
    expect((await req('abreader', 'DELETE', `${SHARED('abreader')}ann.vcf`)).status).toBe(403);
    expect((await req('abowner', 'GET', `${OWN}ann.vcf`)).status).toBe(200);
  });

  it('a read-write sharee adds and edits cards the owner then sees; birthdays land in the owner\'s birthday calendar', async () => {
    const put = await req('abwriter', 'PUT', `${SHARED('abwriter')}bo.vcf`, { headers: VCARD_TYPE, body: card3('bo', 'Bo Writer', 'BDAY:1990-02-03') });
    expect(put.status).toBe(201);
    expect(await (await req('abowner', 'GET', `${OWN}bo.vcf`)).text()).toContain('FN:Bo Writer');
    const bday = await req('abowner', 'PROPFIND', '/remote.php/dav/calendars/abowner/contact_birthdays/', { headers: { Depth: '1' }, body: propfindBody('<d:getetag/>') });
    expect(bday.status).toBe(207);
    expect([...responsesOf(await bday.text()).keys()].some((h) => h.includes('bo'))).toBe(true);
    expect((await req('abwriter', 'GET', '/remote.php/dav/calendars/abwriter/contact_birthdays/')).status).toBe(404);
  });

  it('a sharee renames only their view; cannot share the book on; others get nothing', async () => {
    const patch = await req('abwriter', 'PROPPATCH', SHARED('abwriter'), {
      headers: XML, body: '<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><d:displayname>Team contacts</d:displayname></d:prop></d:set></d:propertyupdate>',
    });
    expect(patch.status).toBe(207);
    expect(okPart((await listing('abwriter')).get(SHARED('abwriter')))).toContain('<d:displayname>Team contacts</d:displayname>');
    expect(okPart((await listing('abowner')).get(OWN))).not.toContain('Team contacts');
    expect((await req('abwriter', 'POST', SHARED('abwriter'), { headers: XML, body: ocShare(set('users/abother')) })).status).toBe(403);
    expect((await req('abother', 'POST', OWN, { headers: XML, body: ocShare(set('users/abother')) })).status).toBe(403);
    expect([...(await listing('abother')).keys()].some((h) => h.includes('_shared_by_'))).toBe(false);
    expect((await req('abother', 'GET', `${SHARED('abother')}ann.vcf`)).status).toBe(404);
  });

  it('a group share reaches members; "unshare from me" and oc:remove take it away, the owner\'s book stays', async () => {
    expect((await req('abowner', 'POST', OWN, { headers: XML, body: ocShare(set('groups/abgroup')) })).status).toBe(200);
    expect((await listing('abmember')).has(SHARED('abmember'))).toBe(true);
    expect((await req('abmember', 'DELETE', SHARED('abmember'))).status).toBe(204);
    expect((await listing('abmember')).has(SHARED('abmember'))).toBe(false);
    expect((await req('abowner', 'POST', OWN, { headers: XML, body: `<?xml version="1.0"?><oc:share xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><oc:remove><d:href>principal:principals/users/abreader</d:href></oc:remove></oc:share>` })).status).toBe(200);
    expect((await listing('abreader')).has(SHARED('abreader'))).toBe(false);
    expect((await req('abowner', 'GET', `${OWN}ann.vcf`)).status).toBe(200);
  });
});
