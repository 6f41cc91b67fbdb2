/**
 * The desktop-sync test tree: 1,000 small files from a seed in nested folders with Unicode and
 * space names, plus one large file that the client must upload chunked. Every mtime is set in the
 * past, because the client skips files modified within the last seconds ("still changing").
 */
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { prngBytes, prngStream, seededRandom } from '../support/prng.mjs';
import { sameBytes } from './tree.mjs';

export const SYNC_FOLDERS = [
  'docs',
  'docs/reports 2024',
  'docs/reports 2024/Q1 & Q2',
  'Ünïcødé Földer',
  'Ünïcødé Földer/日本語のフォルダ',
  'with space/and more spaces',
  'deep/a/b/c/d',
  'Große Dateien',
];
export const BIG_FILE = 'Große Dateien/groß 300 MiB.bin';

/** A fixed past mtime (seconds), distinct per index so the client sees real values. */
export const pastMtime = (i = 0) => 1_700_000_000 + i;

export async function setMtime(file, seconds) {
  await utimes(file, seconds, seconds);
}

/** Writes the tree under `dir`; resolves the relative paths of the small files. */
export async function generateSyncTree(dir, { seed = 'cumulus-sync-v1', count = 1000, bigSize = 300 * 1024 * 1024 } = {}) {
  const random = seededRandom(seed);
  for (const f of SYNC_FOLDERS) await mkdir(path.join(dir, f), { recursive: true });
  const files = [];
  for (let i = 0; i < count; i++) {
    const folder = SYNC_FOLDERS[Math.floor(random() * SYNC_FOLDERS.length)];
    const name = i % 3 === 0 ? `Ünïcødé ${i}.txt` : i % 3 === 1 ? `file ${i}.dat` : `f${i}.txt`;
    const rel = `${folder}/${name}`.normalize('NFC');
    await writeFile(path.join(dir, rel), prngBytes(`${seed}:${rel}`, 1 + Math.floor(random() * 8192)));
    await setMtime(path.join(dir, rel), pastMtime(i));
    files.push(rel);
  }
  await pipeline(prngStream(`${seed}:${BIG_FILE}`, bigSize), createWriteStream(path.join(dir, BIG_FILE)));
  await setMtime(path.join(dir, BIG_FILE), pastMtime(count));
  return files;
}

/** True for the sync client's own files in a synced folder (journal, logs), which never sync. */
function isClientFile(rel) {
  return /(^|\/)\.sync_[^/]*\.db(-wal|-shm)?$/.test(rel) || /(^|\/)\._sync_/.test(rel) || rel.endsWith('.nextcloudsync.log');
}

/** Regular files below `dir` (relative, "/"-separated, NFC), without the client's own files. */
export async function userFiles(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/').normalize('NFC'))
    .filter((p) => !isClientFile(p))
    .sort();
}

/** Differences between two synced folders: names, bytes and mtimes (seconds). */
export async function diffSynced(a, b) {
  const [fa, fb] = await Promise.all([userFiles(a), userFiles(b)]);
  const diffs = [];
  const sb = new Set(fb);
  const sa = new Set(fa);
  for (const p of fa) if (!sb.has(p)) diffs.push(`only in ${a}: ${p}`);
  for (const p of fb) if (!sa.has(p)) diffs.push(`only in ${b}: ${p}`);
  for (const p of fa) {
    if (!sb.has(p)) continue;
    const [x, y] = [path.join(a, p), path.join(b, p)];
    if (!(await sameBytes(x, y))) diffs.push(`content differs: ${p}`);
    else if (Math.floor((await stat(x)).mtimeMs / 1000) !== Math.floor((await stat(y)).mtimeMs / 1000)) diffs.push(`mtime differs: ${p}`);
  }
  return diffs;
}
