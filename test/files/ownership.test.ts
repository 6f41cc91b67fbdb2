import { beforeAll, describe, expect, it } from 'vitest';
import { blobKeys, davClient, fileRows, lockInfo, lockTokenOf, makeUser, propBody, responses, type DavClient } from '../helpers';

let alice: DavClient;
let bob: DavClient;
const BOB = 'http://localhost/remote.php/dav/files/bob';
const anon = (method: string, path: string, body: string | null = null) =>
  alice.request(method, `http://localhost/remote.php/dav/files/alice${path}`, { body, headers: { Authorization: '' } });

beforeAll(async () => {
  alice = await makeUser('alice');
  bob = await makeUser('bob');
  await bob.mkcol('/private');
  await bob.put('/private/secret.txt', 'bob only');
});

describe('authentication (nextcloud-api §2.1, §8d.9)', () => {
  it('no credentials → 401 with WWW-Authenticate Basic and a Sabre error body, for every method', async () => {
    for (const method of ['PROPFIND', 'GET', 'HEAD', 'PUT', 'MKCOL', 'DELETE', 'MOVE', 'COPY', 'PROPPATCH', 'LOCK', 'UNLOCK', 'OPTIONS']) {
      const res = await anon(method, '/');
      expect(res.status, method).toBe(401);
      expect(res.headers.get('WWW-Authenticate'), method).toMatch(/^Basic realm="[^"]+"/);
      if (method !== 'HEAD') expect(await res.text(), method).toContain('Sabre\\DAV\\Exception\\NotAuthenticated');
    }
  });

  it('an unauthenticated PUT writes nothing', async () => {
    const before = await fileRows('alice');
    expect((await anon('PUT', '/sneaky.txt', 'x')).status).toBe(401);
    expect(await fileRows('alice')).toEqual(before);
  });

  it('a wrong password or an unknown user → 401', async () => {
    expect((await davClient('alice', 'wrong password').propfind('/', null)).status).toBe(401);
    expect((await davClient('nobody', 'correct horse battery').request('PROPFIND', `${alice.base}/`)).status).toBe(401);
  });

  it('a malformed Authorization header → 401', async () => {
    for (const header of ['Basic', 'Basic !!!', `Bearer ${btoa('alice:correct horse battery')}`, `Basic ${btoa('no-colon')}`]) {
      const res = await alice.request('PROPFIND', '/', { headers: { Authorization: header, Depth: '0' } });
      expect(res.status, header).toBe(401);
    }
  });
});

describe('only the owner reaches /remote.php/dav/files/{user}/', () => {
  async function bobUntouched(op: () => Promise<Response>): Promise<Response> {
    const [rows, blobs] = [await fileRows('bob'), await blobKeys()];
    const res = await op();
    expect(await fileRows('bob')).toEqual(rows);
    expect(await blobKeys()).toEqual(blobs);
    return res;
  }

  const cases: [string, string, Record<string, string>, string | null][] = [
    ['OPTIONS', '/', {}, null],
    ['PROPFIND', '/', { Depth: '1' }, null],
    ['PROPFIND', '/private/secret.txt', { Depth: '0' }, null],
    ['GET', '/private/secret.txt', {}, null],
    ['HEAD', '/private/secret.txt', {}, null],
    ['PUT', '/private/secret.txt', {}, 'overwritten by alice'],
    ['PUT', '/new.txt', {}, 'planted by alice'],
    ['MKCOL', '/alice-was-here', {}, null],
    ['DELETE', '/private/', {}, null],
    ['DELETE', '/private/secret.txt', {}, null],
    ['MOVE', '/private/secret.txt', { Destination: `${BOB}/moved.txt` }, null],
    ['COPY', '/private/secret.txt', { Destination: `${BOB}/copied.txt` }, null],
    ['PROPPATCH', '/private/secret.txt', {}, '<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><z:x xmlns:z="urn:z">1</z:x></d:prop></d:set></d:propertyupdate>'],
    ['LOCK', '/private/secret.txt', {}, lockInfo()],
    ['UNLOCK', '/private/secret.txt', { 'Lock-Token': '<opaquelocktoken:x>' }, null],
    ['PROPFIND', '/does/not/exist', {}, null],
    ['PURGE', '/', {}, null], // a method the server does not implement: still no way in
  ];

  for (const [method, path, headers, body] of cases) {
    it(`${method} ${path} in another user's tree → 403 and nothing changes`, async () => {
      const res = await bobUntouched(() => alice.request(method, BOB + path, { headers, body }));
      expect(res.status).toBe(403);
      if (method !== 'HEAD') {
        const text = await res.text();
        expect(text).toContain('Sabre\\DAV\\Exception\\Forbidden');
        expect(text).not.toContain('bob only');
      }
    });
  }

  it('a user that does not exist, or another spelling of one, is refused the same way', async () => {
    for (const url of ['http://localhost/remote.php/dav/files/nobody/', 'http://localhost/remote.php/dav/files/BOB/', 'http://localhost/remote.php/dav/files/bob']) {
      expect((await alice.request('PROPFIND', url, { headers: { Depth: '0' } })).status, url).toBe(403);
    }
  });

  it('bob\'s file is still exactly his after all of that', async () => {
    expect(await (await bob.get('/private/secret.txt')).text()).toBe('bob only');
  });

  it('a lock bob holds cannot be lifted or used by alice through her own tree', async () => {
    const token = lockTokenOf(await bob.lock('/private/secret.txt', lockInfo()));
    expect((await alice.request('UNLOCK', `${BOB}/private/secret.txt`, { headers: { 'Lock-Token': `<${token}>` } })).status).toBe(403);
    expect((await bob.put('/private/secret.txt', 'still locked')).status).toBe(423);
  });
});

describe('legacy /remote.php/webdav/ (nextcloud-api §3)', () => {
  const webdav = (client: DavClient, method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}) =>
    client.request(method, `http://localhost/remote.php/webdav${path}`, init);

  it('maps to the caller\'s own tree: a file put there appears under /remote.php/dav/files/{user}/', async () => {
    expect((await webdav(alice, 'PUT', '/legacy.txt', { body: 'via webdav' })).status).toBe(201);
    expect(await (await alice.get('/legacy.txt')).text()).toBe('via webdav');
    expect((await webdav(bob, 'GET', '/legacy.txt')).status).toBe(404);
    expect(await (await webdav(bob, 'GET', '/private/secret.txt')).text()).toBe('bob only');
  });

  it('lists with hrefs under the legacy prefix', async () => {
    const res = await webdav(alice, 'PROPFIND', '/', { body: propBody('{DAV:}getetag'), headers: { Depth: '1' } });
    const hrefs = [...responses(await res.text()).keys()];
    expect(hrefs[0]).toBe('/remote.php/webdav/');
    expect(hrefs).toContain('/remote.php/webdav/legacy.txt');
  });

  it('also answers with /index.php in front and without a trailing slash', async () => {
    expect((await alice.request('PROPFIND', 'http://localhost/index.php/remote.php/webdav/legacy.txt', { headers: { Depth: '0' } })).status).toBe(207);
    expect((await alice.request('PROPFIND', 'http://localhost/remote.php/webdav', { headers: { Depth: '0' } })).status).toBe(207);
  });

  it('requires authentication too', async () => {
    expect((await webdav(alice, 'PROPFIND', '/', { headers: { Authorization: '' } })).status).toBe(401);
  });
});
