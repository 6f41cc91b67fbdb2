import { compareNatural } from './order';
import { RunningSha1 } from './running-sha1';

/**
 * The file checksum of a chunked upload, computed while its chunks stream in. A chunk named by a
 * number (as every client names them) continues the running SHA-1 of the chunk before it when that
 * one has a state, and starts
 * it when it is the first chunk (named 0 or 1, nothing before it); otherwise it is stored without
 * hashing. Clients that send their chunks one after the other (the desktop client) thus have the
 * whole file hashed when the final MOVE comes, which then verifies `OC-Checksum` without reading
 * the file back. Chunks sent in parallel or out of order, or re-sent, break the chain: the MOVE
 * then reads the content back (finish.ts).
 */

interface ChainedChunk {
  name: string;
  segments: string;
  sha1State: string | null;
  sha1After: string | null;
}

/** Chunk names the running SHA-1 follows: numbers (every client's form), whose natural order is numeric. */
export const CHAINABLE_NAME = /^0*\d{1,15}$/; // leading zeros of any width (the desktop pads to 16)

/**
 * Where the running SHA-1 of a new numbered chunk `name` starts, given `before`, the chunk just
 * before it (UploadStore.chunkBefore); null: do not hash it.
 */
export function chainStart(before: ChainedChunk | null, name: string): { hash: RunningSha1; after: string } | null {
  if (!before) return /^0*[01]$/.test(name) ? { hash: RunningSha1.start(), after: '' } : null;
  const hash = before.sha1State === null ? null : RunningSha1.resume(before.sha1State);
  return hash ? { hash, after: before.segments } : null;
}

/**
 * The lower-case hex SHA-1 of the assembled file when every chunk, in natural order, continued
 * the state of the chunk now before it (so the chain saw exactly these bytes); else null.
 */
export function chainedSha1(chunks: readonly ChainedChunk[]): string | null {
  const ordered = [...chunks].sort((a, b) => compareNatural(a.name, b.name));
  let after = '';
  let state: string | null = null;
  for (const c of ordered) {
    if (c.sha1State === null || c.sha1After !== after) return null;
    after = c.segments;
    state = c.sha1State;
  }
  return state === null ? RunningSha1.start().hex() : RunningSha1.resume(state)?.hex() ?? null;
}
