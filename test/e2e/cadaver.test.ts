/**
 * cadaver, driven by a command script: MKCOL the folders, PUT part of the e2e tree (Unicode,
 * spaces, # % + & ' names and the 200 MiB file), GET everything back and compare SHA-1s.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { artifactsDir, startServer, strongPassword } from '../support/server.mjs';
import { quote, runCadaver } from './clients/cadaver.mjs';
import { installed, missing } from './clients/run.mjs';
import { BIG_FILE, generateTree, sha1File } from './tree.mjs';

const FOLDERS = ['Ünïcødé Földer', 'special #1 100% a+b', 'Große Dateien'];

let server: Awaited<ReturnType<typeof startServer>>;
let work: string;
let files: string[];
let cadaver: (name: string, commands: string[]) => Promise<{ output: string; failures: string[] }>;

beforeAll(async () => {
  if (!installed('cadaver')) throw new Error(missing('cadaver'));
  work = await mkdtemp(path.join(os.tmpdir(), 'cumulus-cadaver-'));
  const manifest = await generateTree(path.join(work, 'src'));
  files = manifest.map((f) => f.path).filter((p) => FOLDERS.some((f) => p.startsWith(`${f}/`)));
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

it('picks a subset with the 200 MiB file and awkward names', () => {
  expect(files).toContain(BIG_FILE);
  expect(files.some((f) => /[#%+&']/.test(f))).toBe(true);
  expect(files.length).toBeGreaterThan(50);
});

it('mkcol + put uploads the subset', async () => {
  const commands = [
    ...foldersOf(files).map((d) => `mkcol ${quote(d)}`),
    ...files.map((f) => `put ${quote(path.join(work, 'src', f))} ${quote(f)}`),
  ];
  const r = await cadaver('put', commands);
  expect(r.failures).toEqual([]);
  expect(r.output.match(/^Creating .*succeeded\.$/gm) ?? []).toHaveLength(foldersOf(files).length);
  expect(r.output.match(/^Uploading .*succeeded\.$/gm) ?? []).toHaveLength(files.length);
});

it('get downloads the same bytes (SHA-1)', async () => {
  for (const d of foldersOf(files)) await mkdir(path.join(work, 'dst', d), { recursive: true });
  const r = await cadaver('get', files.map((f) => `get ${quote(f)} ${quote(path.join(work, 'dst', f))}`));
  expect(r.failures).toEqual([]);
  const mismatches: string[] = [];
  for (const f of files) {
    const [want, got] = await Promise.all([sha1File(path.join(work, 'src', f)), sha1File(path.join(work, 'dst', f))]);
    if (want !== got) mismatches.push(`${f}: ${want} != ${got}`);
  }
  expect(mismatches).toEqual([]);
});
