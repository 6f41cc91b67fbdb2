import { beforeAll, describe, expect, it } from 'vitest';
import { env } from 'cloudflare:test';
import { makeUser } from '../helpers';
import { davRequest, hrefsIn, okPart, propfindBody, responsesOf } from '../calendars/dav-helpers';
import { card3, MKCOL_ADDRESSBOOK, VCARD_TYPE } from './fixtures';

const HOME = '/remote.php/dav/addressbooks/users/nina/';
const nina = (method: string, path: string, init: { headers?: Record<string, string>; body?: string | null } = {}) => davRequest('nina', method, path, init);

async function bookCount(owner: string): Promise<number> {
  const { results } = await env.DB.prepare('SELECT COUNT(*) AS n FROM addressbooks WHERE owner = ?').bind(owner).all<{ n: number }>();
  return results[0].n;
}

beforeAll(async () => {
  await makeUser('nina');
  await makeUser('otto');
});

describe('discovery: the DAVx5 walk to the address-book home (RFC 6352 §7.1, nextcloud-api.md §5)', () => {
  it('RFC 6764 → RFC 5397 → RFC 6352 §7.1.1 → home Depth 1: well-known, principal, addressbook-home-set, the default "Contacts"', async () => {
    const wk = await davRequest(null, 'PROPFIND', '/.well-known/carddav');
    expect(wk.status).toBe(301);
    const root = await nina('PROPFIND', new URL(wk.headers.get('Location')!, 'http://localhost').pathname, {
      headers: { Depth: '0' }, body: propfindBody('<d:current-user-principal/>'),
    });
    const [rootBlock] = responsesOf(await root.text()).values();
    const [principal] = hrefsIn(rootBlock, 'd:current-user-principal');
    expect(principal).toBe('/remote.php/dav/principals/users/nina/');

    const p = await nina('PROPFIND', principal, { headers: { Depth: '0' }, body: propfindBody('<card:addressbook-home-set/>') });
    const [home] = hrefsIn(responsesOf(await p.text()).get(principal), 'card:addressbook-home-set');
    expect(home).toBe(HOME);

    const options = await nina('OPTIONS', home);
    expect(options.headers.get('DAV')!.split(',').map((s) => s.trim())).toEqual(expect.arrayContaining(['1', '3', 'addressbook', 'extended-mkcol']));

    // DAVx5's home listing (HomeSetRefresher): resource types, names, privileges, supported data.
    const list = await nina('PROPFIND', home, {
      headers: { Depth: '1' },
      body: propfindBody('<d:resourcetype/><d:displayname/><d:current-user-privilege-set/><card:addressbook-description/>' +
        '<card:supported-address-data/><d:sync-token/><cs:getctag/><card:max-resource-size/><d:supported-report-set/>'),
    });
    expect(list.status).toBe(207);
    const all = responsesOf(await list.text());
    expect([...all.keys()]).toEqual([HOME, `${HOME}contacts/`]);
    expect(okPart(all.get(HOME))).toContain('<d:resourcetype><d:collection/></d:resourcetype>');
    const book = okPart(all.get(`${HOME}contacts/`));
    expect(book).toContain('<d:resourcetype><d:collection/><card:addressbook/></d:resourcetype>');
    expect(book).toContain('<d:displayname>Contacts</d:displayname>');
    expect(book).toContain('<card:address-data-type content-type="text/vcard" version="3.0"/>');
    expect(book).toContain('<card:address-data-type content-type="text/vcard" version="4.0"/>');
    expect(book).toContain('<card:max-resource-size>1048576</card:max-resource-size>');
    expect(book).toMatch(/<d:sync-token>urn:cumulus:cardsync:\d+:0<\/d:sync-token>/);
    expect(book).toMatch(/<cs:getctag>urn:cumulus:cardsync:\d+:0<\/cs:getctag>/);
    expect(book).toContain('<d:write/>');
    for (const report of ['card:addressbook-multiget', 'card:addressbook-query', 'd:sync-collection']) expect(book).toContain(`<${report}/>`);
  });

  it('the default address book is made once, even for concurrent first requests', async () => {
    await makeUser('pia');
    const home = '/remote.php/dav/addressbooks/users/pia/';
    const answers = await Promise.all(Array.from({ length: 6 }, () => davRequest('pia', 'PROPFIND', home, { headers: { Depth: '1' } })));
    for (const a of answers) expect(a.status).toBe(207);
    expect(await bookCount('pia')).toBe(1);
    await davRequest('pia', 'PROPFIND', `${home}contacts/`, { headers: { Depth: '0' } });
    expect(await bookCount('pia')).toBe(1);
  });
});

describe('address book collections (RFC 6352 §6.3.1, RFC 5689)', () => {
  it('RFC 5689 §3: extended MKCOL with an addressbook resourcetype creates it with its properties', async () => {
    const res = await nina('MKCOL', `${HOME}work/`, { body: MKCOL_ADDRESSBOOK('Work', '<card:addressbook-description>Colleagues</card:addressbook-description>') });
    expect(res.status).toBe(201);
    const props = await nina('PROPFIND', `${HOME}work/`, {
      headers: { Depth: '0' }, body: propfindBody('<d:resourcetype/><d:displayname/><card:addressbook-description/>'),
    });
    const got = okPart(responsesOf(await props.text()).get(`${HOME}work/`));
    expect(got).toContain('<card:addressbook/>');
    expect(got).toContain('<d:displayname>Work</d:displayname>');
    expect(got).toContain('<card:addressbook-description>Colleagues</card:addressbook-description>');
    // RFC 4918 §9.3.1: the name is taken now.
    expect((await nina('MKCOL', `${HOME}work/`, { body: MKCOL_ADDRESSBOOK('Again') })).status).toBe(405);
  });

  it('RFC 5689 §3: an unsettable property fails the whole MKCOL (403/424 mkcol-response), nothing is created', async () => {
    const before = await bookCount('nina');
    const res = await nina('MKCOL', `${HOME}odd/`, { body: MKCOL_ADDRESSBOOK('Odd', '<cs:getctag>1</cs:getctag>') });
    expect(res.status).toBe(403);
    const xml = await res.text();
    expect(xml).toContain('mkcol-response');
    expect(xml).toMatch(/getctag.*HTTP\/1.1 403/s);
    expect(xml).toMatch(/displayname.*HTTP\/1.1 424/s);
    expect(await bookCount('nina')).toBe(before);
  });

  it('RFC 5689 §3: another resource type → 403 valid-resourcetype; plain MKCOL, nested or malformed bodies are refused', async () => {
    const before = await bookCount('nina');
    const calendar = '<d:mkcol xmlns:d="DAV:" xmlns:cal="urn:ietf:params:xml:ns:caldav"><d:set><d:prop><d:resourcetype><d:collection/><cal:calendar/></d:resourcetype></d:prop></d:set></d:mkcol>';
    const res = await nina('MKCOL', `${HOME}cal/`, { body: calendar });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<d:valid-resourcetype/>');
    expect((await nina('MKCOL', `${HOME}plain/`)).status).toBe(403);
    expect((await nina('MKCOL', `${HOME}work/sub/`, { body: MKCOL_ADDRESSBOOK('Nested') })).status).toBe(403);
    expect((await nina('MKCOL', `${HOME}bad/`, { body: '<d:mkcol xmlns:d="DAV:"><d:set>' })).status).toBe(400);
    expect((await nina('MKCOL', `${HOME}bad/`, { body: '<d:propfind xmlns:d="DAV:"/>' })).status).toBe(415);
    expect(await bookCount('nina')).toBe(before);
  });

  it('RFC 4918 §9.2: PROPPATCH of displayname and addressbook-description is all or nothing; protected ones → 403', async () => {
    const patch = (props: string) => nina('PROPPATCH', `${HOME}work/`, {
      body: `<d:propertyupdate xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav" xmlns:cs="http://calendarserver.org/ns/"><d:set><d:prop>${props}</d:prop></d:set></d:propertyupdate>`,
    });
    const ok = await patch('<d:displayname>Job</d:displayname><card:addressbook-description>Desk</card:addressbook-description>');
    expect(ok.status).toBe(207);
    expect(await ok.text()).not.toContain('HTTP/1.1 4');
    const prot = await patch('<d:displayname>Nope</d:displayname><card:supported-address-data/>');
    const xml = await prot.text();
    expect(xml).toMatch(/supported-address-data.*HTTP\/1.1 403/s);
    expect(xml).toMatch(/displayname.*HTTP\/1.1 424/s);
    const dead = await patch('<x:color xmlns:x="urn:x">red</x:color>');
    expect(dead.status).toBe(403);
    const props = await nina('PROPFIND', `${HOME}work/`, { headers: { Depth: '0' }, body: propfindBody('<d:displayname/><card:addressbook-description/>') });
    const got = okPart([...responsesOf(await props.text()).values()][0]);
    expect(got).toContain('<d:displayname>Job</d:displayname>');
    expect(got).toContain('<card:addressbook-description>Desk</card:addressbook-description>');
  });

  it('RFC 4918 §9.6: DELETE of an address book removes it with its cards and change log', async () => {
    expect((await nina('MKCOL', `${HOME}gone/`, { body: MKCOL_ADDRESSBOOK('Gone') })).status).toBe(201);
    expect((await nina('PUT', `${HOME}gone/a.vcf`, { headers: VCARD_TYPE, body: card3('gone-a', 'Gone Person') })).status).toBe(201);
    expect((await nina('DELETE', `${HOME}gone/`)).status).toBe(204);
    expect((await nina('GET', `${HOME}gone/a.vcf`)).status).toBe(404);
    expect((await nina('PROPFIND', `${HOME}gone/`, { headers: { Depth: '0' } })).status).toBe(404);
    const { results } = await env.DB.prepare("SELECT COUNT(*) AS n FROM cards WHERE uid = 'gone-a'").all<{ n: number }>();
    expect(results[0].n).toBe(0);
    expect((await nina('DELETE', HOME)).status).toBe(403);
  });
});
