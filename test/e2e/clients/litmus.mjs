/** Runs one litmus suite and parses its summary, warnings and skips. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { run } from './run.mjs';

export const LITMUS_SUITES = ['basic', 'copymove', 'props', 'locks', 'http'];

/**
 * Litmus rewrites a test's line with "\r" when it finishes; keep what a terminal would show.
 * @param {string} output
 */
export function terminalLines(output) {
  return output.split('\n').map((line) => {
    const parts = line.split('\r').filter((p) => p.trim() !== '');
    return parts.at(-1) ?? '';
  });
}

/**
 * Parses litmus output: summary per suite, warnings and skipped tests (each with its test name).
 * @param {string} output
 */
export function parseLitmus(output) {
  const summaries = {};
  const warnings = [];
  const skipped = [];
  const failures = [];
  let suite = null;
  let test = null;
  for (const line of terminalLines(output)) {
    const running = /^-> running `(\w+)':/.exec(line);
    if (running) suite = running[1];
    const numbered = /^\s*(\d+)\.\s+(\w+)\.*/.exec(line);
    if (numbered) test = `${numbered[1]}. ${numbered[2]}`;
    const summary = /<- summary for `(\w+)': of (\d+) tests run: (\d+) passed, (\d+) failed\. ([\d.]+)%/.exec(line);
    if (summary) {
      summaries[summary[1]] = { run: Number(summary[2]), passed: Number(summary[3]), failed: Number(summary[4]) };
      continue;
    }
    const warning = /WARNING: (.*)$/.exec(line);
    if (warning) warnings.push(`${suite}: ${test}: ${warning[1].trim()}`);
    if (/\bSKIPPED\b/.test(line)) skipped.push(`${suite}: ${test}`);
    const fail = /\bFAIL\b ?(.*)$/.exec(line);
    if (fail && numbered) failures.push(`${suite}: ${test}: ${fail[1].trim()}`);
  }
  return { summaries, warnings, skipped, failures };
}

/**
 * Runs `litmus <url> <user> <password>` with TESTS=<suite> in `outDir` (which receives litmus's
 * debug.log and child.log, plus output.txt); resolves { code, output, ...parseLitmus(output) }.
 */
export async function runLitmus({ url, user, password, suite, outDir, timeoutMs = 10 * 60_000 }) {
  await mkdir(outDir, { recursive: true });
  const result = await run('litmus', [url, user, password], {
    cwd: outDir,
    env: { ...process.env, TESTS: suite },
    timeoutMs,
  });
  await writeFile(path.join(outDir, 'output.txt'), result.output);
  return { code: result.code, output: result.output, ...parseLitmus(result.output) };
}
