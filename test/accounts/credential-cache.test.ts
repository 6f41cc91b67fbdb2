import { describe, expect, it } from 'vitest';
import {
  credentialCacheSize, credentialKey, lookupCredential, rememberCredential,
} from '../../worker/accounts/credential-cache';
import { cachedLogin } from '../../worker/accounts/login';

const T = 1_000_000;

describe('credential cache (unit)', () => {
  it('keys on a SHA-256 of login and password, never the password itself', async () => {
    const key = await credentialKey('alice', 'secret');
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(key).not.toContain('secret');
    // the NUL separator keeps ("ab", "c") and ("a", "bc") apart
    expect(await credentialKey('ab', 'c')).not.toBe(await credentialKey('a', 'bc'));
  });

  it('forgets an entry after 5 minutes', () => {
    rememberCredential('k-expiry', { via: 'password', userId: 'alice', passwordHash: 'hash', quota: null }, T);
    expect(lookupCredential('k-expiry', T + 5 * 60 * 1000 - 1)).toEqual({ via: 'password', userId: 'alice', passwordHash: 'hash', quota: null, expiresAt: T + 300_000 });
    expect(lookupCredential('k-expiry', T + 5 * 60 * 1000)).toBeUndefined();
  });

  it('holds at most 1000 entries, evicting the oldest first', () => {
    for (let i = 0; i < 1005; i++) rememberCredential(`k${i}`, { via: 'password', userId: `u${i}`, passwordHash: 'h', quota: null }, T);
    expect(credentialCacheSize()).toBe(1000);
    for (let i = 0; i < 5; i++) expect(lookupCredential(`k${i}`, T)).toBeUndefined();
    expect(lookupCredential('k5', T)?.userId).toBe('u5');
    expect(lookupCredential('k1004', T)?.userId).toBe('u1004');
  });

  it('offers a cached app password to a write that checks it in its batch only within the minute its use was recorded', async () => {
    const now = 1_800_000_000_000;
    const seconds = now / 1000;
    rememberCredential(await credentialKey('carol', 'token-a'), { via: 'app-password', userId: 'carol', tokenHash: 'ha', quota: null, activityAt: seconds - 30 }, now);
    rememberCredential(await credentialKey('carol', 'token-b'), { via: 'app-password', userId: 'carol', tokenHash: 'hb', quota: null, activityAt: seconds - 60 }, now);
    const recent = await cachedLogin('203.0.113.9', { login: 'carol', password: 'token-a' }, now);
    expect(recent?.values).toEqual({ loginUser: 'carol', loginVia: 'app-password', secretHash: 'ha', ipKey: 'ip:203.0.113.9', loginKey: 'user:carol' });
    // Its use is due to be recorded: the normal path does that.
    expect(await cachedLogin('203.0.113.9', { login: 'carol', password: 'token-b' }, now)).toBeNull();
    // Only for the login name that is the user id itself.
    rememberCredential(await credentialKey('Carol', 'pw'), { via: 'password', userId: 'carol', passwordHash: 'h', quota: null }, now);
    expect(await cachedLogin('203.0.113.9', { login: 'Carol', password: 'pw' }, now)).toBeNull();
  });
});
