/**
 * Shared pieces of the web app's browser tests: Chromium through playwright-core, axe-core checks,
 * screenshots in test-artifacts/screenshots/, and a server that is *not* set up yet (first run).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { artifactsDir, findFreePort, groupPids, repoRoot } from '../../support/server.mjs';

export const CHROMIUM = '/usr/bin/chromium';
export const screenshotsDir = path.join(artifactsDir, 'screenshots');

/** Headless Debian Chromium, as CI has it (.ci/run installs it). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (see .ci/run)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/** Saves a full-page screenshot as test-artifacts/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotsDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotsDir, `${name}.png`), fullPage: true });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation { id: string; impact: string | null; help: string; nodes: { target: string[]; failureSummary?: string }[] }

/**
 * Runs axe-core on the page and fails on any serious or critical violation (listing them).
 * Injected through the DevTools protocol (page.evaluate), since the app's CSP rightly refuses
 * inline scripts such as page.addScriptTag({ content }).
 */
export async function expectNoSeriousAxeViolations(page: Page, label: string): Promise<void> {
  await page.evaluate(`${axeSource}\n;void 0`);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious, `${label}: axe-core serious/critical violations:\n${JSON.stringify(serious, null, 2)}`).toEqual([]);
}

/** The page fits the viewport's width without sideways scrolling. */
export async function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

/**
 * A Cumulus server on a fresh DATA_DIR *without* an account (no ADMIN_USER), as a new install
 * is before its first-run setup. Its whole process group is killed by stop().
 */
export async function startBareServer(name: string) {
  const port = await findFreePort();
  const inspectorPort = await findFreePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cumulus-data-'));
  mkdirSync(artifactsDir, { recursive: true });
  const logFile = path.join(artifactsDir, `${name}-${port}-${new Date().toISOString().replace(/[:.]/g, '-')}.log`);
  const fd = openSync(logFile, 'a');
  const env: NodeJS.ProcessEnv = {
    ...process.env, PORT: String(port), INSPECTOR_PORT: String(inspectorPort), DATA_DIR: dataDir,
    LOG_LEVEL: 'log', BUILD_ONCE: '1', CUMULUS_PARENT_PID: String(process.pid),
  };
  delete env.ADMIN_USER;
  delete env.ADMIN_PASSWORD;
  const child = spawn(process.execPath, [path.join(repoRoot, 'scripts', 'start.mjs')], {
    cwd: repoRoot, env, detached: true, stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const pgid = child.pid!;
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    try { process.kill(-pgid, 'SIGTERM'); } catch { /* gone */ }
    const deadline = Date.now() + 10_000;
    while (groupPids(pgid).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    try { process.kill(-pgid, 'SIGKILL'); } catch { /* gone */ }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}); log ${logFile}`);
    try {
      const res = await fetch(`${url}/status.php`, { signal: AbortSignal.timeout(5000) });
      if (res.ok && (await res.json()).installed === false) break;
    } catch { /* not yet */ }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`server not ready after 120 s; log ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return { url, logFile, stop };
}
