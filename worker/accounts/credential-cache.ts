/**
 * Per-isolate cache of verified credentials. Sync clients send the password on every request;
 * PBKDF2 at 100,000 iterations costs tens of milliseconds of CPU, so each (login, password) pair
 * pays it at most once per 5 minutes per isolate. App passwords need no PBKDF2; they are kept
 * here only for writes that check the login in their own batch (files/optimistic-put.ts). The key is a SHA-256 of login and password, so
 * the cache never holds a password. An entry is only a hint: the caller still loads the user row
 * (or checks it in its own D1 batch, files/optimistic-put.ts) and accepts only while the stored hash
 * is the one that was verified, so a password change or a deletion takes effect at once.
 */
import { sha256Hex } from './tokens';

const TTL_MS = 5 * 60 * 1000;
const MAX_ENTRIES = 1000;

/** A verified (login, secret) pair: the login password, or an app password (app-password-login.ts). */
export type CachedCredential = {
  userId: string;
  /** users.quota at verification time: a hint for writes, which check it again. */
  quota: number | null;
  /** Milliseconds since the epoch. */
  expiresAt: number;
} & (
  | {
    via: 'password';
    /** users.password_hash at verification time. */
    passwordHash: string;
  }
  | {
    via: 'app-password';
    /** The token's SHA-256 (app_passwords.token_hash). */
    tokenHash: string;
    /** When the token's use was last recorded (seconds since the epoch; at most once a minute). */
    activityAt: number;
  }
);

type Remembered = CachedCredential extends infer C ? C extends CachedCredential ? Omit<C, 'expiresAt'> : never : never;

// A Map iterates in insertion order, so the first key is the oldest entry.
const entries = new Map<string, CachedCredential>();

/** The cache key of a login/password pair: hex SHA-256 of `login + "\0" + password`. */
export async function credentialKey(login: string, password: string): Promise<string> {
  return sha256Hex(`${login}\0${password}`);
}

/** The live entry for `key`, if any (an expired one is dropped). */
export function lookupCredential(key: string, now: number): CachedCredential | undefined {
  const entry = entries.get(key);
  if (entry && entry.expiresAt <= now) {
    entries.delete(key);
    return undefined;
  }
  return entry;
}

/** Remembers a verified pair for 5 minutes, evicting the oldest entries beyond 1000. */
export function rememberCredential(key: string, verified: Remembered, now: number): void {
  entries.delete(key);
  while (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
  entries.set(key, { ...verified, expiresAt: now + TTL_MS });
}

/** Drops one entry (its hash no longer matches). */
export function forgetCredential(key: string): void {
  entries.delete(key);
}

/** How many entries are held (for tests and diagnostics). */
export function credentialCacheSize(): number {
  return entries.size;
}
