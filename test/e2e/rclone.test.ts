/**
 * rclone's WebDAV backend (vendor "other") copies a 500-file tree up — nested folders, Unicode and
 * space names, names with # % + & ', one 200 MiB file — checks it, and copies it back down
 * byte for byte.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { artifactsDir, startServer, strongPassword } from '../support/server.mjs';
import { rcloneFor } from './clients/rclone.mjs';
import { installed, missing } from './clients/run.mjs';
import { diffTrees, generateTree } from './tree.mjs';

let server: Awaited<ReturnType<typeof startServer>>;
let work: string;
let src: string;
let manifest: { path: string; size: number }[];
let rclone: (args: string[]) => Promise<{ code: number | null; output: string }>;

async function saveOutput(name: string, output: string) {
  await writeFile(path.join(artifactsDir, `rclone-${name}.txt`), output);
}

beforeAll(async () => {
  if (!installed('rclone')) throw new Error(missing('rclone'));
  work = await mkdtemp(path.join(os.tmpdir(), 'cumulus-rclone-'));
  src = path.join(work, 'src');
  manifest = await generateTree(src);
  server = await startServer({ name: 'rclone' });
  const user = await server.createUser('rclone', strongPassword());
  rclone = await rcloneFor({ url: server.davUrl(user.user), user: user.user, password: user.password, workDir: work });
});

afterAll(async () => {
  await server?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

it('generates the 500-file tree', () => {
  expect(manifest).toHaveLength(500);
});

it('rclone copy uploads the tree without errors', async () => {
  const r = await rclone(['copy', src, ':webdav:tree', '-v']);
  await saveOutput('copy-up', r.output);
  expect(r.output).not.toMatch(/\bERROR\b/);
  expect(r.code).toBe(0);
});

it('rclone check finds 0 differences', async () => {
  const r = await rclone(['check', src, ':webdav:tree']);
  await saveOutput('check', r.output);
  expect(r.output).toMatch(/\b0 differences found/);
  expect(r.output).toMatch(new RegExp(`\\b${manifest.length} matching files`));
  expect(r.code).toBe(0);
});

it('rclone copy downloads the tree, identical byte for byte', async () => {
  const dst = path.join(work, 'dst');
  const r = await rclone(['copy', ':webdav:tree', dst, '-v']);
  await saveOutput('copy-down', r.output);
  expect(r.code).toBe(0);
  expect(await diffTrees(src, dst)).toEqual([]);
});
