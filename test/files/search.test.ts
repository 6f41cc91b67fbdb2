import { beforeAll, describe, expect, it } from 'vitest';
import { exports } from 'cloudflare:workers';
import { env } from 'cloudflare:test';
import { makeUser, responses, type DavClient } from '../helpers';

// Favorites (REPORT oc:filter-files) and DAV SEARCH (RFC 5323 basicsearch) as Nextcloud's web
// Files app and mobile apps send them.

let sam: DavClient;
let other: DavClient;
const FAV = (v: '0' | '1') => `<d:propertyupdate xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:set><d:prop><oc:favorite>${v}</oc:favorite></d:prop></d:set></d:propertyupdate>`;
const FILTER = (rules = '<oc:favorite>1</oc:favorite>') => '<?xml version="1.0"?><oc:filter-files xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns">'
  + `<d:prop><d:getetag/><oc:favorite/><oc:fileid/></d:prop><oc:filter-rules>${rules}</oc:filter-rules></oc:filter-files>`;

function searchBody(where: string, opts: { scope?: string; depth?: string; order?: string; limit?: string } = {}): string {
  return '<?xml version="1.0"?><d:searchrequest xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns"><d:basicsearch>'
    + '<d:select><d:prop><d:displayname/><d:getlastmodified/><oc:favorite/></d:prop></d:select>'
    + `<d:from><d:scope><d:href>${opts.scope ?? '/files/sam'}</d:href><d:depth>${opts.depth ?? 'infinity'}</d:depth></d:scope></d:from>`
    + `<d:where>${where}</d:where>${opts.order ?? ''}${opts.limit ?? ''}</d:basicsearch></d:searchrequest>`;
}

async function search(client: DavClient, body: string): Promise<{ status: number; hrefs: string[]; text: string }> {
  const res = await client.request('SEARCH', 'http://localhost/remote.php/dav/', { body, headers: { 'Content-Type': 'text/xml' } });
  const text = await res.text();
  return { status: res.status, text, hrefs: res.status === 207 ? [...responses(text).keys()] : [] };
}

const like = (prop: string, v: string) => `<d:like><d:prop>${prop}</d:prop><d:literal>${v}</d:literal></d:like>`;

beforeAll(async () => {
  sam = await makeUser('sam');
  other = await makeUser('searchother');
  await sam.mkcol('/Docs');
  await sam.mkcol('/Docs/Deep');
  await sam.put('/Docs/report.txt', 'r', { 'X-OC-Mtime': '1600000000' });
  await sam.put('/Docs/Deep/Report final.md', 'rf', { 'X-OC-Mtime': '1700000000' });
  await sam.put('/photo.jpg', 'jpg', { 'X-OC-Mtime': '1650000000' });
  await sam.put('/notes.txt', 'n', { 'X-OC-Mtime': '1750000000' });
  await other.put('/report-other.txt', 'secret');
  expect((await sam.proppatch('/Docs/Deep/Report final.md', FAV('1'))).status).toBe(207);
  expect((await sam.proppatch('/Docs', FAV('1'))).status).toBe(207);
  expect((await sam.proppatch('/photo.jpg', FAV('1'))).status).toBe(207);
  expect((await sam.proppatch('/photo.jpg', FAV('0'))).status).toBe(207); // and un-favorited again
});

describe('favorites: REPORT oc:filter-files', () => {
  it('lists every favorite below the target, at any depth, with the properties asked for', async () => {
    const res = await sam.request('REPORT', '/', { body: FILTER(), headers: { 'Content-Type': 'application/xml' } });
    expect(res.status).toBe(207);
    const blocks = responses(await res.text());
    expect([...blocks.keys()]).toEqual([sam.href('/Docs/'), sam.href('/Docs/Deep/Report final.md')]);
    for (const b of blocks.values()) expect(b).toContain('<oc:favorite>1</oc:favorite>');
    const below = await sam.request('REPORT', '/Docs/Deep/', { body: FILTER(), headers: { 'Content-Type': 'application/xml' } });
    expect([...responses(await below.text()).keys()]).toEqual([sam.href('/Docs/Deep/Report final.md')]);
  });

  it('a PROPFIND shows oc:favorite per child; bad rules are 400; another user has no favorites of sam', async () => {
    const res = await sam.propfind('/Docs/', '<d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:prop><oc:favorite/></d:prop></d:propfind>', '1');
    const blocks = responses(await res.text());
    expect(blocks.get(sam.href('/Docs/'))).toContain('<oc:favorite>1</oc:favorite>');
    expect(blocks.get(sam.href('/Docs/report.txt'))).toContain('<oc:favorite>0</oc:favorite>');
    expect((await sam.request('REPORT', '/', { body: FILTER('<oc:systemtag>3</oc:systemtag>'), headers: { 'Content-Type': 'application/xml' } })).status).toBe(400);
    expect((await sam.request('REPORT', '/', { body: FILTER(''), headers: { 'Content-Type': 'application/xml' } })).status).toBe(400);
    const theirs = await other.request('REPORT', '/', { body: FILTER(), headers: { 'Content-Type': 'application/xml' } });
    expect([...responses(await theirs.text()).keys()]).toEqual([]);
    expect((await other.request('REPORT', 'http://localhost/remote.php/dav/files/sam/', { body: FILTER(), headers: { 'Content-Type': 'application/xml' } })).status).toBe(403);
  });
});

describe('SEARCH (basicsearch)', () => {
  it('by name with like: case-insensitive, in the whole tree, never another user\'s files', async () => {
    const r = await search(sam, searchBody(like('<d:displayname/>', '%report%')));
    expect(r.status).toBe(207);
    expect(r.hrefs.sort()).toEqual([sam.href('/Docs/Deep/Report final.md'), sam.href('/Docs/report.txt')]);
    expect(r.text).toContain('<d:displayname>Report final.md</d:displayname>');
  });

  it('"Recent": files modified after a time, newest first, limited', async () => {
    const where = `<d:and><d:not><d:is-collection/></d:not><d:gt><d:prop><d:getlastmodified/></d:prop><d:literal>1620000000</d:literal></d:gt></d:and>`;
    const order = '<d:orderby><d:order><d:prop><d:getlastmodified/></d:prop><d:descending/></d:order></d:orderby>';
    const r = await search(sam, searchBody(where, { order }));
    expect(r.hrefs).toEqual([sam.href('/notes.txt'), sam.href('/Docs/Deep/Report final.md'), sam.href('/photo.jpg')]);
    const two = await search(sam, searchBody(where, { order, limit: '<d:limit><d:nresults>2</d:nresults></d:limit>' }));
    expect(two.hrefs).toEqual([sam.href('/notes.txt'), sam.href('/Docs/Deep/Report final.md')]);
    const next = await search(sam, searchBody(where, { order, limit: '<d:limit><d:nresults>2</d:nresults><nc:firstresult>2</nc:firstresult></d:limit>' }));
    expect(next.hrefs).toEqual([sam.href('/photo.jpg')]);
    const byDate = await search(sam, searchBody(`<d:and><d:not><d:is-collection/></d:not><d:gte><d:prop><d:getlastmodified/></d:prop><d:literal>Tue, 14 Nov 2023 22:13:20 GMT</d:literal></d:gte></d:and>`, { order }));
    expect(byDate.hrefs).toEqual([sam.href('/notes.txt'), sam.href('/Docs/Deep/Report final.md')]);
  });

  it('favorites, content type, size, depth 1 scope below a folder', async () => {
    expect((await search(sam, searchBody('<d:eq><d:prop><oc:favorite/></d:prop><d:literal>1</d:literal></d:eq>'))).hrefs.sort())
      .toEqual([sam.href('/Docs/'), sam.href('/Docs/Deep/Report final.md')]);
    expect((await search(sam, searchBody(like('<d:getcontenttype/>', 'image/%')))).hrefs).toEqual([sam.href('/photo.jpg')]);
    // Folder sizes are what is inside them, as in Nextcloud: Deep holds exactly those 2 bytes.
    expect((await search(sam, searchBody('<d:eq><d:prop><oc:size/></d:prop><d:literal>2</d:literal></d:eq>'))).hrefs.sort())
      .toEqual([sam.href('/Docs/Deep/'), sam.href('/Docs/Deep/Report final.md')]);
    expect((await search(sam, searchBody('<d:and><d:eq><d:prop><oc:size/></d:prop><d:literal>2</d:literal></d:eq><d:not><d:is-collection/></d:not></d:and>'))).hrefs)
      .toEqual([sam.href('/Docs/Deep/Report final.md')]);
    const depth1 = await search(sam, searchBody(like('<d:displayname/>', '%'), { scope: '/files/sam/Docs', depth: '1' }));
    expect(depth1.hrefs.sort()).toEqual([sam.href('/Docs/Deep/'), sam.href('/Docs/report.txt')]);
  });

  it('refusals: another user\'s scope 403, anonymous 401, bad grammar or operator or literal 400, unknown scope 404', async () => {
    expect((await search(other, searchBody(like('<d:displayname/>', '%'), { scope: '/files/sam' }))).status).toBe(403);
    const anon = await exports.default.fetch(new Request('http://localhost/remote.php/dav/', { method: 'SEARCH', body: searchBody(like('<d:displayname/>', '%')) }));
    expect(anon.status).toBe(401);
    expect((await search(sam, '<d:searchrequest xmlns:d="DAV:"><d:other/></d:searchrequest>')).status).toBe(422);
    expect((await search(sam, searchBody('<d:regex><d:prop><d:displayname/></d:prop><d:literal>x</d:literal></d:regex>'))).status).toBe(400);
    expect((await search(sam, searchBody('<d:eq><d:prop><d:owner/></d:prop><d:literal>x</d:literal></d:eq>'))).status).toBe(400);
    expect((await search(sam, searchBody('<d:gt><d:prop><d:getlastmodified/></d:prop><d:literal>yesterday-ish</d:literal></d:gt>'))).status).toBe(400);
    expect((await search(sam, searchBody(like('<d:displayname/>', '%'), { scope: '/files/sam/nothere' }))).status).toBe(404);
    expect((await search(sam, searchBody(like('<d:displayname/>', '%'), { scope: '/calendars/sam' }))).status).toBe(400);
    expect((await search(sam, 'not xml')).status).toBe(400);
  });
});

describe('SEARCH: literal wildcards and the result cap', () => {
  let crowd: DavClient;
  const crowdSearch = (where: string, limit = '') => search(crowd, searchBody(where, { scope: '/files/crowd', limit }));
  beforeAll(async () => {
    crowd = await makeUser('crowd');
    for (const name of ['100% done.txt', '1000 done.txt', 'snake_case.txt', 'snakeXcase.txt']) {
      expect((await crowd.put(`/${encodeURIComponent(name)}`, 'x')).status).toBe(201);
    }
  });

  it('RFC 5323 §5.18.4: a backslash makes % and _ literal in d:like', async () => {
    expect((await crowdSearch(like('<d:displayname/>', '%0\\% d%'))).hrefs).toEqual([crowd.href('/100% done.txt')]);
    expect((await crowdSearch(like('<d:displayname/>', '%0% d%'))).hrefs.sort()).toEqual([crowd.href('/1000 done.txt'), crowd.href('/100% done.txt')].sort());
    expect((await crowdSearch(like('<d:displayname/>', 'snake\\_case%'))).hrefs).toEqual([crowd.href('/snake_case.txt')]);
  });

  it('RFC 5323 §2.5: without d:nresults, an answer cut at 1,000 rows ends with a 507 for the scope; with nresults it is complete', async () => {
    expect((await crowd.mkcol('/many')).status).toBe(201);
    // 1,001 rows straight into D1 (their content does not matter to a name search).
    await env.DB.prepare(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1001)
      INSERT INTO files (owner, path, parent_id, name, is_dir, size, mtime, created_at, etag, content_type, checksums, segments)
      SELECT 'crowd', 'many/m-' || i || '.txt', (SELECT fileid FROM files WHERE owner = 'crowd' AND path = 'many'), 'm-' || i || '.txt',
        0, 0, 1700000000, 1700000000, 'e' || i, 'text/plain', NULL, '[]' FROM n`).run();
    const all = await crowdSearch(like('<d:displayname/>', 'm-%'));
    expect(all.status).toBe(207);
    const statuses = [...responses(all.text).entries()];
    expect(statuses).toHaveLength(1001);
    expect(statuses.at(-1)![0]).toBe(crowd.href('/'));
    expect(statuses.at(-1)![1]).toContain('507');
    const limited = await crowdSearch(like('<d:displayname/>', 'm-%'), '<d:limit><d:nresults>5</d:nresults></d:limit>');
    expect(limited.hrefs).toHaveLength(5);
    expect(limited.text).not.toContain('507');
  });
});
