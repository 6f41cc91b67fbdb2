import { beforeAll, describe, expect, it } from 'vitest';
import { makeUser, propBody, propValue, responses, type DavClient } from '../helpers';

let alice: DavClient;
const BASE = '/remote.php/dav/files/alice';
beforeAll(async () => {
  alice = await makeUser('alice');
  await alice.mkcol('/dir');
  await alice.mkcol('/dir/sub');
  await alice.put('/dir/a.txt', 'hello');
  await alice.put('/dir/sub/deep.txt', 'deep');
});

const hrefsOf = (xml: string) => [...xml.matchAll(/<d:href>([^<]*)<\/d:href>/g)].map((m) => m[1]);

describe('PROPFIND depth', () => {
  it('RFC 4918 §9.1: Depth 0 answers for the resource itself only', async () => {
    const res = await alice.propfind('/dir/', propBody('{DAV:}getetag'), '0');
    expect(res.status).toBe(207);
    expect(hrefsOf(await res.text())).toEqual([`${BASE}/dir/`]);
  });

  it('RFC 4918 §9.1: Depth 1 answers for the collection first, then each member', async () => {
    const hrefs = hrefsOf(await (await alice.propfind('/dir', propBody('{DAV:}getetag'), '1')).text());
    expect(hrefs[0]).toBe(`${BASE}/dir/`);
    expect(hrefs.slice(1).sort()).toEqual([`${BASE}/dir/a.txt`, `${BASE}/dir/sub/`]);
  });

  it('RFC 4918 §9.1: Depth infinity is answered as Depth 1 (no unbounded walk, as Nextcloud)', async () => {
    const hrefs = hrefsOf(await (await alice.propfind('/dir/', propBody('{DAV:}getetag'), 'infinity')).text());
    expect(hrefs).toHaveLength(3);
    expect(hrefs).not.toContain(`${BASE}/dir/sub/deep.txt`);
  });

  it('RFC 4918 §10.2: a PROPFIND without Depth is treated as infinity (here: one level)', async () => {
    const res = await alice.request('PROPFIND', '/dir/', { body: propBody('{DAV:}getetag') });
    expect(hrefsOf(await res.text())).toHaveLength(3);
  });

  it('RFC 4918 §10.2: Depth 1 on a file lists just the file', async () => {
    const hrefs = hrefsOf(await (await alice.propfind('/dir/a.txt', propBody('{DAV:}getetag'), '1')).text());
    expect(hrefs).toEqual([`${BASE}/dir/a.txt`]);
  });

  it('RFC 4918 §10.2: a Depth other than 0, 1 or infinity → 400', async () => {
    for (const depth of ['2', 'one', '-1', '']) {
      const res = await alice.request('PROPFIND', '/dir/', { headers: { Depth: depth } });
      expect(res.status, `Depth: ${depth}`).toBe(400);
    }
  });

  it('RFC 4918 §9.1: PROPFIND of an unmapped URL → 404', async () => {
    expect((await alice.propfind('/nope', null)).status).toBe(404);
  });
});

describe('PROPFIND bodies', () => {
  it('RFC 4918 §9.1: an empty body means allprop (resourcetype, getlastmodified, getcontentlength, getetag, getcontenttype)', async () => {
    const block = responses(await (await alice.propfind('/dir/a.txt', null)).text()).get(`${BASE}/dir/a.txt`);
    expect(propValue(block, 'd:resourcetype')).toBe('');
    expect(propValue(block, 'd:getlastmodified')).toMatch(/GMT$/);
    expect(propValue(block, 'd:getcontentlength')).toBe('5');
    expect(propValue(block, 'd:getetag')).toMatch(/^&quot;.+&quot;$/);
    expect(propValue(block, 'd:getcontenttype')).toBe('text/plain');
    expect(block).not.toContain('HTTP/1.1 404');
  });

  it('RFC 4918 §14.2: DAV:allprop answers the same set as an empty body', async () => {
    const body = '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:allprop/></d:propfind>';
    const block = responses(await (await alice.propfind('/dir/a.txt', body)).text()).get(`${BASE}/dir/a.txt`);
    expect(propValue(block, 'd:getcontentlength')).toBe('5');
    expect(propValue(block, 'd:resourcetype')).toBe('');
  });

  it('RFC 4918 §9.1: allprop includes dead properties', async () => {
    await alice.proppatch('/dir/a.txt', '<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:z="urn:z"><d:set><d:prop><z:color>red</z:color></d:prop></d:set></d:propertyupdate>');
    const xml = await (await alice.propfind('/dir/a.txt', null)).text();
    expect(xml).toMatch(/<x:color xmlns:x="urn:z">red<\/x:color>/);
  });

  it('RFC 4918 §9.1: DAV:propname lists property names without values', async () => {
    const body = '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:propname/></d:propfind>';
    const xml = await (await alice.propfind('/dir/a.txt', body)).text();
    expect(xml).toContain('<d:getetag/>');
    expect(xml).toContain('<d:getcontentlength/>');
    expect(xml).toMatch(/<x:color xmlns:x="urn:z"\/>/);
    expect(xml).not.toContain('&quot;');
  });

  it('RFC 4918 §9.1: an unknown property is reported in a separate 404 propstat', async () => {
    const res = await alice.propfind('/dir/a.txt', propBody('{DAV:}getcontentlength', '{urn:unknown}nothing'));
    const xml = await res.text();
    const [, ok, missing] = xml.split('<d:propstat>');
    expect(ok).toContain('<d:getcontentlength>5</d:getcontentlength>');
    expect(ok).toContain('<d:status>HTTP/1.1 200 OK</d:status>');
    expect(missing).toMatch(/<x:nothing xmlns:x="urn:unknown"\/>/);
    expect(missing).toContain('<d:status>HTTP/1.1 404 Not Found</d:status>');
  });

  it('RFC 7240 / RFC 8144: Prefer: return=minimal leaves out the 404 propstat', async () => {
    const res = await alice.propfind('/dir/a.txt', propBody('{DAV:}getcontentlength', '{urn:unknown}nothing'), '0', { Prefer: 'return=minimal' });
    expect(res.headers.get('Preference-Applied')).toBe('return=minimal');
    const xml = await res.text();
    expect(xml).toContain('<d:getcontentlength>5</d:getcontentlength>');
    expect(xml).not.toContain('404');
  });

  it('Brief: t (the older Microsoft header) is honoured like return=minimal', async () => {
    const xml = await (await alice.propfind('/dir/a.txt', propBody('{urn:unknown}nothing', '{DAV:}getetag'), '0', { Brief: 't' })).text();
    expect(xml).not.toContain('404');
  });

  it('RFC 4918 §8.2: a body that is not well-formed XML → 400 with a DAV error body', async () => {
    for (const body of ['<d:propfind xmlns:d="DAV:"><d:prop>', '<<<', '<x:propfind><x:prop/></x:propfind>']) {
      const res = await alice.propfind('/dir/', body);
      expect(res.status, body).toBe(400);
      expect(await res.text()).toContain('<d:error');
    }
  });

  it('RFC 4918 §9.1: a root element other than DAV:propfind → 400', async () => {
    const res = await alice.propfind('/dir/', '<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:"/>');
    expect(res.status).toBe(400);
  });

  it('XML security: a DOCTYPE (entity expansion) is refused with 400', async () => {
    const body = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "xxxxxxxx">]><d:propfind xmlns:d="DAV:"><d:allprop/></d:propfind>';
    expect((await alice.propfind('/dir/', body)).status).toBe(400);
  });

  it('Namespaces are resolved, not assumed: any prefix (or a default namespace) for DAV: works', async () => {
    const body = '<?xml version="1.0"?><propfind xmlns="DAV:"><prop><getcontentlength/></prop></propfind>';
    const xml = await (await alice.propfind('/dir/a.txt', body)).text();
    expect(xml).toContain('<d:getcontentlength>5</d:getcontentlength>');
    const body2 = '<?xml version="1.0"?><Q:propfind xmlns:Q="DAV:"><Q:prop><Q:getcontentlength/></Q:prop></Q:propfind>';
    expect(await (await alice.propfind('/dir/a.txt', body2)).text()).toContain('<d:getcontentlength>5</d:getcontentlength>');
  });
});

describe('PROPFIND responses', () => {
  it('nextcloud-api §8d.1: the 207 Content-Type is exactly application/xml; charset=utf-8', async () => {
    const res = await alice.propfind('/', null, '1');
    expect(res.headers.get('Content-Type')).toBe('application/xml; charset=utf-8');
  });

  it('nextcloud-api §8d.4: the multistatus root declares the d, oc and nc prefixes', async () => {
    const xml = await (await alice.propfind('/', null)).text();
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\s*<d:multistatus /);
    for (const decl of ['xmlns:d="DAV:"', 'xmlns:oc="http://owncloud.org/ns"', 'xmlns:nc="http://nextcloud.org/ns"', 'xmlns:s="http://sabredav.org/ns"']) {
      expect(xml).toContain(decl);
    }
  });

  it('nextcloud-api §8d.2: hrefs are absolute paths, collections end with a slash, files do not', async () => {
    const hrefs = hrefsOf(await (await alice.propfind('/dir', null, '1')).text());
    for (const h of hrefs) expect(h.startsWith(`${BASE}/dir/`)).toBe(true);
    expect(hrefs).toContain(`${BASE}/dir/sub/`);
    expect(hrefs).toContain(`${BASE}/dir/a.txt`);
    expect(hrefs.join()).not.toContain('http');
  });

  it('nextcloud-api §8d.7: double slashes and a missing trailing slash address the same collection', async () => {
    for (const path of ['//dir//', '/dir', '/dir/']) {
      const hrefs = hrefsOf(await (await alice.propfind(path, propBody('{DAV:}getetag'))).text());
      expect(hrefs, path).toEqual([`${BASE}/dir/`]);
    }
  });

  it('RFC 4918 §15: a collection has resourcetype collection and no getcontentlength', async () => {
    const xml = await (await alice.propfind('/dir/', propBody('{DAV:}resourcetype', '{DAV:}getcontentlength'))).text();
    const block = responses(xml).get(`${BASE}/dir/`);
    expect(propValue(block, 'd:resourcetype')).toBe('<d:collection/>');
    expect(propValue(block, 'd:getcontentlength')).toBeUndefined();
  });

  it('RFC 4918 §15.1: creationdate is an RFC 3339 date-time; displayname is the name', async () => {
    const block = responses(await (await alice.propfind('/dir/a.txt', propBody('{DAV:}creationdate', '{DAV:}displayname'))).text()).get(`${BASE}/dir/a.txt`);
    expect(propValue(block, 'd:creationdate')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Math.abs(Date.parse(propValue(block, 'd:creationdate')!) - Date.now())).toBeLessThan(60_000);
    expect(propValue(block, 'd:displayname')).toBe('a.txt');
  });

  it('RFC 4918 §15.10: supportedlock offers exclusive and shared write locks', async () => {
    const block = responses(await (await alice.propfind('/dir/a.txt', propBody('{DAV:}supportedlock', '{DAV:}lockdiscovery'))).text()).get(`${BASE}/dir/a.txt`);
    const supported = propValue(block, 'd:supportedlock')!;
    expect(supported).toContain('<d:lockscope><d:exclusive/></d:lockscope><d:locktype><d:write/></d:locktype>');
    expect(supported).toContain('<d:lockscope><d:shared/></d:lockscope><d:locktype><d:write/></d:locktype>');
    expect(propValue(block, 'd:lockdiscovery')).toBe('');
  });
});
