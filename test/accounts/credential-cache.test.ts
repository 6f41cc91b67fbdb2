import { describe, expect, it } from 'vitest';
import {
  credentialCacheSize, credentialKey, lookupCredential, rememberCredential,
} from '../../worker/accounts/credential-cache';

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
    rememberCredential('k-expiry', { userId: 'alice', passwordHash: 'hash', quota: null }, T);
    expect(lookupCredential('k-expiry', T + 5 * 60 * 1000 - 1)).toEqual({ userId: 'alice', passwordHash: 'hash', quota: null, expiresAt: T + 300_000 });
    expect(lookupCredential('k-expiry', T + 5 * 60 * 1000)).toBeUndefined();
  });

  it('holds at most 1000 entries, evicting the oldest first', () => {
    for (let i = 0; i < 1005; i++) rememberCredential(`k${i}`, { userId: `u${i}`, passwordHash: 'h', quota: null }, T);
    expect(credentialCacheSize()).toBe(1000);
    for (let i = 0; i < 5; i++) expect(lookupCredential(`k${i}`, T)).toBeUndefined();
    expect(lookupCredential('k5', T)?.userId).toBe('u5');
    expect(lookupCredential('k1004', T)?.userId).toBe('u1004');
  });
});
