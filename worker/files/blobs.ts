/**
 * File content in R2: an ordered list of immutable blobs (segments). A key never depends on a
 * path, so renames never touch R2, and a write always goes to new keys (ARCHITECTURE.md §1).
 */
export type Segment = [key: string, size: number];

/** Content is stored in blobs of at most this size (see storeBody); two are in memory at once. */
export const SEGMENT_BYTES = 8 * 1024 * 1024;

/** Segment puts in flight while the next segment fills: R2 and the request body overlap. */
const PUTS_IN_FLIGHT = 2;

export function newBlobKey(): string {
  return `blobs/${crypto.randomUUID()}`;
}

export function parseSegments(json: string | null): Segment[] {
  return json ? (JSON.parse(json) as Segment[]) : [];
}

export interface StoredContent {
  segments: Segment[];
  size: number;
  /** Lower-case hex digests by algorithm name as clients write it: SHA1, MD5. */
  digests: Record<string, string>;
}

export class BodyTooLarge extends Error {}

/** The request body failed or ended before its Content-Length: the client went away mid-upload. */
export class IncompleteBody extends Error {}

function hex(buf: ArrayBuffer): string {
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function digestName(algorithm: string): string {
  return algorithm === 'SHA1' ? 'SHA-1' : algorithm;
}

/**
 * Hashes content segment by segment. Content of one segment (most files) is hashed with a single
 * crypto.subtle.digest call; a DigestStream, which costs a few milliseconds to set up and drain,
 * is only started when a second segment arrives.
 */
class SegmentHasher {
  private first: Uint8Array | null = null;
  private streams: DigestStream[] | null = null;

  constructor(private readonly algorithms: string[]) {}

  async update(segment: Uint8Array): Promise<void> {
    if (!this.streams && !this.first) {
      this.first = segment;
      return;
    }
    if (!this.streams) {
      this.streams = this.algorithms.map((a) => new crypto.DigestStream(digestName(a)));
      await this.write(this.first!);
      this.first = null;
    }
    await this.write(segment);
  }

  private async write(segment: Uint8Array): Promise<void> {
    await Promise.all(this.streams!.map(async (s) => {
      const w = s.getWriter();
      await w.write(segment);
      w.releaseLock();
    }));
  }

  /** Lower-case hex digests by algorithm name. */
  async digests(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    if (this.streams) {
      await Promise.all(this.streams.map(async (s, i) => {
        await s.close();
        out[this.algorithms[i]] = hex(await s.digest);
      }));
    } else {
      const data = this.first ?? new Uint8Array(0);
      await Promise.all(this.algorithms.map(async (a) => { out[a] = hex(await crypto.subtle.digest(digestName(a), data)); }));
    }
    return out;
  }
}

/** A hash fed every byte of a body as it is stored (a chunked upload's running SHA-1). */
export interface PieceHasher {
  update(piece: Uint8Array): unknown;
}

export interface StoreOptions {
  /** Past this many bytes the body is refused with BodyTooLarge (quota). */
  maxBytes?: number;
  alsoHash?: PieceHasher;
}

/**
 * Stores a body as segments of at most SEGMENT_BYTES, each put into R2 from memory while the next
 * ones fill (at most PUTS_IN_FLIGHT + 1 segments are held), and hashes it on the way. Why not one streamed
 * put: any JavaScript between the request body and R2 (and hashing needs some) halves the rate of
 * a streamed put in workerd, while puts of whole buffers run at the bare put rate; and R2 cannot
 * take a stream of unknown length at all.
 *
 * `maxBytes` bounds the body (quota): past it BodyTooLarge is thrown. A body that fails or ends
 * short of its Content-Length throws IncompleteBody (the client went away). On any failure the
 * blobs of this write are deleted; stray ones are left for the orphan collector at worst.
 */
export async function storeBody(
  bucket: R2Bucket,
  body: ReadableStream<Uint8Array> | null,
  length: number | null,
  algorithms: string[],
  { maxBytes = Number.POSITIVE_INFINITY, alsoHash }: StoreOptions = {},
): Promise<StoredContent> {
  if (body && length !== null && length > 0 && length <= Math.min(maxBytes, MAX_DIRECT_PUT)) {
    if (algorithms.length === 0 && !alsoHash) return storeDirect(bucket, body, length);
    if (length > SEGMENT_BYTES) return storeStreamed(bucket, body, length, algorithms, alsoHash);
  }
  const hasher = new SegmentHasher(algorithms);
  const segments: Segment[] = [];
  let inFlight: Promise<unknown>[] = [];
  let size = 0;
  const flush = async (buf: Uint8Array) => {
    if (inFlight.length >= PUTS_IN_FLIGHT) await inFlight.shift();
    await hasher.update(buf);
    alsoHash?.update(buf);
    const key = newBlobKey();
    segments.push([key, buf.byteLength]);
    inFlight.push(bucket.put(key, buf));
  };
  try {
    if (body) {
      const reader = body.getReader();
      const segmentSize = () => Math.min(SEGMENT_BYTES, length === null ? SEGMENT_BYTES : Math.max(1, length - size));
      let buf = new Uint8Array(segmentSize());
      let fill = 0;
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (e) {
          throw new IncompleteBody(`The request body failed after ${size + fill} bytes: ${e instanceof Error ? e.message : String(e)}`);
        }
        if (chunk.done) break;
        const value = chunk.value;
        if (length !== null && size + fill + value.byteLength > length) throw new IncompleteBody('The request body is longer than its Content-Length');
        if (size + fill + value.byteLength > maxBytes) {
          await reader.cancel();
          throw new BodyTooLarge();
        }
        let offset = 0;
        while (offset < value.byteLength) {
          const take = Math.min(buf.byteLength - fill, value.byteLength - offset);
          buf.set(value.subarray(offset, offset + take), fill);
          fill += take;
          offset += take;
          if (fill === buf.byteLength) {
            await flush(buf);
            size += fill;
            fill = 0;
            buf = new Uint8Array(segmentSize());
          }
        }
      }
      if (fill > 0) {
        await flush(buf.subarray(0, fill));
        size += fill;
      }
      if (length !== null && size !== length) throw new IncompleteBody(`The request body ended after ${size} of ${length} bytes`);
    }
    await Promise.all(inFlight);
    return { segments, size, digests: await hasher.digests() };
  } catch (e) {
    await Promise.allSettled(inFlight);
    await deleteBlobs(bucket, segments.map(([k]) => k));
    throw e;
  }
}

/** A BYOB reader of a body; a stream that is not a byte stream is passed through one that is. */
function byteReader(body: ReadableStream<Uint8Array>): ReadableStreamBYOBReader {
  try {
    return body.getReader({ mode: 'byob' });
  } catch {
    return body.pipeThrough(new IdentityTransformStream()).getReader({ mode: 'byob' });
  }
}

/**
 * A large body of known length that must be hashed goes into R2 as one streamed put, fed in
 * SEGMENT_BYTES pieces: the runtime fills each piece (a BYOB read, no JavaScript step per network
 * chunk), the piece is hashed, and R2 takes it while the next one fills. Two buffers take turns,
 * so the memory held is two pieces whatever the size: fresh buffers per piece were measured to
 * pile up (+1 GiB of workerd RSS for a 1 GiB PUT), and buffered segment puts cost a fifth more
 * CPU than one streamed put in the local runtime.
 */
async function storeStreamed(bucket: R2Bucket, body: ReadableStream<Uint8Array>, length: number, algorithms: string[], alsoHash?: PieceHasher): Promise<StoredContent> {
  const reader = byteReader(body);
  const hashes = algorithms.map((a) => new crypto.DigestStream(digestName(a)));
  const hashWriters = hashes.map((h) => h.getWriter());
  const key = newBlobKey();
  const { readable, writable } = new FixedLengthStream(length);
  const toR2 = writable.getWriter();
  const put = bucket.put(key, readable);
  put.catch(() => {}); // awaited below; a failure before that is reported by the writes
  const spare = [new Uint8Array(SEGMENT_BYTES), new Uint8Array(SEGMENT_BYTES)];
  let size = 0;
  let writing: Promise<void> = Promise.resolve();
  const read = async (view: Uint8Array) => {
    try {
      return (await reader.readAtLeast(view.byteLength, view)).value;
    } catch (e) {
      throw new IncompleteBody(`The request body failed after ${size} bytes: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  try {
    while (size < length) {
      const want = Math.min(SEGMENT_BYTES, length - size);
      const piece = await read(spare.pop()!.subarray(0, want));
      if (!piece || piece.byteLength < want) throw new IncompleteBody(`The request body ended after ${size + (piece?.byteLength ?? 0)} of ${length} bytes`);
      size += want;
      await writing;
      await Promise.all(hashWriters.map((w) => w.write(piece)));
      alsoHash?.update(piece);
      writing = toR2.write(piece).then(() => { spare.push(new Uint8Array(piece.buffer as ArrayBuffer)); });
      writing.catch(() => {}); // awaited on the next turn or after an abort
    }
    const extra = await read(new Uint8Array(1));
    if (extra && extra.byteLength > 0) throw new IncompleteBody('The request body is longer than its Content-Length');
    await writing;
    await toR2.close();
    await put;
    const digests: Record<string, string> = {};
    await Promise.all(hashWriters.map(async (w, i) => {
      await w.close();
      digests[algorithms[i]] = hex(await hashes[i].digest);
    }));
    return { segments: [[key, length]], size: length, digests };
  } catch (e) {
    await toR2.abort(e).catch(() => {});
    await writing.catch(() => {});
    await put.catch(() => {});
    await deleteBlobs(bucket, [key]);
    throw e;
  }
}

/** Largest body put into R2 as one object (R2 takes up to 5 GiB in one put). */
const MAX_DIRECT_PUT = 4 * 1024 * 1024 * 1024;

/**
 * A body nobody needs hashed (a chunk of a chunked upload: the file's checksum is checked at the
 * final MOVE) goes into R2 as one streamed put with no JavaScript between the request and R2, at
 * the bare put rate. The runtime enforces the announced length; a short body fails the put.
 */
async function storeDirect(bucket: R2Bucket, body: ReadableStream<Uint8Array>, length: number): Promise<StoredContent> {
  const key = newBlobKey();
  const { readable, writable } = new FixedLengthStream(length);
  const piped = body.pipeTo(writable).catch((e: unknown) => e);
  try {
    await bucket.put(key, readable);
  } catch (e) {
    await deleteBlobs(bucket, [key]);
    const cause = await piped;
    throw new IncompleteBody(`The request body failed: ${cause instanceof Error ? cause.message : e instanceof Error ? e.message : String(e)}`);
  }
  const failed = await piped;
  if (failed !== undefined) {
    await deleteBlobs(bucket, [key]);
    throw new IncompleteBody(`The request body failed: ${failed instanceof Error ? failed.message : String(failed)}`);
  }
  return { segments: [[key, length]], size: length, digests: {} };
}

/** Streams content (or a byte range of it) across segments in order. */
export async function readSegments(bucket: R2Bucket, segments: Segment[], range?: { offset: number; length: number }): Promise<ReadableStream<Uint8Array>> {
  const total = segments.reduce((n, [, s]) => n + s, 0);
  const start = range?.offset ?? 0;
  const end = range ? range.offset + range.length : total;
  const parts: { key: string; offset: number; length: number; whole: boolean }[] = [];
  let pos = 0;
  for (const [key, size] of segments) {
    const from = Math.max(start, pos);
    const to = Math.min(end, pos + size);
    if (from < to) parts.push({ key, offset: from - pos, length: to - from, whole: from === pos && to === pos + size });
    pos += size;
  }
  const open = async (p: (typeof parts)[number]) => {
    const obj = await bucket.get(p.key, p.whole ? undefined : { range: { offset: p.offset, length: p.length } });
    if (!obj) throw new Error(`blob ${p.key} is missing`);
    return obj.body;
  };
  if (parts.length === 0) return new Response(new Uint8Array(0)).body!;
  if (parts.length === 1) return open(parts[0]);
  const { readable, writable } = new FixedLengthStream(end - start);
  (async () => {
    try {
      // The next segment is requested while the current one streams, so there is no gap between them.
      let next = open(parts[0]);
      for (let i = 0; i < parts.length; i++) {
        const current = await next;
        if (i + 1 < parts.length) next = open(parts[i + 1]);
        await current.pipeTo(writable, { preventClose: true });
      }
      await writable.close();
    } catch (e) {
      await writable.abort(e).catch(() => {});
    }
  })();
  return readable;
}

/** Copies content into new blobs (a copy must own its blobs: deleting one never hurts the other). */
export async function copySegments(bucket: R2Bucket, segments: Segment[]): Promise<Segment[]> {
  const out: Segment[] = [];
  for (const [key, size] of segments) {
    const obj = await bucket.get(key);
    if (!obj) throw new Error(`blob ${key} is missing`);
    const newKey = newBlobKey();
    const fixed = new FixedLengthStream(size);
    await Promise.all([bucket.put(newKey, fixed.readable), obj.body.pipeTo(fixed.writable)]);
    out.push([newKey, size]);
  }
  return out;
}

/** Deletes blobs, at most 1000 keys per call (R2's limit). */
export async function deleteBlobs(bucket: R2Bucket, keys: string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 1000) await bucket.delete(keys.slice(i, i + 1000));
}
