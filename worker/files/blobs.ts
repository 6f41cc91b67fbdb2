/**
 * File content in R2: an ordered list of immutable blobs (segments). A key never depends on a
 * path, so renames never touch R2, and a write always goes to new keys (ARCHITECTURE.md §1).
 */
export type Segment = [key: string, size: number];

/** A body without Content-Length is cut into segments of this size (R2 needs a known length). */
export const SEGMENT_BYTES = 16 * 1024 * 1024;

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

/**
 * Passes a request body on while watching it, so a broken upload is told apart from a storage
 * failure: the runtime reports a client that disconnects as a read error (chunked) or an early
 * end (with Content-Length), and both become IncompleteBody.
 */
function watchBody(body: ReadableStream<Uint8Array>, length: number | null) {
  const reader = body.getReader();
  let received = 0;
  let failure: IncompleteBody | null = null;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (e) {
        failure = new IncompleteBody(`The request body failed after ${received} bytes: ${e instanceof Error ? e.message : String(e)}`);
        return controller.error(failure);
      }
      if (chunk.done) {
        if (length !== null && received < length) {
          failure = new IncompleteBody(`The request body ended after ${received} of ${length} bytes`);
          return controller.error(failure);
        }
        return controller.close();
      }
      received += chunk.value.byteLength;
      controller.enqueue(chunk.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return { stream, failure: () => failure };
}

/** Streams chunks into one or more digest writers while passing them on. */
function hashingStream(algorithms: string[]): { stream: TransformStream<Uint8Array, Uint8Array>; digests: () => Promise<Record<string, string>> } {
  const streams = algorithms.map((a) => new crypto.DigestStream(a === 'SHA1' ? 'SHA-1' : a));
  const writers = streams.map((s) => s.getWriter());
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    async transform(chunk, controller) {
      await Promise.all(writers.map((w) => w.write(chunk)));
      controller.enqueue(chunk);
    },
    async flush() {
      await Promise.all(writers.map((w) => w.close()));
    },
  });
  const digests = async () => {
    const out: Record<string, string> = {};
    await Promise.all(streams.map(async (s, i) => { out[algorithms[i]] = hex(await s.digest); }));
    return out;
  };
  return { stream, digests };
}

function hex(buf: ArrayBuffer): string {
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Stores a body. With a known length it is one streamed put; without, it is cut into segments of
 * SEGMENT_BYTES, each put with a known length. `maxBytes` bounds a body of unknown length (quota);
 * past it everything stored so far is removed and BodyTooLarge is thrown. A body that breaks off
 * throws IncompleteBody. On any failure no blob of this write remains referenced; stray ones are
 * left for the orphan collector at worst.
 */
export async function storeBody(
  bucket: R2Bucket,
  body: ReadableStream<Uint8Array> | null,
  length: number | null,
  algorithms: string[],
  maxBytes = Number.POSITIVE_INFINITY,
): Promise<StoredContent> {
  if (!body || length === 0) {
    await body?.cancel();
    const digests: Record<string, string> = {};
    for (const a of algorithms) digests[a] = hex(await crypto.subtle.digest(a === 'SHA1' ? 'SHA-1' : a, new Uint8Array(0)));
    return { segments: [], size: 0, digests };
  }
  const watched = watchBody(body, length);
  try {
    return await storeStream(bucket, watched.stream, length, algorithms, maxBytes);
  } catch (e) {
    // Whatever the pipes made of it, a broken body is the reason the write failed.
    throw watched.failure() ?? e;
  }
}

async function storeStream(
  bucket: R2Bucket,
  body: ReadableStream<Uint8Array>,
  length: number | null,
  algorithms: string[],
  maxBytes: number,
): Promise<StoredContent> {
  const hashing = hashingStream(algorithms);
  const hashed = body.pipeThrough(hashing.stream);
  if (length !== null) {
    const key = newBlobKey();
    const fixed = new FixedLengthStream(length);
    const piping = hashed.pipeTo(fixed.writable);
    await Promise.all([bucket.put(key, fixed.readable), piping]);
    return { segments: [[key, length]], size: length, digests: await hashing.digests() };
  }
  const segments: Segment[] = [];
  try {
    let size = 0;
    let parts: Uint8Array[] = [];
    let partBytes = 0;
    const flush = async () => {
      if (partBytes === 0) return;
      const buf = new Uint8Array(partBytes);
      let o = 0;
      for (const p of parts) { buf.set(p, o); o += p.byteLength; }
      const key = newBlobKey();
      await bucket.put(key, buf);
      segments.push([key, partBytes]);
      parts = [];
      partBytes = 0;
    };
    const reader = hashed.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        throw new BodyTooLarge();
      }
      let chunk = value;
      while (partBytes + chunk.byteLength >= SEGMENT_BYTES) {
        const take = SEGMENT_BYTES - partBytes;
        parts.push(chunk.subarray(0, take));
        partBytes += take;
        chunk = chunk.subarray(take);
        await flush();
      }
      if (chunk.byteLength) { parts.push(chunk); partBytes += chunk.byteLength; }
    }
    await flush();
    return { segments, size, digests: await hashing.digests() };
  } catch (e) {
    await deleteBlobs(bucket, segments.map(([k]) => k));
    throw e;
  }
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
  if (parts.length === 1) return open(parts[0]);
  const { readable, writable } = new FixedLengthStream(end - start);
  (async () => {
    try {
      for (const p of parts) await (await open(p)).pipeTo(writable, { preventClose: true });
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
