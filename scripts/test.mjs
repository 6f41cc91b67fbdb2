#!/usr/bin/env node
/**
 * `npm test`: every test, in order —
 *   0. build the web app (web/ → web/dist; the Worker serves it, the browser tests drive it),
 *   1. the typecheck (`tsc --noEmit`, the web app, the bench-only baseline Worker; counted as one test),
 *   2. the suite inside workerd (`vitest run`, vitest.config.ts),
 *   3. the end-to-end suite with real clients (`vitest run --config test/e2e/vitest.config.ts`).
 * All steps run even when one fails; exits non-zero if any failed, and ends with one plain line
 * "N passed, N failed" summing them. Machine-readable results: test-artifacts/vitest-*.json.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { buildWeb } from './build-web.mjs';

const root = path.resolve(import.meta.dirname, '..');
const artifacts = path.join(root, 'test-artifacts');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
mkdirSync(artifacts, { recursive: true });


function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
    const forward = (signal) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 128 : 1));
    });
    child.on('error', (err) => {
      console.error(`[test] cannot run ${command}: ${err.message}`);
      resolve(1);
    });
  });
}

/** Counts from vitest's JSON report; a file that failed outside any test counts as one failure. */
function countVitest(reportFile, exitCode) {
  if (!existsSync(reportFile)) return { passed: 0, failed: 1, note: 'no report (vitest crashed?)' };
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  let failed = report.numFailedTests;
  for (const file of report.testResults ?? []) {
    const anyFailedTest = (file.assertionResults ?? []).some((t) => t.status === 'failed');
    if (file.status === 'failed' && !anyFailedTest) failed += 1;
  }
  if (exitCode !== 0 && failed === 0) failed = 1; // e.g. unhandled errors, no test files
  return { passed: report.numPassedTests, failed };
}

async function vitestStep(label, configArgs, reportName) {
  const reportFile = path.join(artifacts, reportName);
  rmSync(reportFile, { force: true });
  console.log(`\n[test] ${label}`);
  const code = await run(bin('vitest'), [
    'run', ...configArgs,
    '--reporter=default', '--reporter=json', `--outputFile.json=${reportFile}`,
  ]);
  const counts = countVitest(reportFile, code);
  console.log(`[test] ${label}: ${counts.passed} passed, ${counts.failed} failed${counts.note ? ` (${counts.note})` : ''}`);
  return counts;
}

const totals = { passed: 0, failed: 0 };
function add(counts) {
  totals.passed += counts.passed;
  totals.failed += counts.failed;
}

console.log('[test] building the web app (vite build)');
const webCode = buildWeb();
console.log(`[test] web build: ${webCode === 0 ? 'done' : 'failed'}`);
if (webCode !== 0) add({ passed: 0, failed: 1 }); // a build, not a test: it counts only when it fails

console.log('[test] typecheck: tsc --noEmit (the Worker and its tests), tsc -p web, tsc -p test/bench/baseline');
const tscCode = Math.max(
  await run(bin('tsc'), ['--noEmit']),
  await run(bin('tsc'), ['--noEmit', '-p', 'web']),
  await run(bin('tsc'), ['-p', 'test/bench/baseline']),
);
console.log(`[test] typecheck: ${tscCode === 0 ? 'passed' : 'failed'}`);
add(tscCode === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 });

add(await vitestStep('workerd suite (vitest.config.ts)', [], 'vitest-workerd.json'));
add(await vitestStep('end-to-end suite (test/e2e/vitest.config.ts)', ['--config', 'test/e2e/vitest.config.ts'], 'vitest-e2e.json'));

console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed === 0 ? 0 : 1);
