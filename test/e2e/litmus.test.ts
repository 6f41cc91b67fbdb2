/**
 * litmus, the WebDAV compliance suite (RFC 4918): all five suites must run with zero failures.
 * Full output and litmus's debug.log per suite land in test-artifacts/litmus/<endpoint>/<suite>/;
 * any warnings litmus prints are listed here (README.md, "Tests", explains the known ones).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, startServer, strongPassword } from '../support/server.mjs';
import { LITMUS_SUITES, runLitmus } from './clients/litmus.mjs';
import { installed, missing } from './clients/run.mjs';

let server: Awaited<ReturnType<typeof startServer>>;
let user: { user: string; password: string };
const notes: string[] = [];

beforeAll(async () => {
  if (!installed('litmus')) throw new Error(missing('litmus'));
  server = await startServer({ name: 'litmus' });
  user = await server.createUser('litmus', strongPassword());
});

afterAll(async () => {
  await server?.stop();
  if (notes.length) console.warn(`litmus warnings and skips (${notes.length}):\n  ${notes.join('\n  ')}`);
});

async function suitePasses(endpoint: string, url: string, suite: string) {
  const outDir = path.join(artifactsDir, 'litmus', endpoint, suite);
  const result = await runLitmus({ url, user: user.user, password: user.password, suite, outDir });
  for (const w of result.warnings) notes.push(`[${endpoint}] WARNING ${w}`);
  for (const s of result.skipped) notes.push(`[${endpoint}] SKIPPED ${s}`);
  const summary = result.summaries[suite];
  expect(summary, `litmus ${suite} printed no summary; see ${outDir}/output.txt`).toBeDefined();
  expect(result.failures, `failed tests; see ${outDir}/output.txt and debug.log`).toEqual([]);
  expect(summary.failed).toBe(0);
  expect(summary.run).toBeGreaterThan(0);
  expect(summary.passed).toBe(summary.run);
  expect(result.code).toBe(0);
}

describe('litmus on /remote.php/dav/files/{user}/', () => {
  for (const suite of LITMUS_SUITES) {
    it(`${suite}: zero failures`, () => suitePasses('dav', server.davUrl(user.user), suite));
  }
});

describe('litmus on the legacy /remote.php/webdav/', () => {
  for (const suite of ['basic', 'copymove']) {
    it(`${suite}: zero failures`, () => suitePasses('webdav', `${server.url}/remote.php/webdav/`, suite));
  }
});
