/**
 * A request refused before its body is read (quota 507, another user's tree 403, no credentials
 * 401) must still reach the client as that status, not as a reset connection: clients such as the
 * desktop client react to the status (507 stops the sync of that file, 401 asks for a login), and
 * a reset looks like a network fault they retry forever.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { davClient } from '../support/dav.mjs';
import { prngStream } from '../support/prng.mjs';
import { startServer, strongPassword } from '../support/server.mjs';

const BODY = 24 * 1024 * 1024;

let server: Awaited<ReturnType<typeof startServer>>;
let small: { user: string; password: string };
let other: { user: string; password: string };

beforeAll(async () => {
  server = await startServer({ name: 'early-refusal' });
  small = await server.createUser('small', strongPassword(), { quota: '1 MB' });
  other = await server.createUser('other', strongPassword());
});

afterAll(async () => {
  await server?.stop();
});

async function bigPut(url: string, auth: { user: string; password: string } | null) {
  const headers: Record<string, string> = {};
  if (auth) headers.Authorization = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
  const dav = davClient(url.replace(/[^/]*$/, ''), auth?.user ?? 'x', auth?.password ?? 'x');
  try {
    const name = url.split('/').pop()!;
    const res = await dav.request('PUT', decodeURIComponent(name), { body: prngStream(`early:${url}`, BODY), length: BODY, headers: auth ? {} : { Authorization: '' } });
    return res.status;
  } finally {
    dav.close();
  }
}

describe('refusals before the body is read still answer with their status', () => {
  it('over quota → 507, every time', async () => {
    for (let i = 0; i < 4; i++) expect(await bigPut(`${server.davUrl(small.user)}big-${i}.bin`, small)).toBe(507);
  });

  it("another user's tree → 403, every time", async () => {
    for (let i = 0; i < 4; i++) expect(await bigPut(`${server.davUrl(small.user)}x-${i}.bin`, other)).toBe(403);
  });

  it('no credentials → 401, every time', async () => {
    for (let i = 0; i < 4; i++) expect(await bigPut(`${server.davUrl(other.user)}y-${i}.bin`, null)).toBe(401);
  });
});
