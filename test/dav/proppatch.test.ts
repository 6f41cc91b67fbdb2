import { beforeAll, describe, expect, it } from 'vitest';
import { makeUser, propBody, responses, type DavClient } from '../helpers';

let alice: DavClient;
const FILE = '/remote.php/dav/files/alice/f.txt';
beforeAll(async () => {
  alice = await makeUser('alice');
  await alice.put('/f.txt', 'content');
});

const update = (inner: string, extraNs = '') =>
  `<?xml version="1.0" encoding="utf-8"?><d:propertyupdate xmlns:d="DAV:"${extraNs}>${inner}</d:propertyupdate>`;

async function deadProps(path: string, ...names: string[]): Promise<string> {
  const res = await alice.propfind(path, propBody(...names));
  return [...responses(await res.text()).values()][0];
}

describe('PROPPATCH', () => {
  it('RFC 4918 §9.2: sets dead properties in any namespace; PROPFIND returns them', async () => {
    const res = await alice.proppatch('/f.txt', update(
      '<d:set><d:prop><z:author>Zoë &amp; co</z:author><q:tags><q:tag>a</q:tag><q:tag>b</q:tag></q:tags></d:prop></d:set>',
      ' xmlns:z="urn:example:z" xmlns:q="http://example.com/q"'));
    expect(res.status).toBe(207);
    const xml = await res.text();
    expect(xml).toContain(`<d:href>${FILE}</d:href>`);
    expect(xml).toContain('<d:status>HTTP/1.1 200 OK</d:status>');
    const block = await deadProps('/f.txt', '{urn:example:z}author', '{http://example.com/q}tags');
    expect(block).toMatch(/<x:author xmlns:x="urn:example:z">Zoë &amp; co<\/x:author>/);
    // Nested XML keeps its namespace even though the client's prefix is gone.
    expect(block).toContain('<x:tags xmlns:x="http://example.com/q"><tag xmlns="http://example.com/q">a</tag><tag xmlns="http://example.com/q">b</tag></x:tags>');
  });

  it('RFC 4918 §9.2: a property in no namespace round-trips', async () => {
    await alice.proppatch('/f.txt', update('<d:set><d:prop><plain xmlns="">v</plain></d:prop></d:set>'));
    expect(await deadProps('/f.txt', '{}plain')).toContain('<plain xmlns="">v</plain>');
  });

  it('RFC 4918 §14.23: remove deletes a dead property (404 afterwards)', async () => {
    await alice.proppatch('/f.txt', update('<d:set><d:prop><z:gone>1</z:gone></d:prop></d:set>', ' xmlns:z="urn:z"'));
    const res = await alice.proppatch('/f.txt', update('<d:remove><d:prop><z:gone/></d:prop></d:remove>', ' xmlns:z="urn:z"'));
    expect(res.status).toBe(207);
    expect(await res.text()).toContain('HTTP/1.1 200 OK');
    const block = await deadProps('/f.txt', '{urn:z}gone');
    expect(block).toContain('HTTP/1.1 404 Not Found');
  });

  it('RFC 4918 §9.2: instructions apply in document order (set then remove leaves nothing)', async () => {
    await alice.proppatch('/f.txt', update(
      '<d:set><d:prop><z:order>1</z:order></d:prop></d:set><d:remove><d:prop><z:order/></d:prop></d:remove>', ' xmlns:z="urn:z"'));
    expect(await deadProps('/f.txt', '{urn:z}order')).toContain('HTTP/1.1 404 Not Found');
    await alice.proppatch('/f.txt', update(
      '<d:remove><d:prop><z:order/></d:prop></d:remove><d:set><d:prop><z:order>2</z:order></d:prop></d:set>', ' xmlns:z="urn:z"'));
    expect(await deadProps('/f.txt', '{urn:z}order')).toMatch(/>2<\/x:order>/);
  });

  it('RFC 4918 §9.2.1: a protected live property fails with 403, the rest with 424, and nothing is written', async () => {
    const res = await alice.proppatch('/f.txt', update(
      '<d:set><d:prop><z:color>blue</z:color><d:getcontentlength>1</d:getcontentlength></d:prop></d:set>', ' xmlns:z="urn:z"'));
    expect(res.status).toBe(207);
    const xml = await res.text();
    const [, forbidden, failed] = xml.split('<d:propstat>');
    expect(forbidden).toContain('<d:getcontentlength/>');
    expect(forbidden).toContain('HTTP/1.1 403 Forbidden');
    expect(failed).toContain('<x:color xmlns:x="urn:z"/>');
    expect(failed).toContain('HTTP/1.1 424 Failed Dependency');
    expect(await deadProps('/f.txt', '{urn:z}color')).toContain('HTTP/1.1 404 Not Found');
    const len = await deadProps('/f.txt', '{DAV:}getcontentlength');
    expect(len).toContain('<d:getcontentlength>7</d:getcontentlength>');
  });

  it('RFC 4918 §15: getetag, resourcetype and lockdiscovery are protected', async () => {
    for (const prop of ['<d:getetag>"x"</d:getetag>', '<d:resourcetype/>', '<d:lockdiscovery/>']) {
      const xml = await (await alice.proppatch('/f.txt', update(`<d:set><d:prop>${prop}</d:prop></d:set>`))).text();
      expect(xml, prop).toContain('HTTP/1.1 403 Forbidden');
    }
  });

  it('oc:favorite accepts only 0 or 1 (400 otherwise)', async () => {
    const res = await alice.proppatch('/f.txt', update(
      '<d:set><d:prop><oc:favorite>yes</oc:favorite></d:prop></d:set>', ' xmlns:oc="http://owncloud.org/ns"'));
    expect(res.status).toBe(400);
  });

  it('RFC 4918 §9.2: PROPPATCH on an unmapped URL → 404', async () => {
    expect((await alice.proppatch('/missing.txt', update('<d:set><d:prop><z:a xmlns:z="urn:z">1</z:a></d:prop></d:set>'))).status).toBe(404);
  });

  it('RFC 4918 §9.2: a body that is not a propertyupdate, or is malformed, → 400', async () => {
    for (const body of ['', '<d:propfind xmlns:d="DAV:"/>', '<d:propertyupdate xmlns:d="DAV:"><d:set>',
      update('<d:frobnicate><d:prop/></d:frobnicate>'), update('<d:set/>')]) {
      expect((await alice.proppatch('/f.txt', body)).status, body).toBe(400);
    }
  });

  it('RFC 4918 §9.2: properties of a collection can be patched too', async () => {
    await alice.mkcol('/dir');
    const res = await alice.proppatch('/dir/', update('<d:set><d:prop><z:k>v</z:k></d:prop></d:set>', ' xmlns:z="urn:z"'));
    expect(await res.text()).toContain('<d:href>/remote.php/dav/files/alice/dir/</d:href>');
    expect(await deadProps('/dir/', '{urn:z}k')).toMatch(/>v<\/x:k>/);
  });
});
