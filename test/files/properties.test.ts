import { beforeAll, describe, expect, it } from 'vitest';
import { digestHex, makeUser, propsOf, propValue, type DavClient } from '../helpers';

const OC = (l: string) => `{http://owncloud.org/ns}${l}`;
const NC = (l: string) => `{http://nextcloud.org/ns}${l}`;
const D = (l: string) => `{DAV:}${l}`;

let alice: DavClient;
let carol: DavClient;
beforeAll(async () => {
  alice = await makeUser('alice');
  carol = await makeUser('carol', 'correct horse battery', { quota: 10_000 });
  await alice.mkcol('/docs');
  await alice.mkcol('/docs/inner');
  await alice.put('/docs/report.pdf', 'x'.repeat(100));
  await alice.put('/docs/inner/notes.md', 'y'.repeat(20), { 'X-OC-Mtime': '1700000000' });
});

async function one(client: DavClient, path: string, ...names: string[]): Promise<string> {
  const all = await propsOf(client, path, names);
  expect(all.size).toBe(1);
  return [...all.values()][0];
}

describe('Nextcloud file properties (nextcloud-api §3.3)', () => {
  it('oc:fileid is numeric and oc:id is the fileid padded to 8 digits plus the instance id', async () => {
    const block = await one(alice, '/docs/report.pdf', OC('fileid'), OC('id'));
    const fileid = propValue(block, 'oc:fileid')!;
    expect(fileid).toMatch(/^\d+$/);
    expect(propValue(block, 'oc:id')).toBe(fileid.padStart(8, '0') + 'occumulus');
  });

  it('oc:id is globally unique: every file and folder has its own', async () => {
    const all = await propsOf(alice, '/docs', [OC('id')], '1');
    const ids = [...all.values()].map((b) => propValue(b, 'oc:id'));
    expect(new Set(ids).size).toBe(all.size);
  });

  it('§3.4: own files have permissions RGDNVW, own folders RGDNVCK', async () => {
    expect(propValue(await one(alice, '/docs/report.pdf', OC('permissions')), 'oc:permissions')).toBe('RGDNVW');
    expect(propValue(await one(alice, '/docs/', OC('permissions')), 'oc:permissions')).toBe('RGDNVCK');
    expect(propValue(await one(alice, '/', OC('permissions')), 'oc:permissions')).toBe('RGDNVCK');
  });

  it('oc:size is the byte length of a file and the recursive size of a folder', async () => {
    expect(propValue(await one(alice, '/docs/report.pdf', OC('size')), 'oc:size')).toBe('100');
    expect(propValue(await one(alice, '/docs/inner/', OC('size')), 'oc:size')).toBe('20');
    expect(propValue(await one(alice, '/docs/', OC('size')), 'oc:size')).toBe('120');
    expect(propValue(await one(alice, '/', OC('size')), 'oc:size')).toBe('120');
  });

  it('oc:checksums holds the SHA1 of the content (the desktop verifies it)', async () => {
    const block = await one(alice, '/docs/report.pdf', OC('checksums'));
    const sha1 = await digestHex('SHA-1', 'x'.repeat(100));
    expect(propValue(block, 'oc:checksums')).toMatch(new RegExp(`^<oc:checksum>(?:.* )?SHA1:${sha1}(?: .*)?</oc:checksum>$`));
  });

  it('oc:owner-id and oc:owner-display-name name the owner', async () => {
    const block = await one(alice, '/docs/report.pdf', OC('owner-id'), OC('owner-display-name'));
    expect(propValue(block, 'oc:owner-id')).toBe('alice');
    expect(propValue(block, 'oc:owner-display-name')).toBe('ALICE');
  });

  it('§8d.14: oc:data-fingerprint is present and empty; oc:share-types is empty; nc:has-preview is false', async () => {
    const block = await one(alice, '/', OC('data-fingerprint'), OC('share-types'), NC('has-preview'));
    expect(propValue(block, 'oc:data-fingerprint')).toBe('');
    expect(propValue(block, 'oc:share-types')).toBe('');
    expect(propValue(block, 'nc:has-preview')).toBe('false');
  });

  it('oc:favorite is 0 until set by PROPPATCH, then 1, then 0 again', async () => {
    expect(propValue(await one(alice, '/docs/report.pdf', OC('favorite')), 'oc:favorite')).toBe('0');
    const patch = (v: string) => alice.proppatch('/docs/report.pdf',
      `<d:propertyupdate xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:set><d:prop><oc:favorite>${v}</oc:favorite></d:prop></d:set></d:propertyupdate>`);
    expect((await patch('1')).status).toBe(207);
    expect(propValue(await one(alice, '/docs/report.pdf', OC('favorite')), 'oc:favorite')).toBe('1');
    await patch('0');
    expect(propValue(await one(alice, '/docs/report.pdf', OC('favorite')), 'oc:favorite')).toBe('0');
  });

  it('oc:downloadURL and oc:dDC are not offered (404): the desktop would fetch that URL instead', async () => {
    const block = await one(alice, '/docs/report.pdf', OC('downloadURL'), OC('dDC'));
    expect(propValue(block, 'oc:downloadURL')).toBeUndefined();
    expect(block).toContain('HTTP/1.1 404 Not Found');
  });

  it('getcontenttype is derived from the extension; folders have none', async () => {
    expect(propValue(await one(alice, '/docs/report.pdf', D('getcontenttype')), 'd:getcontenttype')).toBe('application/pdf');
    expect(propValue(await one(alice, '/docs/inner/notes.md', D('getcontenttype')), 'd:getcontenttype')).toBe('text/markdown');
    await alice.put('/docs/blob', 'z', { 'Content-Type': 'text/html' });
    expect(propValue(await one(alice, '/docs/blob', D('getcontenttype')), 'd:getcontenttype')).toBe('application/octet-stream');
  });

  it('§8d.12: getlastmodified reflects X-OC-Mtime', async () => {
    const block = await one(alice, '/docs/inner/notes.md', D('getlastmodified'));
    expect(propValue(block, 'd:getlastmodified')).toBe(new Date(1_700_000_000_000).toUTCString());
  });
});

describe('RFC 4331 quota properties', () => {
  it('unlimited quota: quota-available-bytes is -3 and quota-used-bytes is what the tree holds', async () => {
    const block = await one(alice, '/', D('quota-available-bytes'), D('quota-used-bytes'));
    expect(propValue(block, 'd:quota-available-bytes')).toBe('-3');
    expect(propValue(block, 'd:quota-used-bytes')).toBe(String(120 + 1));
  });

  it('a quota: available is the quota minus what is used', async () => {
    await carol.put('/a.bin', 'q'.repeat(2500));
    const block = await one(carol, '/', D('quota-available-bytes'), D('quota-used-bytes'));
    expect(propValue(block, 'd:quota-used-bytes')).toBe('2500');
    expect(propValue(block, 'd:quota-available-bytes')).toBe('7500');
  });

  it('on a sub-folder quota-used-bytes is the folder size; files have no quota-available-bytes', async () => {
    const folder = await one(alice, '/docs/inner/', D('quota-used-bytes'));
    expect(propValue(folder, 'd:quota-used-bytes')).toBe('20');
    const file = await one(alice, '/docs/report.pdf', D('quota-available-bytes'));
    expect(propValue(file, 'd:quota-available-bytes')).toBeUndefined();
  });
});
