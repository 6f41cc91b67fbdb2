import { beforeAll, describe, expect, it } from 'vitest';
import { makeUser } from '../helpers';
import { davRequest, okPart, responsesOf } from '../calendars/dav-helpers';
import { card3, card4, CARD_NS, MKCOL_ADDRESSBOOK, VCARD_TYPE } from './fixtures';

const HOME = '/remote.php/dav/addressbooks/users/rosa/';
const BOOK = `${HOME}contacts/`;
const report = (body: string, depth = '1', path = BOOK) => davRequest('rosa', 'REPORT', path, { headers: { Depth: depth, 'Content-Type': 'application/xml' }, body });
const put = (name: string, vcf: string, book = BOOK) => davRequest('rosa', 'PUT', book + name, { headers: VCARD_TYPE, body: vcf });

function syncBody(token: string, limit = ''): string {
  return `<d:sync-collection ${CARD_NS}><d:sync-token>${token}</d:sync-token><d:sync-level>1</d:sync-level>${limit}<d:prop><d:getetag/></d:prop></d:sync-collection>`;
}

async function sync(token: string, limit = '', path = BOOK) {
  const res = await report(syncBody(token, limit), '0', path);
  const xml = await res.text();
  return { status: res.status, xml, token: /<d:sync-token>([^<]*)<\/d:sync-token>\s*<\/d:multistatus>/.exec(xml)?.[1] ?? '', responses: responsesOf(xml) };
}

beforeAll(async () => {
  await makeUser('rosa');
  await makeUser('sven');
  expect((await put('alice.vcf', card3('alice', 'Alice Archer', 'EMAIL;TYPE=INTERNET,WORK:alice@work.example', 'TEL;TYPE=CELL:+49 170 1111', 'ORG:Acme;'))).status).toBe(201);
  expect((await put('bob.vcf', card4('bob', 'Bob Baker', 'EMAIL;TYPE=home:bob@home.example', 'NICKNAME:Bobby'))).status).toBe(201);
  expect((await put('carol.vcf', card3('carol', 'Carol Cook', 'EMAIL;TYPE=INTERNET,HOME:carol@home.example', 'ORG:Acme;'))).status).toBe(201);
  expect((await put('dave.vcf', card4('dave', 'Dave Dune'))).status).toBe(201);
});

describe('addressbook-multiget (RFC 6352 §8.7)', () => {
  it('returns getetag and address-data per href; unknown hrefs and other users\' cards → 404', async () => {
    const res = await report(`<card:addressbook-multiget ${CARD_NS}><d:prop><d:getetag/><card:address-data/></d:prop>` +
      `<d:href>${BOOK}alice.vcf</d:href><d:href>${BOOK}bob.vcf</d:href><d:href>${BOOK}missing.vcf</d:href>` +
      '<d:href>/remote.php/dav/addressbooks/users/sven/contacts/x.vcf</d:href></card:addressbook-multiget>', '0');
    expect(res.status).toBe(207);
    const all = responsesOf(await res.text());
    expect(okPart(all.get(`${BOOK}alice.vcf`))).toMatch(/<d:getetag>&quot;[0-9a-f]{32}&quot;<\/d:getetag>/);
    expect(okPart(all.get(`${BOOK}alice.vcf`))).toContain('UID:alice');
    // Stored as sent: a 4.0 card stays 4.0 when no version is asked for.
    expect(okPart(all.get(`${BOOK}bob.vcf`))).toContain('VERSION:4.0');
    expect(all.get(`${BOOK}missing.vcf`)).toContain('HTTP/1.1 404');
    expect(all.get('/remote.php/dav/addressbooks/users/sven/contacts/x.vcf')).toContain('HTTP/1.1 404');
  });
});

describe('addressbook-query (RFC 6352 §8.6, §10.5)', () => {
  const query = (filter: string, extra = '', filterAttrs = '') =>
    `<card:addressbook-query ${CARD_NS}><d:prop><d:getetag/></d:prop><card:filter${filterAttrs}>${filter}</card:filter>${extra}</card:addressbook-query>`;
  const hrefs = async (res: Response) => [...responsesOf(await res.text()).keys()].sort();

  it('§10.5.4: text-match on FN (contains, case-insensitive by default) and EMAIL (equals)', async () => {
    expect(await hrefs(await report(query('<card:prop-filter name="FN"><card:text-match>ARCHER</card:text-match></card:prop-filter>'))))
      .toEqual([`${BOOK}alice.vcf`]);
    expect(await hrefs(await report(query('<card:prop-filter name="EMAIL"><card:text-match match-type="equals">bob@home.example</card:text-match></card:prop-filter>'))))
      .toEqual([`${BOOK}bob.vcf`]);
    expect(await hrefs(await report(query('<card:prop-filter name="FN"><card:text-match match-type="starts-with">c</card:text-match></card:prop-filter>'))))
      .toEqual([`${BOOK}carol.vcf`]);
  });

  it('§10.5: the filter test anyof (default) and allof; is-not-defined; negate-condition', async () => {
    const org = '<card:prop-filter name="ORG"><card:text-match>Acme</card:text-match></card:prop-filter>';
    const home = '<card:prop-filter name="EMAIL"><card:text-match>home</card:text-match></card:prop-filter>';
    expect(await hrefs(await report(query(org + home)))).toEqual([`${BOOK}alice.vcf`, `${BOOK}bob.vcf`, `${BOOK}carol.vcf`]);
    expect(await hrefs(await report(query(org + home, '', ' test="allof"')))).toEqual([`${BOOK}carol.vcf`]);
    expect(await hrefs(await report(query('<card:prop-filter name="EMAIL"><card:is-not-defined/></card:prop-filter>')))).toEqual([`${BOOK}dave.vcf`]);
    expect(await hrefs(await report(query('<card:prop-filter name="FN"><card:text-match negate-condition="yes">r</card:text-match></card:prop-filter>'))))
      .toEqual([`${BOOK}dave.vcf`]);
  });

  it('§10.5.2: a param-filter on TYPE', async () => {
    const res = await report(query('<card:prop-filter name="TEL"><card:param-filter name="TYPE"><card:text-match match-type="equals">cell</card:text-match></card:param-filter></card:prop-filter>'));
    expect(await hrefs(res)).toEqual([`${BOOK}alice.vcf`]);
  });

  it('an empty filter matches every card; Depth 0 on the address book matches none', async () => {
    expect((await hrefs(await report(query('')))).length).toBe(4);
    expect(await hrefs(await report(query(''), '0'))).toEqual([]);
  });

  it('§8.6.1: nresults truncates the answer with a 507 number-of-matches-within-limits on the request URI', async () => {
    const res = await report(query('', '<card:limit><card:nresults>2</card:nresults></card:limit>'));
    expect(res.status).toBe(207);
    const all = responsesOf(await res.text());
    expect(all.get(BOOK)).toContain('HTTP/1.1 507');
    expect(all.get(BOOK)).toContain('<d:number-of-matches-within-limits/>');
    expect([...all.keys()].filter((h) => h !== BOOK).length).toBe(2);
    // Within the limit: no 507.
    const fits = responsesOf(await (await report(query('', '<card:limit><card:nresults>4</card:nresults></card:limit>'))).text());
    expect(fits.has(BOOK)).toBe(false);
    expect(fits.size).toBe(4);
  });

  it('bad filters: unknown collation → 403 supported-collation; bad test → 403 valid-filter; no filter → 403; bad nresults → 400', async () => {
    const coll = await report(query('<card:prop-filter name="FN"><card:text-match collation="i;klingon">x</card:text-match></card:prop-filter>'));
    expect(coll.status).toBe(403);
    expect(await coll.text()).toContain('supported-collation xmlns:c="urn:ietf:params:xml:ns:carddav"');
    const test = await report(query('', '', ' test="oneof"'));
    expect(test.status).toBe(403);
    expect(await test.text()).toContain('valid-filter');
    expect((await report(`<card:addressbook-query ${CARD_NS}><d:prop><d:getetag/></d:prop></card:addressbook-query>`)).status).toBe(403);
    expect((await report(query('', '<card:limit><card:nresults>many</card:nresults></card:limit>'))).status).toBe(400);
  });
});

describe('sync-collection (RFC 6578) over the address book change log', () => {
  it('§3.8: the initial sync lists every card and a token; a sync with that token lists nothing', async () => {
    const first = await sync('');
    expect(first.status).toBe(207);
    expect(first.responses.size).toBe(4);
    expect(first.token).toMatch(/^urn:cumulus:cardsync:\d+:\d+$/);
    const again = await sync(first.token);
    expect(again.responses.size).toBe(0);
    expect(again.token).toBe(first.token);
  });

  it('§3.5: changes and deletions since a token; deletions are 404 responses', async () => {
    const { token } = await sync('');
    expect((await put('erin.vcf', card4('erin', 'Erin Eve'))).status).toBe(201);
    expect((await put('dave.vcf', card4('dave', 'Dave Dune Jr'))).status).toBe(204);
    expect((await davRequest('rosa', 'DELETE', `${BOOK}carol.vcf`)).status).toBe(204);
    const next = await sync(token);
    expect([...next.responses.keys()].sort()).toEqual([`${BOOK}carol.vcf`, `${BOOK}dave.vcf`, `${BOOK}erin.vcf`]);
    expect(next.responses.get(`${BOOK}carol.vcf`)).toContain('HTTP/1.1 404');
    expect(okPart(next.responses.get(`${BOOK}erin.vcf`))).toContain('<d:getetag>');
    expect(next.token).not.toBe(token);
    expect((await sync(next.token)).responses.size).toBe(0);
    // A card created and deleted between two syncs comes back as deleted, not as present.
    expect((await put('tmp.vcf', card4('tmp', 'Tmp'))).status).toBe(201);
    expect((await davRequest('rosa', 'DELETE', `${BOOK}tmp.vcf`)).status).toBe(204);
    const later = await sync(next.token);
    expect([...later.responses.keys()]).toEqual([`${BOOK}tmp.vcf`]);
    expect(later.responses.get(`${BOOK}tmp.vcf`)).toContain('HTTP/1.1 404');
  });

  it('§3.6: a limit truncates with a 507 on the collection; the returned token continues', async () => {
    const { token } = await sync('');
    for (const n of [1, 2, 3]) expect((await put(`lim${n}.vcf`, card3(`lim${n}`, `Limit ${n}`))).status).toBe(201);
    const page = await sync(token, '<d:limit><d:nresults>2</d:nresults></d:limit>');
    expect(page.responses.get(BOOK)).toContain('HTTP/1.1 507');
    expect([...page.responses.keys()].filter((h) => h !== BOOK).sort()).toEqual([`${BOOK}lim1.vcf`, `${BOOK}lim2.vcf`]);
    const rest = await sync(page.token);
    expect([...rest.responses.keys()]).toEqual([`${BOOK}lim3.vcf`]);
  });

  it('§3.2: unknown, foreign or calendar tokens → 403 valid-sync-token; Depth infinity → 400 (Depth 1 is read as 0, for python-caldav)', async () => {
    expect((await davRequest('rosa', 'MKCOL', `${HOME}other/`, { body: MKCOL_ADDRESSBOOK('Other') })).status).toBe(201);
    const otherToken = (await sync('', '', `${HOME}other/`)).token;
    const calToken = otherToken.replace('cardsync', 'sync');
    for (const bad of ['http://example.com/sync/1', 'urn:cumulus:cardsync:999999:1', 'urn:cumulus:cardsync:1:99999999', otherToken, calToken]) {
      const res = await sync(bad);
      expect(res.status, bad).toBe(403);
      expect(res.xml).toContain('<d:valid-sync-token/>');
    }
    expect((await report(syncBody(''), 'infinity')).status).toBe(400);
  });

  it('the sync-token and getctag properties move with every change', async () => {
    const props = async () => {
      const res = await davRequest('rosa', 'PROPFIND', BOOK, {
        headers: { Depth: '0' }, body: `<d:propfind ${CARD_NS}><d:prop><d:sync-token/><cs:getctag/></d:prop></d:propfind>`,
      });
      const ok = okPart(responsesOf(await res.text()).get(BOOK));
      return { sync: /<d:sync-token>([^<]*)</.exec(ok)![1], ctag: /<cs:getctag>([^<]*)</.exec(ok)![1] };
    };
    const before = await props();
    expect((await put('ctag.vcf', card4('ctag', 'C Tag'))).status).toBe(201);
    const after = await props();
    expect(after.sync).not.toBe(before.sync);
    expect(after.ctag).not.toBe(before.ctag);
    expect((await sync(before.sync)).responses.size).toBe(1);
  });
});
