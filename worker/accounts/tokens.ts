/**
 * Random secrets and their stored form. Secrets handed to clients (app passwords, login-flow
 * tokens) are long random strings; only their SHA-256 is stored. A fast hash is right for them:
 * with hundreds of random bits there is nothing for a slow hash to protect against.
 */
import { constantTimeEqual } from './password';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
// The largest multiple of 62 below 256: bytes at or above it are dropped so that every character
// is equally likely (a plain modulo would favour the first 8).
const UNBIASED_LIMIT = 256 - (256 % ALPHANUMERIC.length);

/** `length` characters from [A-Za-z0-9], uniformly random (5.95 bits each). */
export function randomAlphanumeric(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < UNBIASED_LIMIT) out += ALPHANUMERIC[byte % ALPHANUMERIC.length];
      if (out.length === length) break;
    }
  }
  return out;
}

const utf8 = new TextEncoder();

/** Lower-case hex SHA-256 of a string's UTF-8 bytes: what tables store instead of a token. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', utf8.encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Compares two stored hashes in time that does not depend on where they differ. */
export function sameHash(a: string, b: string): boolean {
  const encoder = new TextEncoder();
  return constantTimeEqual(encoder.encode(a), encoder.encode(b));
}
