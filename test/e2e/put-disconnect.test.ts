/**
 * A client that drops the connection in the middle of a PUT must leave no trace (ARCHITECTURE.md,
 * data principle 1): the previous content stays readable and unchanged (same bytes, same ETag),
 * and no stray or partial file appears in the folder.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { davClient } from '../support/dav.mjs';
import { prngBytes, prngStream } from '../support/prng.mjs';
import { startServer, strongPassword } from '../support/server.mjs';

const TOTAL = 50 * 1024 * 1024;
const SENT = TOTAL / 2;

let server: Awaited<ReturnType<typeof startServer>>;
let user: { user: string; password: string };
let dav: ReturnType<typeof davClient>;

beforeAll(async () => {
  server = await startServer({ name: 'put-disconnect' });
  user = await server.createUser('disconnect', strongPassword());
  dav = davClient(server.davUrl(user.user), user.user, user.password);
});

afterAll(async () => {
  dav?.close();
  await server?.stop();
});

/**
 * Sends the headers of a PUT with Content-Length TOTAL and SENT bytes of body over a raw socket,
 * waits until the kernel took them, then destroys the socket.
 */
async function abortedPut(name: string) {
  const url = new URL(server.davUrl(user.user));
  const target = `${url.pathname}${encodeURIComponent(name)}`;
  const auth = Buffer.from(`${user.user}:${user.password}`).toString('base64');
  const socket = net.connect({ host: url.hostname, port: Number(url.port) });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let response = '';
  socket.on('data', (d) => (response += d.toString('latin1')));
  socket.on('error', () => {}); // the server may reset us; that is fine
  socket.write(
    `PUT ${target} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Basic ${auth}\r\n` +
      `Content-Type: application/octet-stream\r\nContent-Length: ${TOTAL}\r\n\r\n`,
  );
  for await (const chunk of prngStream(`disconnect:${name}`, SENT)) {
    if (!socket.write(chunk)) await new Promise((r) => socket.once('drain', r));
  }
  await new Promise<void>((r) => socket.write('', () => r()));
  await new Promise((r) => setTimeout(r, 500));
  socket.destroy();
  // The server must not have answered success to a body it never fully received.
  expect(response).not.toMatch(/^HTTP\/1\.1 20\d/);
}

async function listing() {
  const entries = await dav.propfind('', 1);
  return entries.map((e: { href: string; props: Record<string, unknown> }) => ({
    href: e.href,
    etag: e.props['{DAV:}getetag'],
    length: e.props['{DAV:}getcontentlength'],
  }));
}

/** Checks now and again after the server had time to finish any late work on the aborted request. */
async function eventually(check: () => Promise<void>) {
  await new Promise((r) => setTimeout(r, 1000));
  await check();
  await new Promise((r) => setTimeout(r, 4000));
  await check();
}

describe('PUT interrupted by a client disconnect', () => {
  it('overwrite: the previous content, size and ETag stay intact; nothing else appears', async () => {
    const before = prngBytes('disconnect:before', 1024 * 1024);
    await dav.put('victim.bin', before);
    expect((await dav.get('victim.bin')).equals(before)).toBe(true);
    const listed = await listing();
    const children = listed.filter((e) => !e.href.endsWith(`/${user.user}/`));
    const victim = children.find((e) => e.href.endsWith('/victim.bin'));
    expect(victim?.length).toBe(String(before.length));

    await abortedPut('victim.bin');

    await eventually(async () => {
      expect((await dav.get('victim.bin')).equals(before)).toBe(true);
      const now = (await listing()).filter((e) => !e.href.endsWith(`/${user.user}/`));
      expect(now).toEqual(children);
    });
  });

  it('new file: no file, partial or temporary, appears', async () => {
    const children = (await listing()).filter((e) => !e.href.endsWith(`/${user.user}/`)).map((e) => e.href);
    await abortedPut('never-finished.bin');
    await eventually(async () => {
      const now = (await listing()).filter((e) => !e.href.endsWith(`/${user.user}/`)).map((e) => e.href);
      expect(now).toEqual(children);
      const res = await dav.request('GET', 'never-finished.bin');
      expect(res.status).toBe(404);
    });
  });

  it('the server still accepts a complete PUT of the same name afterwards', async () => {
    const after = prngBytes('disconnect:after', 256 * 1024);
    await dav.put('victim.bin', after);
    expect((await dav.get('victim.bin')).equals(after)).toBe(true);
  });
});
