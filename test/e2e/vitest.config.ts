import path from 'node:path';
import { defineConfig } from 'vitest/config';

// End-to-end tests: real clients (litmus, cadaver, rclone, raw sockets) against `wrangler dev`
// started by test/support/server.mjs. Plain Node, one file at a time (each starts its own server).
export default defineConfig({
  test: {
    root: path.resolve(import.meta.dirname, '../..'),
    include: ['test/e2e/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 15 * 60_000,
    hookTimeout: 5 * 60_000,
    teardownTimeout: 60_000,
  },
});
