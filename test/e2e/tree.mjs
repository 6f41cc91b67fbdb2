/**
 * The end-to-end test tree: 500 files from a seed — nested folders, Unicode and space names,
 * names with # % + & ' and one 200 MiB file — plus helpers to hash and compare trees.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { prngBytes, prngStream, seededRandom } from '../support/prng.mjs';

export const BIG_FILE = 'Große Dateien/big file 200 MiB #1.bin';
export const BIG_SIZE = 200 * 1024 * 1024;

const FOLDERS = [
  '',
  'docs',
  'docs/reports 2024',
  'docs/reports 2024/Q1 & Q2',
  'Ünïcødé Földer',
  'Ünïcødé Földer/日本語のフォルダ',
  'Ünïcødé Földer/日本語のフォルダ/Ελληνικά',
  'special #1 100% a+b',
  "special #1 100% a+b/it's & more",
  'deep/a/b/c/d/e',
  'emoji 🎉 folder',
  'Große Dateien',
];

const STEMS = [
  (i) => `file-${i}.txt`,
  (i) => `Ünïcødé ${i}.md`,
  (i) => `日本語 ${i}.txt`,
  (i) => `emoji 🎉 ${i}.bin`,
  (i) => `100% sure #${i}.txt`,
  (i) => `a+b & c's ${i}.dat`,
  (i) => `with  two spaces ${i}.log`,
  (i) => `Ελληνικά-${i}.csv`,
  (i) => `hash#only${i}`,
  (i) => `percent%20not-an-escape ${i}.txt`,
];

function pickSize(random) {
  const r = random();
  if (r < 0.03) return 0;
  if (r < 0.4) return Math.floor(random() * 1024);
  if (r < 0.9) return Math.floor(random() * 64 * 1024);
  return 64 * 1024 + Math.floor(random() * 2 * 1024 * 1024);
}

/**
 * Writes the tree under `dir`; resolves its manifest [{ path, size }] (relative "/"-separated
 * paths, 500 entries including BIG_FILE).
 */
export async function generateTree(dir, { seed = 'cumulus-e2e-v1', count = 500, bigSize = BIG_SIZE } = {}) {
  const random = seededRandom(seed);
  const manifest = [];
  for (const folder of FOLDERS) await mkdir(path.join(dir, folder.normalize('NFC')), { recursive: true });
  for (let i = 0; manifest.length < count - 1; i++) {
    const folder = FOLDERS[Math.floor(random() * FOLDERS.length)];
    const name = STEMS[i % STEMS.length](i);
    const rel = (folder ? `${folder}/${name}` : name).normalize('NFC');
    const size = pickSize(random);
    await writeFile(path.join(dir, rel), prngBytes(`${seed}:${rel}`, size));
    manifest.push({ path: rel, size });
  }
  await pipeline(prngStream(`${seed}:${BIG_FILE}`, bigSize), createWriteStream(path.join(dir, BIG_FILE)));
  manifest.push({ path: BIG_FILE, size: bigSize });
  return manifest;
}

/** SHA-1 (hex) of a file, streamed. */
export async function sha1File(file) {
  const hash = createHash('sha1');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** Every regular file below `dir` as sorted relative "/"-separated paths. */
export async function listFiles(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

/** True when both files have identical bytes (compared chunk by chunk, never loaded whole). */
export async function sameBytes(a, b) {
  const [fa, fb] = await Promise.all([open(a), open(b)]);
  try {
    const [sa, sb] = await Promise.all([fa.stat(), fb.stat()]);
    if (sa.size !== sb.size) return false;
    const size = 1 << 20;
    const ba = Buffer.alloc(size);
    const bb = Buffer.alloc(size);
    for (let pos = 0; pos < sa.size; pos += size) {
      const [ra, rb] = await Promise.all([fa.read(ba, 0, size, pos), fb.read(bb, 0, size, pos)]);
      if (ra.bytesRead !== rb.bytesRead || !ba.subarray(0, ra.bytesRead).equals(bb.subarray(0, rb.bytesRead))) return false;
    }
    return true;
  } finally {
    await Promise.all([fa.close(), fb.close()]);
  }
}

/**
 * Compares two trees byte for byte; resolves a list of human-readable differences (empty when equal).
 */
export async function diffTrees(expectedDir, actualDir) {
  const [want, got] = await Promise.all([listFiles(expectedDir), listFiles(actualDir)]);
  const diffs = [];
  const gotSet = new Set(got);
  const wantSet = new Set(want);
  for (const p of want) if (!gotSet.has(p)) diffs.push(`missing: ${p}`);
  for (const p of got) if (!wantSet.has(p)) diffs.push(`unexpected: ${p}`);
  for (const p of want) {
    if (gotSet.has(p) && !(await sameBytes(path.join(expectedDir, p), path.join(actualDir, p)))) diffs.push(`content differs: ${p}`);
  }
  return diffs;
}
