/**
 * SHA-1 (FIPS 180-4 §6.1) whose state can be saved between requests. A chunked upload's file
 * checksum is the SHA-1 of all its chunks in order, and each chunk arrives in its own request: the
 * runtime's digests (crypto.subtle, DigestStream) cannot hand their state from one request to the
 * next, nor can the JavaScript hash libraries we looked at without reaching into their private
 * fields; so the state (five words, the unhashed tail, the length) is kept here, in the open.
 * Checked against crypto.subtle in test/files/uploads/running-sha1.test.ts.
 */
export class RunningSha1 {
  private readonly h: Int32Array;
  private readonly w = new Int32Array(80);
  /** Bytes of the last, incomplete block (fewer than 64). */
  private tail: Uint8Array;
  /** Bytes hashed so far (< 2^53: a file of 8 PiB). */
  private length: number;

  private constructor(h: Int32Array, tail: Uint8Array, length: number) {
    this.h = h;
    this.tail = tail;
    this.length = length;
  }

  static start(): RunningSha1 {
    return new RunningSha1(Int32Array.of(0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476, 0xc3d2e1f0 | 0), new Uint8Array(0), 0);
  }

  /** The state as text (for a D1 column); `resume` takes it back. */
  save(): string {
    return JSON.stringify([Array.from(this.h), btoa(String.fromCharCode(...this.tail)), this.length]);
  }

  /** A state from `save`, or null when the text is not one. */
  static resume(saved: string): RunningSha1 | null {
    try {
      const [h, tail, length] = JSON.parse(saved) as [number[], string, number];
      const bytes = Uint8Array.from(atob(tail), (ch) => ch.charCodeAt(0));
      if (!Array.isArray(h) || h.length !== 5 || bytes.length >= 64 || !Number.isSafeInteger(length) || length < 0 || length % 64 !== bytes.length) return null;
      return new RunningSha1(Int32Array.from(h), bytes, length);
    } catch {
      return null;
    }
  }

  get bytesHashed(): number {
    return this.length;
  }

  update(data: Uint8Array): this {
    let offset = 0;
    this.length += data.byteLength;
    if (this.tail.length > 0) {
      const take = Math.min(64 - this.tail.length, data.byteLength);
      const joined = new Uint8Array(this.tail.length + take);
      joined.set(this.tail);
      joined.set(data.subarray(0, take), this.tail.length);
      offset = take;
      if (joined.length < 64) {
        this.tail = joined;
        return this;
      }
      this.blocks(joined, 0, 64);
    }
    const whole = offset + ((data.byteLength - offset) & ~63);
    this.blocks(data, offset, whole);
    this.tail = data.slice(whole);
    return this;
  }

  /** Lower-case hex digest; the state is left as it was (more data may follow). */
  hex(): string {
    const copy = new RunningSha1(Int32Array.from(this.h), this.tail, 0);
    const padding = new Uint8Array(((this.tail.length < 56 ? 56 : 120) - this.tail.length) + 8);
    padding[0] = 0x80;
    const bits = this.length * 8;
    const view = new DataView(padding.buffer);
    view.setUint32(padding.length - 8, Math.floor(bits / 2 ** 32));
    view.setUint32(padding.length - 4, bits >>> 0);
    copy.update(padding);
    return Array.from(copy.h, (x) => (x >>> 0).toString(16).padStart(8, '0')).join('');
  }

  private blocks(d: Uint8Array, from: number, to: number): void {
    const w = this.w;
    const h = this.h;
    let h0 = h[0], h1 = h[1], h2 = h[2], h3 = h[3], h4 = h[4];
    for (let p = from; p < to; p += 64) {
      for (let i = 0; i < 16; i++) {
        const q = p + i * 4;
        w[i] = (d[q] << 24) | (d[q + 1] << 16) | (d[q + 2] << 8) | d[q + 3];
      }
      for (let i = 16; i < 80; i++) {
        const x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16];
        w[i] = (x << 1) | (x >>> 31);
      }
      let a = h0, b = h1, c = h2, e = h4, dd = h3;
      for (let i = 0; i < 20; i++) {
        const t = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & dd)) + e + w[i] + 0x5a827999) | 0;
        e = dd; dd = c; c = (b << 30) | (b >>> 2); b = a; a = t;
      }
      for (let i = 20; i < 40; i++) {
        const t = (((a << 5) | (a >>> 27)) + (b ^ c ^ dd) + e + w[i] + 0x6ed9eba1) | 0;
        e = dd; dd = c; c = (b << 30) | (b >>> 2); b = a; a = t;
      }
      for (let i = 40; i < 60; i++) {
        const t = (((a << 5) | (a >>> 27)) + ((b & c) | (b & dd) | (c & dd)) + e + w[i] + 0x8f1bbcdc) | 0;
        e = dd; dd = c; c = (b << 30) | (b >>> 2); b = a; a = t;
      }
      for (let i = 60; i < 80; i++) {
        const t = (((a << 5) | (a >>> 27)) + (b ^ c ^ dd) + e + w[i] + 0xca62c1d6) | 0;
        e = dd; dd = c; c = (b << 30) | (b >>> 2); b = a; a = t;
      }
      h0 = (h0 + a) | 0; h1 = (h1 + b) | 0; h2 = (h2 + c) | 0; h3 = (h3 + dd) | 0; h4 = (h4 + e) | 0;
    }
    h[0] = h0; h[1] = h1; h[2] = h2; h[3] = h3; h[4] = h4;
  }
}
