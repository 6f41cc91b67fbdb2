import { describe, expect, it } from 'vitest';
import { constantTimeEqual, hashPassword, PBKDF2_ITERATIONS, verifyPassword } from '../../worker/accounts/password';

describe('password records', () => {
  it('are pbkdf2-sha256 at 100,000 iterations with a 16-byte salt and a 32-byte hash', async () => {
    const record = await hashPassword('correct horse battery staple');
    const [scheme, iterations, salt, hash] = record.split('$');
    expect(scheme).toBe('pbkdf2-sha256');
    expect(Number(iterations)).toBe(PBKDF2_ITERATIONS);
    expect(PBKDF2_ITERATIONS).toBe(100_000);
    expect(atob(salt)).toHaveLength(16);
    expect(atob(hash)).toHaveLength(32);
  });

  it('verify the password they were made from and nothing else', async () => {
    const record = await hashPassword('s3cret-pässwörd 🔑');
    expect(await verifyPassword('s3cret-pässwörd 🔑', record)).toBe(true);
    expect(await verifyPassword('s3cret-passwort 🔑', record)).toBe(false);
    expect(await verifyPassword('', record)).toBe(false);
  });

  it('use a fresh salt every time, so equal passwords give different records', async () => {
    const a = await hashPassword('same password');
    const b = await hashPassword('same password');
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password', a)).toBe(true);
    expect(await verifyPassword('same password', b)).toBe(true);
  });

  it('never match when malformed, unknown or above the iteration cap', async () => {
    const good = await hashPassword('pw-12345678');
    const [, , salt, hash] = good.split('$');
    for (const record of [
      '', 'plain', `bcrypt$100000$${salt}$${hash}`, `pbkdf2-sha256$abc$${salt}$${hash}`,
      `pbkdf2-sha256$200000$${salt}$${hash}`, `pbkdf2-sha256$100000$!!!$${hash}`,
      `pbkdf2-sha256$100000$${salt}$${btoa('short')}`, `pbkdf2-sha256$100000$${salt}`,
    ]) {
      expect(await verifyPassword('pw-12345678', record), record).toBe(false);
    }
  });

  it('still verify records made with fewer iterations', async () => {
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const key = await crypto.subtle.importKey('raw', new TextEncoder().encode('older'), 'PBKDF2', false, ['deriveBits']);
    const bits = new Uint8Array(await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations: 1000 }, key, 256));
    const b64 = (u: Uint8Array) => btoa(String.fromCharCode(...u));
    expect(await verifyPassword('older', `pbkdf2-sha256$1000$${b64(salt)}$${b64(bits)}`)).toBe(true);
  });
});

describe('constantTimeEqual', () => {
  it('is true only for byte-identical inputs', () => {
    const a = new Uint8Array([1, 2, 3, 4]);
    expect(constantTimeEqual(a, new Uint8Array([1, 2, 3, 4]))).toBe(true);
    expect(constantTimeEqual(a, new Uint8Array([1, 2, 3, 5]))).toBe(false);
    expect(constantTimeEqual(a, new Uint8Array([0, 2, 3, 4]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array(), new Uint8Array())).toBe(true);
  });

  it('is false for a prefix or a zero-padded extension (length is part of the comparison)', () => {
    const a = new Uint8Array([1, 2, 3]);
    expect(constantTimeEqual(a, new Uint8Array([1, 2]))).toBe(false);
    expect(constantTimeEqual(a, new Uint8Array([1, 2, 3, 0]))).toBe(false);
  });

  it('visits every byte whatever the position of the first difference', () => {
    // Count element reads through a proxy: an early-exit compare would read fewer.
    const reads = (a: Uint8Array, b: Uint8Array) => {
      let n = 0;
      const counted = (u: Uint8Array) => new Proxy(u, {
        get(target, prop) {
          if (typeof prop === 'string' && /^\d+$/.test(prop)) n++;
          return Reflect.get(target, prop);
        },
      });
      constantTimeEqual(counted(a), counted(b));
      return n;
    };
    const base = new Uint8Array(32).fill(7);
    const differsFirst = base.slice(); differsFirst[0] = 8;
    const differsLast = base.slice(); differsLast[31] = 8;
    expect(reads(base, differsFirst)).toBe(reads(base, differsLast));
    expect(reads(base, differsFirst)).toBe(reads(base, base.slice()));
  });
});
