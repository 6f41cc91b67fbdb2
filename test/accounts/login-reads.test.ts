/**
 * Authentication on the files routes reads the throttle counters and the account in the files
 * read-ahead's D1 batch (accounts/login-reads.ts, files/prefetch.ts): fewer D1 round trips, and
 * every refusal the separate reads gave still holds.
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAppPassword, revokeAppPassword } from '../../worker/accounts/app-passwords';
import { setUserEnabled, updateUser } from '../../worker/accounts/users';
import worker from '../../worker/index';
import { addUser, basic, installAdmin, propfindRoot } from './helpers';

const CAROL = { id: 'carol', password: 'carol-password-1', email: 'carol@example.org' };

/** env with a D1 binding that counts round trips: each batch() and each statement run. */
function countingEnv() {
  const counter = { trips: 0 };
  const wrap = (stmt: D1PreparedStatement): D1PreparedStatement => new Proxy(stmt, {
    get(target, key) {
      if (key === 'bind') return (...values: unknown[]) => wrap(target.bind(...values));
      const value = Reflect.get(target, key);
      if (typeof value !== 'function') return value;
      if (['all', 'raw', 'first', 'run'].includes(String(key))) {
        return (...args: unknown[]) => {
          counter.trips++;
          return value.apply(target, args);
        };
      }
      return value.bind(target);
    },
  });
  const DB = new Proxy(env.DB, {
    get(target, key) {
      if (key === 'prepare') return (sql: string) => wrap(target.prepare(sql));
      if (key === 'batch') {
        return (statements: D1PreparedStatement[]) => {
          counter.trips++;
          return target.batch(statements);
        };
      }
      const value = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { env: { ...env, DB }, counter };
}

async function tripsOf(request: Request): Promise<{ status: number; trips: number }> {
  const { env: counted, counter } = countingEnv();
  const ctx = createExecutionContext();
  const res = await worker.fetch(request as Request<unknown, IncomingRequestCfProperties>, counted, ctx);
  await res.arrayBuffer();
  await waitOnExecutionContext(ctx);
  return { status: res.status, trips: counter.trips };
}

// What a sync client asks for; no dead property is wanted, so none is read.
const PROPS = '<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:prop><d:getetag/><d:getcontentlength/><d:resourcetype/><oc:fileid/><oc:permissions/></d:prop></d:propfind>';
const url = (path: string) => `http://cumulus.test/remote.php/dav/files/carol${path}`;
const auth = (password = CAROL.password, login = 'carol') => ({ Authorization: basic(login, password), 'CF-Connecting-IP': '198.51.100.7' });

beforeAll(async () => {
  await installAdmin();
  await addUser(CAROL);
  // The first login pays PBKDF2 and fills the credential cache; the home folder is made.
  expect((await propfindRoot('carol', basic('carol', CAROL.password), '198.51.100.7')).status).toBe(207);
});

describe('D1 round trips of an authenticated files request', () => {
  it('PROPFIND Depth 0: one (files, locks, throttle and account in one batch)', async () => {
    const r = await tripsOf(new Request(url('/'), { method: 'PROPFIND', headers: { ...auth(), Depth: '0' }, body: PROPS }));
    expect(r).toEqual({ status: 207, trips: 1 });
  });

  it('PROPFIND Depth 1: two (that batch and the children)', async () => {
    const r = await tripsOf(new Request(url('/'), { method: 'PROPFIND', headers: { ...auth(), Depth: '1' }, body: PROPS }));
    expect(r).toEqual({ status: 207, trips: 2 });
  });

  it('PROPFIND Depth 0 with an app password: one (its lookup is in the batch too)', async () => {
    const { token } = await createAppPassword(env, { userId: 'carol', name: 'trips', loginName: 'carol' });
    const request = () => new Request(url('/'), { method: 'PROPFIND', headers: { ...auth(token), Depth: '0' }, body: PROPS });
    expect((await tripsOf(request())).status).toBe(207); // the first use may record the token's activity
    expect(await tripsOf(request())).toEqual({ status: 207, trips: 1 });
  });

  it('the legacy /remote.php/webdav/ (no user in the URL): the same one round trip for PROPFIND Depth 0', async () => {
    const legacy = new Request('http://cumulus.test/remote.php/webdav/', { method: 'PROPFIND', headers: { ...auth(), Depth: '0' }, body: PROPS });
    expect(await tripsOf(legacy)).toEqual({ status: 207, trips: 1 });
    // An e-mail login names nobody's tree: what it read ahead is not used, and the request still works.
    const byEmail = new Request('http://cumulus.test/remote.php/webdav/', { method: 'PROPFIND', headers: { ...auth(CAROL.password, CAROL.email), Depth: '0' }, body: PROPS });
    const r = await tripsOf(byEmail);
    expect(r.status).toBe(207);
    expect(r.trips).toBeGreaterThan(1);
  });

  it('PUT of a new file: two (the read batch and the write batch)', async () => {
    const r = await tripsOf(new Request(url('/trips.txt'), { method: 'PUT', headers: auth(), body: 'four' }));
    expect(r).toEqual({ status: 201, trips: 2 });
  });
});

describe('refusals through the read-ahead', () => {
  it('a wrong password is refused and counted; an e-mail login (read for itself) gets in', async () => {
    const wrong = await fetchAs('/', 'not-her-password', 'carol', '198.51.100.20');
    expect(wrong.status).toBe(401);
    const byEmail = await fetchAs('/', CAROL.password, CAROL.email, '198.51.100.21');
    expect(byEmail.status).toBe(207);
  });

  it('ten failures: 429 even with the right password', { timeout: 60_000 }, async () => {
    await addUser({ id: 'frank', password: 'frank-password-1' });
    // Each failure also holds the next answer a little longer (up to 4 s): real time here.
    for (let i = 0; i < 10; i++) expect((await fetchAs('/', `guess-${i}`, 'frank', '198.51.100.30', 'frank')).status).toBe(401);
    const blocked = await fetchAs('/', 'frank-password-1', 'frank', '198.51.100.30', 'frank');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('Retry-After'))).toBeGreaterThan(0);
  });

  it('a disabled account is refused at once, and admitted again when enabled', async () => {
    await addUser({ id: 'dave', password: 'dave-password-1' });
    expect((await fetchAs('/', 'dave-password-1', 'dave', '198.51.100.40', 'dave')).status).toBe(207);
    await setUserEnabled(env, 'dave', false);
    expect((await fetchAs('/', 'dave-password-1', 'dave', '198.51.100.40', 'dave')).status).toBe(401);
    await setUserEnabled(env, 'dave', true);
    expect((await fetchAs('/', 'dave-password-1', 'dave', '198.51.100.40', 'dave')).status).toBe(207);
  });

  it('after a password change the old one is refused on the next request, the new one works', async () => {
    await addUser({ id: 'erin', password: 'erin-password-1' });
    expect((await fetchAs('/', 'erin-password-1', 'erin', '198.51.100.50', 'erin')).status).toBe(207);
    await updateUser(env, 'erin', { password: 'erin-password-2' });
    expect((await fetchAs('/', 'erin-password-1', 'erin', '198.51.100.50', 'erin')).status).toBe(401);
    expect((await fetchAs('/', 'erin-password-2', 'erin', '198.51.100.50', 'erin')).status).toBe(207);
  });
});

describe('app passwords through the read-ahead', () => {
  it('a revoked app password is refused on the next request', async () => {
    const { token, id } = await createAppPassword(env, { userId: 'carol', name: 'revoke me', loginName: 'carol' });
    expect((await fetchAs('/', token, 'carol', '198.51.100.60')).status).toBe(207);
    await revokeAppPassword(env, 'carol', id);
    expect((await fetchAs('/', token, 'carol', '198.51.100.60')).status).toBe(401);
  });

  it("another user's login name with the token is refused", async () => {
    const { token } = await createAppPassword(env, { userId: 'carol', name: 'not yours', loginName: 'carol' });
    expect((await fetchAs('/', token, 'dave', '198.51.100.61')).status).toBe(401);
  });
});

function fetchAs(path: string, password: string, login: string, ip: string, owner = 'carol') {
  return worker.fetch(new Request(`http://cumulus.test/remote.php/dav/files/${owner}${path}`, {
    method: 'PROPFIND',
    headers: { Authorization: basic(login, password), 'CF-Connecting-IP': ip, Depth: '0' },
  }) as Request<unknown, IncomingRequestCfProperties>, env, createExecutionContext());
}
