import { applyD1Migrations, env } from 'cloudflare:test';

// Every test file starts from the real schema (the same migrations wrangler applies).
await applyD1Migrations(env.DB, (env as unknown as { TEST_MIGRATIONS: D1Migration[] }).TEST_MIGRATIONS);

interface D1Migration { name: string; queries: string[] }
