/**
 * Deterministic pseudo-random bytes from a seed: the AES-128-CTR keystream keyed by SHA-256(seed).
 * Fast (GB/s), reproducible across runs and machines, and never compressible like /dev/zero.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { Readable } from 'node:stream';

const CHUNK = 1 << 20;

function keystream(seed) {
  const digest = createHash('sha256').update(String(seed)).digest();
  return createCipheriv('aes-128-ctr', digest.subarray(0, 16), digest.subarray(16, 32));
}

/** `size` bytes of the seed's stream, in one Buffer (for small files only). */
export function prngBytes(seed, size) {
  return keystream(seed).update(Buffer.alloc(size));
}

/** A Readable of exactly `size` bytes of the seed's stream, produced lazily in 1 MiB chunks. */
export function prngStream(seed, size, chunkSize = CHUNK) {
  const cipher = keystream(seed);
  const zeros = Buffer.alloc(chunkSize);
  let left = size;
  return new Readable({
    highWaterMark: chunkSize,
    read() {
      if (left <= 0) {
        this.push(null);
        return;
      }
      const n = Math.min(left, chunkSize);
      left -= n;
      this.push(cipher.update(n === chunkSize ? zeros : zeros.subarray(0, n)));
    },
  });
}

/** A small deterministic PRNG (mulberry32) for choosing names and sizes. */
export function seededRandom(seed) {
  let a = createHash('sha256').update(String(seed)).digest().readUInt32LE(0);
  return function random() {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
