/**
 * cadaver, driven by a command script, copies the whole 500-file e2e tree (nested folders, Unicode
 * and space names, names with # % + & ', the 200 MiB file) up and back: cadaver has no recursive
 * put, so the script MKCOLs every folder, parents first, and PUTs every file one by one; then GETs
 * every file into another folder and compares SHA-1s. Every name of the tree can be written in
 * cadaver's command syntax (see quote() in clients/cadaver.mjs for the few that could not: line
 * breaks, tabs, arguments of 8 KiB or more).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { artifactsDir, startServer, strongPassword } from '../support/server.mjs';
import { quote, runCadaver } from './clients/cadaver.mjs';
import { installed, missing } from './clients/run.mjs';
import { BIG_FILE, generateTree, listFiles, sha1File } from './tree.mjs';

let server: Awaited<ReturnType<typeof startServer>>;
let work: string;
let files: string[];
let cadaver: (name: string, commands: string[]) => Promise<{ output: string; failures: string[] }>;

beforeAll(async () => {
  if (!installed('cadaver')) throw new Error(missing('cadaver'));
  work = await mkdtemp(path.join(os.tmpdir(), 'cumulus-cadaver-'));
  const manifest = await generateTree(path.join(work, 'src'));
  files = manifest.map((f) => f.path);
  server = await startServer({ name: 'cadaver' });
  const user = await server.createUser('cadaver', strongPassword());
  cadaver = async (name, commands) => {
    const r = await runCadaver({
      url: server.davUrl(user.user),
      user: user.user,
      password: user.password,
      commands,
      home: path.join(work, 'home'),
      cwd: work,
    });
    await writeFile(path.join(artifactsDir, `cadaver-${name}.txt`), r.output);
    return r;
  };
});

afterAll(async () => {
  await server?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Every folder the files need, parents first. */
function foldersOf(paths: string[]) {
  const all = new Set<string>();
  for (const p of paths) {
    const parts = p.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) all.add(parts.slice(0, i).join('/'));
  }
  return [...all].sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
}

it('takes the whole 500-file tree: the 200 MiB file, root files, deep folders and awkward names', async () => {
  expect(files).toHaveLength(500);
  expect(await listFiles(path.join(work, 'src'))).toEqual([...files].sort());
  expect(files).toContain(BIG_FILE);
  expect(files.some((f) => !f.includes('/'))).toBe(true);
  expect(files.some((f) => f.startsWith('deep/a/b/c/d/e/'))).toBe(true);
  expect(files.some((f) => /[#%+&']/.test(f))).toBe(true);
  expect(files.some((f) => f.includes('  '))).toBe(true);
});

it('mkcol + put uploads all 500 files', async () => {
  const folders = foldersOf(files);
  const commands = [
    ...folders.map((d) => `mkcol ${quote(d)}`),
    ...files.map((f) => `put ${quote(path.join(work, 'src', f))} ${quote(f)}`),
  ];
  const r = await cadaver('put', commands);
  expect(r.failures).toEqual([]);
  expect(r.output.match(/^Creating .*succeeded\.$/gm) ?? []).toHaveLength(folders.length);
  expect(r.output.match(/^Uploading .*succeeded\.$/gm) ?? []).toHaveLength(500);
});

it('get downloads all 500 files again with the same bytes (SHA-1)', async () => {
  const dst = path.join(work, 'dst');
  for (const d of ['', ...foldersOf(files)]) await mkdir(path.join(dst, d), { recursive: true });
  const r = await cadaver('get', files.map((f) => `get ${quote(f)} ${quote(path.join(dst, f))}`));
  expect(r.failures).toEqual([]);
  expect(r.output.match(/^Downloading .*succeeded\.$/gm) ?? []).toHaveLength(500);
  expect(await listFiles(dst)).toEqual([...files].sort());
  const mismatches: string[] = [];
  let compared = 0;
  for (const f of files) {
    const [want, got] = await Promise.all([sha1File(path.join(work, 'src', f)), sha1File(path.join(dst, f))]);
    if (want !== got) mismatches.push(`${f}: ${want} != ${got}`);
    compared++;
  }
  expect(mismatches).toEqual([]);
  expect(compared).toBe(500);
});
