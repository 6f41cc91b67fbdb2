import { beforeAll, describe, expect, it } from 'vitest';
import { unzipSync, strFromU8 } from 'fflate';
import { digestHex, makeUser, patternBytes, type DavClient } from '../helpers';

// GET of a folder with Accept: application/zip (Nextcloud 30's folder download), streamed.

let zoe: DavClient;
let other: DavClient;
const ZIP = { Accept: 'application/zip' };
const big = patternBytes(3 * 1024 * 1024 + 17, 7); // crosses no segment boundary, but many stream chunks

async function unzip(res: Response): Promise<Record<string, Uint8Array>> {
  expect(res.status).toBe(200);
  expect(res.headers.get('Content-Type')).toBe('application/zip');
  const bytes = new Uint8Array(await res.arrayBuffer());
  expect(Number(res.headers.get('Content-Length'))).toBe(bytes.byteLength); // predicted exactly
  return unzipSync(bytes);
}

beforeAll(async () => {
  zoe = await makeUser('zoe');
  other = await makeUser('zipother');
  await zoe.mkcol('/Photos');
  await zoe.mkcol('/Photos/2026 trip');
  await zoe.mkcol('/Photos/empty');
  await zoe.put('/Photos/cover.txt', 'cover');
  await zoe.put('/Photos/2026 trip/Zürich é.txt', 'grüezi');
  await zoe.put('/Photos/2026 trip/big.bin', big);
  await zoe.put('/top.txt', 'top');
});

describe('folder download as ZIP', () => {
  it('a whole folder unpacks into a folder of its name: every file byte for byte, empty folders kept, Unicode names', async () => {
    const res = await zoe.get('/Photos/', ZIP);
    expect(res.headers.get('Content-Disposition')).toContain("filename*=UTF-8''Photos.zip");
    const entries = await unzip(res);
    expect(Object.keys(entries).sort()).toEqual([
      'Photos/2026 trip/', 'Photos/2026 trip/Zürich é.txt', 'Photos/2026 trip/big.bin', 'Photos/cover.txt', 'Photos/empty/',
    ]);
    expect(strFromU8(entries['Photos/2026 trip/Zürich é.txt'])).toBe('grüezi');
    // Compared by digest: a deep equality of 3 MiB is slow in the test runner.
    expect(await digestHex('SHA-256', entries['Photos/2026 trip/big.bin'])).toBe(await digestHex('SHA-256', big));
  });

  it('?files=[…] narrows to some entries of the folder (the web app\'s bulk download); the home works too', async () => {
    const res = await zoe.get(`/Photos/?files=${encodeURIComponent(JSON.stringify(['cover.txt', '2026 trip']))}`, ZIP);
    const entries = await unzip(res);
    expect(Object.keys(entries).sort()).toEqual(['2026 trip/', '2026 trip/Zürich é.txt', '2026 trip/big.bin', 'cover.txt']);
    // ?accept=zip is the same request from a plain link (no header).
    const home = await unzip(await zoe.get(`/?accept=zip&files=${encodeURIComponent('["top.txt"]')}`));
    expect(Object.keys(home)).toEqual(['top.txt']);
    expect(strFromU8(home['top.txt'])).toBe('top');
  });

  it('HEAD tells the length without a body; without Accept: application/zip a folder GET stays the plain page', async () => {
    const head = await zoe.head('/Photos/', ZIP);
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('Content-Length'))).toBeGreaterThan(big.byteLength);
    const plain = await zoe.get('/Photos/');
    expect(plain.headers.get('Content-Type')).toContain('text/html');
  });

  it('refusals: bad or foreign names 400/404, another user\'s folder 403, anonymous 401', async () => {
    expect((await zoe.get('/Photos/?files=not-json', ZIP)).status).toBe(400);
    expect((await zoe.get(`/Photos/?files=${encodeURIComponent('["../top.txt"]')}`, ZIP)).status).toBe(400);
    expect((await zoe.get(`/Photos/?files=${encodeURIComponent('[]')}`, ZIP)).status).toBe(400);
    expect((await zoe.get(`/Photos/?files=${encodeURIComponent('["nothere.txt"]')}`, ZIP)).status).toBe(404);
    expect((await other.get('http://localhost/remote.php/dav/files/zoe/Photos/', ZIP)).status).toBe(403);
    const anon = await zoe.request('GET', '/Photos/', { headers: { ...ZIP, Authorization: '' } });
    expect(anon.status).toBe(401);
  });
});
