import { readSegments, type Segment } from '../blobs';

/** Checksum types a completed upload can be verified against (and then stored as). */
export const VERIFIABLE_ON_COMPLETION = new Set(['SHA1', 'MD5']);

function hex(buf: ArrayBuffer): string {
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Digests of content stored as segments, by reading it back from R2 through DigestStreams. A hash
 * of the whole file cannot be combined from per-chunk hashes: completing an upload costs this full
 * read only when the client sends OC-Checksum and the chunks did not come in order (chained-sha1.ts)
 * or the checksum is an MD5.
 */
export async function digestSegments(bucket: R2Bucket, segments: Segment[], algorithms: string[]): Promise<Record<string, string>> {
  const digesters = algorithms.map((a) => new crypto.DigestStream(a === 'SHA1' ? 'SHA-1' : a));
  const source = await readSegments(bucket, segments);
  if (digesters.length === 1) {
    await source.pipeTo(digesters[0]);
  } else {
    const writers = digesters.map((d) => d.getWriter());
    const reader = source.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      await Promise.all(writers.map((w) => w.write(value)));
    }
    await Promise.all(writers.map((w) => w.close()));
  }
  const out: Record<string, string> = {};
  await Promise.all(digesters.map(async (d, i) => { out[algorithms[i]] = hex(await d.digest); }));
  return out;
}
