/**
 * The web app's fast multistatus reader (web/src/multistatus-scan.ts) on real answers of the
 * Worker: it must read Cumulus's own serialization exactly (tricky names, entities, 404 propstats,
 * nested resourcetype) and give up (null, so the browser uses DOMParser) on any other form.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { scanMultistatus } from '../../web/src/multistatus-scan';
import { makeUser, propBody, type DavClient } from '../helpers';

let alice: DavClient;
const TRICKY = 'a&b <c> "q" \'x\' ü +%#.txt';
beforeAll(async () => {
  alice = await makeUser('alice');
  await alice.mkcol('/dir');
  await alice.mkcol('/dir/sub folder');
  await alice.put(`/dir/${encodeURIComponent(TRICKY)}`, 'hello');
  await alice.put('/dir/plain.txt', '12345678');
});

const LISTING = propBody('{DAV:}resourcetype', '{DAV:}getcontentlength', '{DAV:}getetag', '{http://owncloud.org/ns}fileid', '{http://owncloud.org/ns}favorite');

describe('scanMultistatus', () => {
  it('reads a Depth 1 listing: hrefs, 200 properties only, collections, decoded entities', async () => {
    const res = await alice.propfind('/dir/', LISTING, '1');
    expect(res.status).toBe(207);
    const scanned = scanMultistatus(await res.text());
    expect(scanned).not.toBeNull();
    const byName = new Map(scanned!.map((r) => [decodeURIComponent(r.href.replace(/\/$/, '').split('/').pop()!), r]));
    expect([...byName.keys()].sort()).toEqual(['dir', 'plain.txt', 'sub folder', TRICKY].sort());
    const plain = byName.get('plain.txt')!.props;
    expect(plain.get('{DAV:}getcontentlength')?.text).toBe('8');
    expect(plain.get('{DAV:}getetag')?.text).toMatch(/^"[^"]+"$/); // &quot; decoded
    expect(plain.get('{DAV:}resourcetype')?.children).toEqual([]);
    expect(plain.get('{http://owncloud.org/ns}favorite')?.text).toBe('0');
    expect(Number(plain.get('{http://owncloud.org/ns}fileid')?.text)).toBeGreaterThan(0);
    const folder = byName.get('sub folder')!.props;
    expect(folder.get('{DAV:}resourcetype')?.children).toEqual(['{DAV:}collection']);
    // A folder has no getcontentlength: it is in the 404 propstat, which is not returned.
    expect(folder.has('{DAV:}getcontentlength')).toBe(false);
    expect(byName.get(TRICKY)!.props.get('{DAV:}getcontentlength')?.text).toBe('5');
  });

  it('decodes entities in property text, as textContent does', async () => {
    const set = '<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:z="urn:z"><d:set><d:prop><z:note>1 &lt; 2 &amp; &#x263A; &#65;</z:note></d:prop></d:set></d:propertyupdate>';
    expect((await alice.request('PROPPATCH', '/dir/plain.txt', { body: set })).status).toBe(207);
    // A property of a namespace without a root prefix is declared inline: not the simple form.
    const res = await alice.propfind('/dir/plain.txt', propBody('{urn:z}note'), '0');
    expect(scanMultistatus(await res.text())).toBeNull();
    const own = '<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:z="urn:z"><d:response><d:href>/x</d:href><d:propstat><d:prop><z:note>1 &lt; 2 &amp; &#x263A; &#65;</z:note></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>';
    expect(scanMultistatus(own)?.[0]?.props.get('{urn:z}note')?.text).toBe('1 < 2 & \u263A A');
  });

  it('gives up on forms it does not read (the browser then uses DOMParser)', () => {
    const wrap = (inner: string, root = '<d:multistatus xmlns:d="DAV:">') => `<?xml version="1.0"?>${root}${inner}</d:multistatus>`;
    const ok = '<d:response><d:href>/a</d:href><d:propstat><d:prop><d:getetag>e</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>';
    expect(scanMultistatus(wrap(ok))).toEqual([{ href: '/a', props: new Map([['{DAV:}getetag', { text: 'e', children: [] }]]) }]);
    expect(scanMultistatus(wrap(ok.replace('<d:getetag>e', '<d:getetag><![CDATA[e]]>')))).toBeNull();
    expect(scanMultistatus(wrap(ok.replace('<d:href>', '<!-- c --><d:href>')))).toBeNull();
    expect(scanMultistatus(wrap(ok.replace('<d:getetag>', '<d:getetag xmlns:d="urn:other">')))).toBeNull();
    expect(scanMultistatus(wrap(ok, '<D:multistatus xmlns:D="DAV:">'))).toBeNull(); // d: undeclared
    expect(scanMultistatus(wrap(ok).replace('</d:getetag>', '</d:getlastmodified>'))).toBeNull();
    expect(scanMultistatus(wrap(ok.replace('>e<', '>&#x110000;<')))).toBeNull();
    expect(scanMultistatus(wrap(ok, '<d:other xmlns:d="DAV:">'))).toBeNull();
    expect(scanMultistatus('<html>not xml')).toBeNull();
    // The default namespace instead of prefixes is a valid form the scan leaves to DOMParser.
    expect(scanMultistatus('<multistatus xmlns="DAV:"><response><href>/a</href></response></multistatus>')).toBeNull();
    // A 404-only response is left out, as okResponses has always done.
    expect(scanMultistatus(wrap(ok.replace('200 OK', '404 Not Found')))).toEqual([]);
  });
});
