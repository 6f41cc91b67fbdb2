import { env } from 'cloudflare:workers';
import { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  davUnauthorized, parseBasicAuthorization, requireUser, type RequireUserOptions,
} from '../../worker/accounts/auth';
import { credentialCacheSize } from '../../worker/accounts/credential-cache';
import { deleteUser, getUser, setUserEnabled, updateUser } from '../../worker/accounts/users';
import type { AppEnv } from '../../worker/http/env';
import { addUser, ALICE, basic, callAs, installAdmin } from './helpers';

/** An app that answers who the middleware let in. */
function whoApp(options: RequireUserOptions = {}) {
  const app = new Hono<AppEnv>();
  app.use('*', requireUser({ sleep: async () => {}, ...options }));
  app.get('/who', (c) => c.json(c.get('user')));
  return (authorization?: string, headers: Record<string, string> = {}) => app.fetch(new Request('http://cumulus.test/who', {
    headers: { ...(authorization ? { Authorization: authorization } : {}), ...headers },
  }), env);
}

const REALM = 'Basic realm="Cumulus", charset="UTF-8"';

beforeAll(async () => {
  await installAdmin();
  await addUser({ ...ALICE, displayName: 'Alice', email: 'alice@example.org', quota: 5000 });
  await addUser({ id: 'utf8', password: 'pässwörd:with:colons ✓' });
});

describe('Basic authentication (requireUser)', () => {
  const who = whoApp();

  it('lets a user in with the right password and sets the AuthUser', async () => {
    const res = await who(basic('alice', ALICE.password));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      id: 'alice', displayName: 'Alice', email: 'alice@example.org', quota: 5000, isAdmin: false,
      loginName: 'alice', via: 'password',
    });
    expect((await getUser(env, 'alice'))?.lastLogin).toBeGreaterThan(0);
  });

  it('marks members of group admin as admins', async () => {
    const res = await who(basic('admin', 'admin-password-1'));
    expect((await res.json<{ isAdmin: boolean }>()).isAdmin).toBe(true);
  });

  it('refuses a wrong password with 401 and a Basic challenge in UTF-8', async () => {
    const res = await who(basic('alice', 'wrong-password'));
    expect(res.status).toBe(401);
    expect(res.headers.get('WWW-Authenticate')).toBe(REALM);
    expect(await res.text()).toBe('Username or password was incorrect\n');
  });

  it('refuses an unknown user exactly like a wrong password', async () => {
    const res = await who(basic('nobody', 'whatever-password'));
    expect(res.status).toBe(401);
    expect(await res.text()).toBe('Username or password was incorrect\n');
  });

  it('accepts the e-mail address or any case of the user id as login, and reports the real id', async () => {
    for (const login of ['ALICE@example.org', 'alice@example.org', 'Alice']) {
      const res = await who(basic(login, ALICE.password));
      expect(res.status, login).toBe(200);
      expect((await res.json<{ id: string }>()).id).toBe('alice');
    }
  });

  it('refuses a disabled user even with the right password, at once', async () => {
    expect((await who(basic('alice', ALICE.password))).status).toBe(200);
    await setUserEnabled(env, 'alice', false);
    const res = await who(basic('alice', ALICE.password));
    expect(res.status).toBe(401);
    expect(await res.text()).toBe('This account is disabled\n');
    await setUserEnabled(env, 'alice', true);
    expect((await who(basic('alice', ALICE.password))).status).toBe(200);
  });

  it('refuses a missing or malformed Authorization header with 401', async () => {
    const missing = await who();
    expect(missing.status).toBe(401);
    expect(missing.headers.get('WWW-Authenticate')).toBe(REALM);
    for (const header of ['Basic !!!', 'Bearer abc', `Basic ${btoa('no-colon')}`, `Basic ${btoa(':pw')}`, 'Basic']) {
      const res = await who(header);
      expect(res.status, header).toBe(401);
      expect(await res.text()).toBe("Malformed 'Authorization: Basic' header\n");
    }
  });

  it('reads credentials as UTF-8 and splits at the first colon only', async () => {
    expect((await who(basic('utf8', 'pässwörd:with:colons ✓'))).status).toBe(200);
    expect((await who(basic('utf8', 'passwort:with:colons ✓'))).status).toBe(401);
  });

  it('asks browsers\' scripts not to pop up a dialog (X-Requested-With: XMLHttpRequest)', async () => {
    const res = await who(undefined, { 'X-Requested-With': 'XMLHttpRequest' });
    expect(res.headers.get('WWW-Authenticate')).toBe('DummyBasic realm="Cumulus", charset="UTF-8"');
  });
});

describe('credential cache', () => {
  const who = whoApp();

  it('verifies a login/password pair once, then serves it from the cache', async () => {
    await addUser({ id: 'cached', password: 'cached-password-1' });
    const before = credentialCacheSize();
    expect((await who(basic('cached', 'cached-password-1'))).status).toBe(200);
    expect(credentialCacheSize()).toBe(before + 1);
    expect((await who(basic('cached', 'cached-password-1'))).status).toBe(200);
    expect(credentialCacheSize()).toBe(before + 1);
  });

  it('honours a password change at once: the old password stops working, the new one works', async () => {
    expect((await who(basic('cached', 'cached-password-1'))).status).toBe(200);
    await updateUser(env, 'cached', { password: 'cached-password-2' });
    expect((await who(basic('cached', 'cached-password-1'))).status).toBe(401);
    expect((await who(basic('cached', 'cached-password-2'))).status).toBe(200);
  });

  it('stops accepting a deleted user at once', async () => {
    expect((await who(basic('cached', 'cached-password-2'))).status).toBe(200);
    await deleteUser(env, 'cached');
    expect((await who(basic('cached', 'cached-password-2'))).status).toBe(401);
  });

  it('stops accepting an e-mail login once the address moved to another account', async () => {
    await addUser({ id: 'mover', password: 'mover-password-1', email: 'm@example.org' });
    expect((await who(basic('m@example.org', 'mover-password-1'))).status).toBe(200);
    await updateUser(env, 'mover', { email: 'elsewhere@example.org' });
    expect((await who(basic('m@example.org', 'mover-password-1'))).status).toBe(401);
  });
});

describe('refusal formats', () => {
  it('renders a DAV 401 as Sabre\'s NotAuthenticated error XML', async () => {
    const res = await whoApp({ onUnauthorized: davUnauthorized })(basic('alice', 'wrong-password'));
    expect(res.status).toBe(401);
    expect(res.headers.get('Content-Type')).toBe('application/xml; charset=utf-8');
    expect(res.headers.get('WWW-Authenticate')).toBe(REALM);
    expect(await res.text()).toBe('<?xml version="1.0" encoding="utf-8"?>\n'
      + '<d:error xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns">'
      + '<s:exception>Sabre\\DAV\\Exception\\NotAuthenticated</s:exception>'
      + '<s:message>Username or password was incorrect</s:message></d:error>');
  });

  it('renders an OCS 401 as the envelope with status 997, on the real app', async () => {
    const res = await callAs('alice', 'wrong-password', '/ocs/v1.php/cloud/user?format=json', {}, '198.51.100.7');
    expect(res.status).toBe(401);
    expect(res.headers.get('WWW-Authenticate')).toBe(REALM);
    expect(await res.text()).toBe('{"ocs":{"meta":{"status":"failure","statuscode":997,'
      + '"message":"Username or password was incorrect","totalitems":"","itemsperpage":""},"data":[]}}');
  });

  it('refuses options that are not functions when the middleware is built', () => {
    expect(() => requireUser({ onUnauthorized: 'xml' as never })).toThrow(TypeError);
    expect(() => requireUser({ sleep: 5 as never })).toThrow(/sleep must be a function/);
  });
});

describe('parseBasicAuthorization', () => {
  it('decodes UTF-8, falls back to Latin-1, keeps colons in the password', () => {
    expect(parseBasicAuthorization(basic('ü', 'a:b'))).toEqual({ login: 'ü', password: 'a:b' });
    expect(parseBasicAuthorization(`basic ${btoa('j\xf6rg:pw')}`)).toEqual({ login: 'jörg', password: 'pw' });
    expect(parseBasicAuthorization(`Basic ${btoa('user:')}`)).toEqual({ login: 'user', password: '' });
    expect(parseBasicAuthorization(undefined)).toBeNull();
  });
});
