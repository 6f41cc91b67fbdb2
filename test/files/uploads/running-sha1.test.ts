import { describe, expect, it } from 'vitest';
import { digestHex, patternBytes } from '../../helpers';
import { RunningSha1 } from '../../../worker/files/uploads/running-sha1';

describe('RunningSha1: SHA-1 whose state crosses requests (FIPS 180-4 §6.1)', () => {
  it('equals crypto.subtle at every length around the 56- and 64-byte padding edges', async () => {
    for (const n of [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 121, 127, 128, 129, 1000, 70_001]) {
      const data = patternBytes(n, n + 1);
      expect(RunningSha1.start().update(data).hex(), `length ${n}`).toBe(await digestHex('SHA-1', data));
    }
  });

  it('fed in uneven pieces, saved and resumed between every piece, still equals crypto.subtle', async () => {
    const data = patternBytes(300_017, 7);
    let hash = RunningSha1.start();
    let seed = 1;
    for (let offset = 0; offset < data.byteLength;) {
      seed = (seed * 48271) % 2147483647;
      const take = Math.min(data.byteLength - offset, 1 + (seed % 9000));
      hash.update(data.subarray(offset, offset + take));
      offset += take;
      hash = RunningSha1.resume(hash.save())!;
    }
    expect(hash.bytesHashed).toBe(data.byteLength);
    expect(hash.hex()).toBe(await digestHex('SHA-1', data));
  });

  it('hex() leaves the state as it was: more data may follow', async () => {
    const a = patternBytes(100, 1);
    const b = patternBytes(200, 2);
    const hash = RunningSha1.start().update(a);
    expect(hash.hex()).toBe(await digestHex('SHA-1', a));
    hash.update(b);
    const both = new Uint8Array(300);
    both.set(a);
    both.set(b, 100);
    expect(hash.hex()).toBe(await digestHex('SHA-1', both));
  });

  it('resume refuses text that is not a saved state', () => {
    const good = RunningSha1.start().update(patternBytes(70, 3)).save();
    expect(RunningSha1.resume(good)).not.toBeNull();
    const [h, tail, length] = JSON.parse(good) as [number[], string, number];
    for (const bad of ['', 'null', '{}', '[1,2,3]', JSON.stringify([h.slice(1), tail, length]), JSON.stringify([h, tail, length + 1]),
      JSON.stringify([h, tail, -1]), JSON.stringify([h, '%%%', length]), JSON.stringify([h, btoa('x'.repeat(64)), 64])]) {
      expect(RunningSha1.resume(bad), bad).toBeNull();
    }
  });
});
