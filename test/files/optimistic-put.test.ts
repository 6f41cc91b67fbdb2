import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { and, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { beforeAll, describe, expect, it } from 'vitest';
import { files, fileVersions } from '../../schema';
import { loginFailures } from '../../schema/accounts';
import { createAppPassword, revokeAppPassword } from '../../worker/accounts/app-passwords';
import { createUser, setUserEnabled, updateUser } from '../../worker/accounts/users';
import worker from '../../worker/index';
import { lockInfo } from '../helpers';

/**
 * files/optimistic-put.ts: a PUT by a client whose login this isolate verified moments ago makes
 * one D1 round trip; any check its batch makes that fails leaves nothing behind and the normal
 * path answers as it always does.
 */

/** Counts D1 round trips (a batch, or one statement run alone) made through this binding. */
function countingD1(db: D1Database, counter: { trips: number }): D1Database {
  const wrap = (s: D1PreparedStatement): D1PreparedStatement => new Proxy(s, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (key === 'bind') return (...args: unknown[]) => wrap(target.bind(...args));
      if (key === 'run' || key === 'all' || key === 'raw' || key === 'first') {
        return (...args: unknown[]) => { counter.trips++; return (value as (...a: unknown[]) => unknown).apply(target, args); };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return new Proxy(db, {
    get(target, key) {
      if (key === 'prepare') return (query: string) => wrap(target.prepare(query));
      if (key === 'batch') return (statements: D1PreparedStatement[]) => { counter.trips++; return target.batch(statements); };
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Blobs in the bucket now (content keys are never reused, so a difference is a stray or a new blob). */
async function blobCount(): Promise<number> {
  let n = 0;
  let cursor: string | undefined;
  do {
    const page = await env.FILES.list({ prefix: 'blobs/', cursor });
    n += page.objects.length;
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return n;
}

function client(user: string, password: string) {
  const auth = 'Basic ' + btoa(`${user}:${password}`);
  return async (method: string, path: string, init: { body?: string; headers?: Record<string, string>; as?: string; legacy?: boolean } = {}) => {
    const counter = { trips: 0 };
    const ctx = createExecutionContext();
    const body = init.body ?? null;
    const base = init.legacy ? 'http://localhost/remote.php/webdav' : `http://localhost/remote.php/dav/files/${init.as ?? user}`;
    const request = new Request(`${base}${path}`, {
      method, body, headers: { Authorization: auth, ...(body !== null ? { 'Content-Length': String(new TextEncoder().encode(body).length) } : {}), ...init.headers },
    });
    const res = await worker.fetch(request as Request<unknown, IncomingRequestCfProperties>, { ...env, DB: countingD1(env.DB, counter) }, ctx);
    await waitOnExecutionContext(ctx);
    return { res, trips: counter.trips, text: await res.text() };
  };
}

const rowAt = (owner: string, path: string) =>
  drizzle(env.DB).select().from(files).where(and(eq(files.owner, owner), eq(files.path, path))).get();

/** `put` is answered `status`, and leaves the row at `owner`/`path` as it was and no new blob. */
async function expectRefusedLeavingNothing(put: () => Promise<{ res: Response }>, status: number, owner: string, path: string) {
  const [rowBefore, blobs] = [await rowAt(owner, path), await blobCount()];
  expect((await put()).res.status).toBe(status);
  expect(await rowAt(owner, path)).toEqual(rowBefore);
  expect(await blobCount()).toBe(blobs);
}

describe('PUT in one D1 round trip (optimistic-put.ts)', () => {
  const PASSWORD = 'correct horse battery';

  beforeAll(async () => {
    for (const id of ['opt-ann', 'opt-ben', 'opt-cat', 'opt-dan', 'opt-eve', 'opt-fay', 'opt-gus', 'opt-hal']) await createUser(env, { id, password: PASSWORD, displayName: id });
    await createUser(env, { id: 'opt-quo', password: PASSWORD, displayName: 'quo', quota: 10_000 });
  });

  it('writes a new file and then overwrites it, one round trip each, as the normal path does', async () => {
    const ann = client('opt-ann', PASSWORD);
    expect((await ann('MKCOL', '/d')).res.status).toBe(201); // verifies the password: the login is now cached
    const folderBefore = (await rowAt('opt-ann', 'd'))!;
    const homeBefore = (await rowAt('opt-ann', ''))!;

    const created = await ann('PUT', '/d/new.txt', { body: 'hello', headers: { 'X-OC-Mtime': '1700000000', 'OC-Checksum': 'SHA1:aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d' } });
    expect(created.res.status).toBe(201);
    expect(created.trips).toBe(1);
    const row = (await rowAt('opt-ann', 'd/new.txt'))!;
    expect(created.res.headers.get('ETag')).toBe(`"${row.etag}"`);
    expect(created.res.headers.get('OC-ETag')).toBe(`"${row.etag}"`);
    expect(created.res.headers.get('OC-FileId')).toMatch(new RegExp(`^0*${row.fileid}oc`));
    expect(created.res.headers.get('X-OC-MTime')).toBe('accepted');
    expect(row).toMatchObject({ size: 5, mtime: 1700000000, parentId: folderBefore.fileid, isDir: false, contentType: 'text/plain' });
    expect(row.checksums).toBe('SHA1:aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d');
    // Propagation: sizes and ETags of every ancestor, and the folder's mtime for a new entry.
    const folder = (await rowAt('opt-ann', 'd'))!;
    const home = (await rowAt('opt-ann', ''))!;
    expect(folder.size).toBe(folderBefore.size + 5);
    expect(home.size).toBe(homeBefore.size + 5);
    expect([folder.etag, home.etag]).toEqual([row.etag, row.etag]);
    expect(folder.mtime).toBeGreaterThanOrEqual(folderBefore.mtime);
    expect((await ann('GET', '/d/new.txt')).text).toBe('hello');

    const blobsBefore = await blobCount();
    const replaced = await ann('PUT', '/d/new.txt', { body: 'hello, world' });
    expect(replaced.res.status).toBe(204);
    expect(replaced.trips).toBe(1);
    expect((await ann('GET', '/d/new.txt')).text).toBe('hello, world');
    expect((await rowAt('opt-ann', ''))!.size).toBe(homeBefore.size + 12);
    // The replaced content became a version in the same batch (its blob is kept, one new blob).
    const versions = await drizzle(env.DB).select().from(fileVersions).where(eq(fileVersions.fileid, row.fileid));
    expect(versions.map((v) => v.size)).toEqual([5]);
    expect(await blobCount()).toBe(blobsBefore + 1);

    // The legacy URL (no user in it: the login's tree) takes the same path.
    const legacy = await ann('PUT', '/d/legacy.txt', { body: 'old URL', legacy: true });
    expect([legacy.res.status, legacy.trips]).toEqual([201, 1]);
    expect((await ann('GET', '/d/legacy.txt')).text).toBe('old URL');
  });

  it('If-Match with the ETag (the desktop client updating a file) and If-None-Match: * are checked in the one batch; a failed one gets 412 and leaves nothing', async () => {
    const hal = client('opt-hal', PASSWORD);
    expect((await hal('MKCOL', '/d')).res.status).toBe(201);
    const created = await hal('PUT', '/d/f.txt', { body: 'one', headers: { 'If-None-Match': '*' } });
    expect([created.res.status, created.trips]).toEqual([201, 1]);
    const etag = created.res.headers.get('ETag')!;
    await expectRefusedLeavingNothing(() => hal('PUT', '/d/f.txt', { body: 'not over it', headers: { 'If-None-Match': '*' } }), 412, 'opt-hal', 'd/f.txt');

    const updated = await hal('PUT', '/d/f.txt', { body: 'two', headers: { 'If-Match': etag } });
    expect([updated.res.status, updated.trips]).toEqual([204, 1]);
    expect((await hal('GET', '/d/f.txt')).text).toBe('two');
    // The ETag it had is gone now: a client that missed the change gets 412, its content is not kept.
    await expectRefusedLeavingNothing(() => hal('PUT', '/d/f.txt', { body: 'stale', headers: { 'If-Match': etag } }), 412, 'opt-hal', 'd/f.txt');
    await expectRefusedLeavingNothing(() => hal('PUT', '/d/none.txt', { body: 'no such file', headers: { 'If-Match': etag } }), 412, 'opt-hal', 'd/none.txt');
    expect((await hal('GET', '/d/f.txt')).text).toBe('two');

    // A list of ETags is for the normal path, which still honours it.
    const current = updated.res.headers.get('ETag')!;
    const listed = await hal('PUT', '/d/f.txt', { body: 'three', headers: { 'If-Match': `"other", ${current}` } });
    expect(listed.res.status).toBe(204);
    expect(listed.trips).toBeGreaterThan(1);
    expect((await hal('GET', '/d/f.txt')).text).toBe('three');
  });

  it('a login that no longer holds (disabled, password changed) gets 401, and nothing stays stored', async () => {
    const ben = client('opt-ben', PASSWORD);
    expect((await ben('PUT', '/a.txt', { body: 'first' })).res.status).toBe(201);
    await setUserEnabled(env, 'opt-ben', false);
    await expectRefusedLeavingNothing(() => ben('PUT', '/b.txt', { body: 'while disabled' }), 401, 'opt-ben', 'b.txt');

    await setUserEnabled(env, 'opt-ben', true);
    expect((await ben('PUT', '/c.txt', { body: 'enabled again' })).res.status).toBe(201);
    await updateUser(env, 'opt-ben', { password: 'a brand new passphrase' });
    await expectRefusedLeavingNothing(() => ben('PUT', '/c.txt', { body: 'with the old password' }), 401, 'opt-ben', 'c.txt');
    expect((await ben('GET', '/c.txt')).res.status).toBe(401);
    expect((await client('opt-ben', 'a brand new passphrase')('GET', '/c.txt')).text).toBe('enabled again');
  });

  it('a lock, a missing parent, a folder at the target: the normal answer, and no stray blob', async () => {
    const cat = client('opt-cat', PASSWORD);
    expect((await cat('MKCOL', '/locked')).res.status).toBe(201);
    const locked = await cat('LOCK', '/locked', { body: lockInfo(), headers: { 'Content-Type': 'application/xml', Depth: 'infinity' } });
    expect(locked.res.status).toBe(200);
    expect((await cat('MKCOL', '/folder')).res.status).toBe(201);
    await expectRefusedLeavingNothing(() => cat('PUT', '/locked/x.txt', { body: 'no token' }), 423, 'opt-cat', 'locked/x.txt');
    await expectRefusedLeavingNothing(() => cat('PUT', '/missing/x.txt', { body: 'orphan' }), 409, 'opt-cat', 'missing/x.txt');
    await expectRefusedLeavingNothing(() => cat('PUT', '/folder', { body: 'over a folder' }), 405, 'opt-cat', 'folder');
    expect((await rowAt('opt-cat', 'folder'))!.isDir).toBe(true);
  });

  it('counted failed logins send the PUT through the normal path, which clears them', async () => {
    const dan = client('opt-dan', PASSWORD);
    expect((await dan('MKCOL', '/d')).res.status).toBe(201);
    expect((await client('opt-dan', 'wrong password')('PROPFIND', '/', { headers: { Depth: '0' } })).res.status).toBe(401);
    const keys = await drizzle(env.DB).select().from(loginFailures);
    expect(keys.some((k) => k.key === 'user:opt-dan')).toBe(true);
    const blobs = await blobCount();
    const put = await dan('PUT', '/d/after-failure.txt', { body: 'still mine' });
    expect(put.res.status).toBe(201);
    expect(put.trips).toBeGreaterThan(1);
    // The content stored before the checks is the content the normal path committed: one blob.
    expect(await blobCount()).toBe(blobs + 1);
    expect((await drizzle(env.DB).select().from(loginFailures)).some((k) => k.key === 'user:opt-dan')).toBe(false);
    expect((await dan('GET', '/d/after-failure.txt')).text).toBe('still mine');
  });

  it("another user's tree: 403 as before, nothing stored there or anywhere", async () => {
    const eve = client('opt-eve', PASSWORD);
    expect((await eve('MKCOL', '/mine')).res.status).toBe(201);
    await expectRefusedLeavingNothing(() => eve('PUT', '/intrusion.txt', { body: 'not yours', as: 'opt-fay' }), 403, 'opt-fay', 'intrusion.txt');
  });

  it('an app password takes it too once verified; revoked, the next PUT gets 401 and nothing stays stored', async () => {
    const { token, id } = await createAppPassword(env, { userId: 'opt-gus', name: 'sync client', loginName: 'opt-gus' });
    const gus = client('opt-gus', token);
    expect((await gus('MKCOL', '/d')).res.status).toBe(201); // the token is verified and remembered
    const put = await gus('PUT', '/d/a.txt', { body: 'by token' });
    expect(put.res.status).toBe(201);
    expect(put.trips).toBe(1);
    expect((await gus('GET', '/d/a.txt')).text).toBe('by token');

    await revokeAppPassword(env, 'opt-gus', id);
    await expectRefusedLeavingNothing(() => gus('PUT', '/d/b.txt', { body: 'after revocation' }), 401, 'opt-gus', 'd/b.txt');
    // The login password of the same user still works, through the normal path first.
    expect((await client('opt-gus', PASSWORD)('PUT', '/d/b.txt', { body: 'by password' })).res.status).toBe(201);
  });

  it('an owner with a quota never takes it: 507 comes before any byte is stored', async () => {
    const quo = client('opt-quo', PASSWORD);
    expect((await quo('PUT', '/small.txt', { body: 'fits' })).res.status).toBe(201);
    await expectRefusedLeavingNothing(() => quo('PUT', '/big.txt', { body: 'x'.repeat(20_000) }), 507, 'opt-quo', 'big.txt');
    const fits = await quo('PUT', '/second.txt', { body: 'also fits' });
    expect(fits.res.status).toBe(201);
    expect(fits.trips).toBeGreaterThan(1);
  });
});
