import { removeStaleUploads } from './store';

/** Nextcloud expires upload folders after 24 h without activity; so do we. */
export const UPLOAD_TTL_MS = 24 * 3600 * 1000;

/** Uploads removed per batch, and batches per run: bounded work per cron tick (every 15 min). */
const BATCH = 20;
const MAX_BATCHES = 10;

/** Removes abandoned chunked uploads (no chunk change for 24 h) with their chunks' blobs. */
export async function expireUploads(env: Env, now: Date): Promise<void> {
  const cutoff = now.getTime() - UPLOAD_TTL_MS;
  for (let i = 0; i < MAX_BATCHES; i++) {
    if ((await removeStaleUploads(env, cutoff, BATCH)) < BATCH) return;
  }
}
