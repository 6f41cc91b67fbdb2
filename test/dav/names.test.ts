import { beforeAll, describe, expect, it } from 'vitest';
import { decodeRelativePath } from '../../worker/dav/paths';
import { fileRows, makeUser, propBody, type DavClient } from '../helpers';

let alice: DavClient;
const BASE = '/remote.php/dav/files/alice';
const enc = (name: string) => encodeURIComponent(name);
const rawHrefs = async (path: string) =>
  [...(await (await alice.propfind(path, propBody('{DAV:}getetag'), '1')).text()).matchAll(/<d:href>([^<]*)<\/d:href>/g)].map((m) => m[1]);

beforeAll(async () => {
  alice = await makeUser('alice');
  await alice.mkcol('/n');
});

describe('names that must round-trip', () => {
  const NAMES = [
    'with space.txt', 'hash#tag.txt', 'per%cent.txt', 'what?.txt', 'plus+sign.txt', 'and&amp.txt', "it's.txt", 'say "hi".txt',
    'semi;colon=eq@at.txt', 'brackets[1](2){3}.txt', 'tilde~bang!star*.txt', 'Ünïcödé 日本語 🎉.txt', '.hidden', '...', 'é',
  ];

  for (const name of NAMES) {
    it(`nextcloud-api §8d.2: "${name}" round-trips: PUT, listed under a percent-encoded href, GET through that href`, async () => {
      expect((await alice.put(`/n/${enc(name)}`, name)).status).toBe(201);
      const href = (await rawHrefs('/n/')).find((h) => decodeURIComponent(h) === `${BASE}/n/${name}`);
      expect(href, `no href decodes to ${name}`).toBeDefined();
      // Only unreserved characters, slashes and %XX escapes: safe for every client to split on.
      expect(href).toMatch(/^[A-Za-z0-9\-._~/%]+$/);
      const res = await alice.get(`http://localhost${href}`);
      expect(await res.text()).toBe(name);
    });
  }

  it('Content-Disposition carries a non-ASCII name as RFC 5987 UTF-8', async () => {
    const res = await alice.get(`/n/${enc('Ünïcödé 日本語 🎉.txt')}`);
    expect(res.headers.get('Content-Disposition')).toContain(`filename*=UTF-8''${enc('Ünïcödé 日本語 🎉.txt')}`);
  });

  it('nextcloud-api §8d.20: NFD and NFC spellings address the same file (stored NFC, one entry)', async () => {
    const nfc = 'Café.txt'.normalize('NFC');
    const nfd = 'Café.txt'.normalize('NFD');
    expect(nfc).not.toBe(nfd);
    expect((await alice.put(`/n/${enc(nfd)}`, 'from a Mac')).status).toBe(201);
    expect(await (await alice.get(`/n/${enc(nfc)}`)).text()).toBe('from a Mac');
    expect((await alice.put(`/n/${enc(nfc)}`, 'from Linux')).status).toBe(204);
    const matching = (await rawHrefs('/n/')).filter((h) => decodeURIComponent(h).normalize('NFC').endsWith('/Café.txt'));
    expect(matching).toEqual([`${BASE}/n/${enc(nfc)}`]);
  });

  it('names are case-sensitive: A.txt and a.txt are two files', async () => {
    await alice.put('/n/A.txt', 'upper');
    await alice.put('/n/a.txt', 'lower');
    expect(await (await alice.get('/n/A.txt')).text()).toBe('upper');
    expect(await (await alice.get('/n/a.txt')).text()).toBe('lower');
  });

  it('a name of exactly 255 UTF-8 bytes is accepted', async () => {
    expect((await alice.put(`/n/${'x'.repeat(251)}.txt`, 'ok')).status).toBe(201);
  });
});

describe('names that are refused (400, nothing written)', () => {
  const BAD: [string, string][] = [
    ['an encoded slash', 'a%2Fb'], ['an encoded slash (lower case)', 'a%2fb'], ['a backslash', 'a%5Cb'],
    ['NUL', 'a%00b'], ['a control character', 'a%01b'], ['a newline', 'a%0Ab'], ['DEL', 'a%7Fb'],
    ['an over-long name (256 bytes)', 'x'.repeat(256)], ['an over-long name in multi-byte characters', enc('日'.repeat(86))],
    ['malformed percent-encoding', 'a%zzb'], ['a truncated UTF-8 sequence', 'a%E0%A4b'], ['bytes that are not UTF-8', 'a%FFb'], ['a blank name', '%20%20'],
  ];

  for (const [what, raw] of BAD) {
    it(`${what} → 400 for PUT, MKCOL, PROPFIND and as a MOVE Destination`, async () => {
      const before = await fileRows('alice');
      const put = await alice.put(`/n/${raw}`, 'x');
      expect(put.status).toBe(400);
      expect(await put.text()).toContain('<d:error');
      expect((await alice.mkcol(`/n/${raw}`)).status).toBe(400);
      expect((await alice.propfind(`/n/${raw}`, null)).status).toBe(400);
      expect((await alice.request('MOVE', '/n/a.txt', { headers: { Destination: `${BASE}/n/${raw}` } })).status).toBe(400);
      expect(await fileRows('alice')).toEqual(before);
    });
  }

  it('a dot-dot segment in a URL is resolved by URL parsing and can never leave the user\'s tree', async () => {
    for (const path of ['/n/../../bob/x', '/n/%2e%2e/%2E%2E/%2e%2e/bob/', '/../../../etc/passwd']) {
      const res = await alice.request('PROPFIND', `${alice.base}${path}`, { headers: { Depth: '0' } });
      expect([403, 404], path).toContain(res.status);
    }
  });

  it('defence in depth: the path decoder itself refuses . and .. segments', () => {
    for (const raw of ['a/../b', '..', '.', 'a/./b', '%2e%2e', 'a/%2E']) {
      expect(() => decodeRelativePath(raw), raw).toThrow(/not allowed/);
    }
    expect(decodeRelativePath('a//b/')).toBe('a/b');
    expect(decodeRelativePath('%E2%80%A6/...')).toBe('…/...');
  });
});
