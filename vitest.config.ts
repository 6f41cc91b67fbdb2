import path from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { buildWeb } from './scripts/build-web.mjs';

// Integration tests inside workerd with real D1 and R2 (miniflare). End-to-end tests with real
// clients against `wrangler dev` live in test/e2e and have their own config.
export default defineConfig(async () => {
  // wrangler.toml serves web/dist as the ASSETS binding: build it when missing or stale (a fresh
  // clone has none), so the suite starts and the web routes serve the real app.
  if (buildWeb({ ifStale: true, quiet: true }) !== 0) throw new Error('building the web app (web/) failed');
  const migrations = await readD1Migrations(path.join(import.meta.dirname, 'schema/migrations'));
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: './wrangler.toml' },
        // CUMULUS_TEST_CLOCK: the cron tests play time forward (worker/jobs/scheduled.ts jobClock).
        miniflare: { bindings: { TEST_MIGRATIONS: migrations, CUMULUS_TEST_CLOCK: '1' } },
      }),
    ],
    test: {
      include: ['test/**/*.test.ts'],
      exclude: ['test/e2e/**', 'test/bench/**', 'node_modules/**'],
      setupFiles: ['./test/apply-migrations.ts'],
      testTimeout: 30_000,
    },
  };
});
