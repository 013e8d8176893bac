import { defineConfig } from 'vitest/config';

/**
 * Files that test PostgreSQL only. Without a server (HINDSIGHT_TEST_PG unset) a developer's
 * `npm test` leaves them out and says so; under CI=true they always run, and a missing server
 * fails them (test/support/postgres-test-url.ts).
 */
const POSTGRES_ONLY = ['src/node/scale-out.test.ts', 'src/store/postgres-store.test.ts', 'src/store/crash-safety-postgres.test.ts', 'test/faults/crash-under-load-postgres.test.ts'];
const withoutPostgres = !process.env.HINDSIGHT_TEST_PG && process.env.CI !== 'true';
if (withoutPostgres) {
  console.warn(`PostgreSQL tests left out (${POSTGRES_ONLY.length} files): start one with scripts/pg-test-server.sh start and set HINDSIGHT_TEST_PG`);
}

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'bench/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', ...(withoutPostgres ? POSTGRES_ONLY : [])],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
