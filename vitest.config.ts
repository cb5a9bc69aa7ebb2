import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'bench/**/*.test.ts'],
    // *.postgres.test.ts need several connections at once: they run in the PostgreSQL suite
    // (KEEL_TEST_DATABASE_URL set, as .ci/run does) and are left out, not skipped, on PGlite.
    exclude: ['**/node_modules/**', ...(process.env.KEEL_TEST_DATABASE_URL ? [] : ['src/**/*.postgres.test.ts'])],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: more workers than that only adds contention on PGlite's WASM startup.
    maxWorkers: 2,
  },
});
