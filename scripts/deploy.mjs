#!/usr/bin/env node
/**
 * `npm run deploy`: deploy Cumulus to your Cloudflare account.
 *   1. checks that wrangler is authenticated (`wrangler login`, or CLOUDFLARE_API_TOKEN in CI),
 *   2. creates the D1 database (wrangler.toml `database_name`, "cumulus") if the account lacks it and
 *      writes its id into wrangler.toml when `database_id` is still the all-zero placeholder,
 *   3. creates the R2 bucket (`bucket_name`, "cumulus-files") if missing,
 *   4. applies the D1 migrations remotely (`wrangler d1 migrations apply DB --remote`),
 *   5. builds the web app (web/ → web/dist, served as static assets),
 *   6. `wrangler deploy`.
 * Idempotent: running it again only applies new migrations and deploys. No secrets are needed yet.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { stripVTControlCharacters } from 'node:util';
import { buildWeb } from './build-web.mjs';

const root = path.resolve(import.meta.dirname, '..');
const configPath = path.join(root, 'wrangler.toml');
const wranglerBin = path.join(root, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
const PLACEHOLDER_ID = '00000000-0000-0000-0000-000000000000';
// Non-interactive: no prompts (migrations apply asks for confirmation otherwise).
const env = { ...process.env, CI: 'true' };

function log(message) {
  console.log(`[deploy] ${message}`);
}

function fail(message) {
  console.error(`[deploy] ${message}`);
  process.exit(1);
}

/** Runs wrangler showing its output; exits on failure. */
function wrangler(args) {
  log(`wrangler ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [wranglerBin, ...args], { cwd: root, env, stdio: 'inherit' });
  if (r.status !== 0) fail(`wrangler ${args[0]} ${args[1] ?? ''} failed (exit ${r.status ?? r.signal})`);
}

/** Runs wrangler and returns its stdout (stderr passes through); exits on failure. */
function wranglerOutput(args) {
  const r = spawnSync(process.execPath, [wranglerBin, ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) {
    process.stdout.write(r.stdout ?? '');
    fail(`wrangler ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
  }
  return stripVTControlCharacters(r.stdout);
}

/** The `key = "value"` entries of the first [[table]] block whose binding is `binding`. */
function tomlBlock(toml, table, binding) {
  const blocks = toml.split(/^(?=\[)/m).filter((b) => b.startsWith(`[[${table}]]`));
  for (const block of blocks) {
    const entries = Object.fromEntries([...block.matchAll(/^\s*(\w+)\s*=\s*"([^"]*)"/gm)].map((m) => [m[1], m[2]]));
    if (entries.binding === binding) return entries;
  }
  fail(`wrangler.toml has no [[${table}]] with binding = "${binding}"`);
}

function checkAuth() {
  const r = spawnSync(process.execPath, [wranglerBin, 'whoami'], { cwd: root, env, encoding: 'utf8' });
  const out = stripVTControlCharacters(`${r.stdout}${r.stderr}`);
  if (r.status !== 0 || /not authenticated/i.test(out)) {
    fail('wrangler is not logged in: run `npx wrangler login` (or set CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID), then `npm run deploy` again.');
  }
  const account = /associated with the email (\S+?)\.?\s*$/m.exec(out)?.[1];
  log(`authenticated${account ? ` as ${account}` : ''}`);
}

function listDatabases() {
  const out = wranglerOutput(['d1', 'list', '--json']);
  const start = out.indexOf('[');
  if (start < 0) fail(`unexpected output of wrangler d1 list --json:\n${out}`);
  return JSON.parse(out.slice(start));
}

function ensureDatabase() {
  const toml = readFileSync(configPath, 'utf8');
  const { database_name: name, database_id: id } = tomlBlock(toml, 'd1_databases', 'DB');
  if (id && id !== PLACEHOLDER_ID) {
    log(`D1 database "${name}" is configured (${id})`);
    return;
  }
  let db = listDatabases().find((d) => d.name === name);
  if (db) log(`D1 database "${name}" exists (${db.uuid})`);
  else {
    wrangler(['d1', 'create', name]);
    db = listDatabases().find((d) => d.name === name);
    if (!db) fail(`D1 database "${name}" was created but is not listed yet; run npm run deploy again`);
  }
  // Replace only the placeholder id, keeping the file's comments and layout.
  const updated = toml.replace(`database_id = "${PLACEHOLDER_ID}"`, `database_id = "${db.uuid}"`);
  if (updated === toml) fail(`could not find database_id = "${PLACEHOLDER_ID}" in wrangler.toml`);
  writeFileSync(configPath, updated);
  log(`wrote database_id = "${db.uuid}" into wrangler.toml (commit this change)`);
}

function ensureBucket() {
  const { bucket_name: name } = tomlBlock(readFileSync(configPath, 'utf8'), 'r2_buckets', 'FILES');
  const names = [...wranglerOutput(['r2', 'bucket', 'list']).matchAll(/^\s*name:\s+(\S+)/gm)].map((m) => m[1]);
  if (names.includes(name)) log(`R2 bucket "${name}" exists`);
  else wrangler(['r2', 'bucket', 'create', name]);
}

checkAuth();
ensureDatabase();
ensureBucket();
wrangler(['d1', 'migrations', 'apply', 'DB', '--remote']);
if (buildWeb() !== 0) fail('building the web app (web/) failed');
wrangler(['deploy']);
log('done');
