import { defineConfig } from 'vitest/config';
import { canMountTmpfs, chromiumPresent, postgresBinariesPresent } from './test/support/capabilities.js';

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

/**
 * Fault tests that need what a developer's machine may lack: left out there with a message, always
 * run under CI=true (where a missing capability fails them).
 */
const NEEDS_ROOT = ['test/faults/disk-full.test.ts'];
const NEEDS_POSTGRES_BINARIES = ['test/faults/postgres-restart.test.ts'];
const NEEDS_CHROMIUM = ['web/e2e/dashboard.test.ts', 'web/e2e/flag.test.ts'];
const leftOut: string[] = [];
if (process.env.CI !== 'true') {
  if (!canMountTmpfs()) {
    leftOut.push(...NEEDS_ROOT);
    console.warn(`disk-full tests left out (${NEEDS_ROOT.length} file): mounting a tmpfs needs root`);
  }
  if (!postgresBinariesPresent()) {
    leftOut.push(...NEEDS_POSTGRES_BINARIES);
    console.warn(`PostgreSQL restart tests left out (${NEEDS_POSTGRES_BINARIES.length} file): install postgresql (scripts/pg-test-server.sh install, as root)`);
  }
  if (!chromiumPresent()) {
    leftOut.push(...NEEDS_CHROMIUM);
    console.warn(`dashboard browser tests left out (${NEEDS_CHROMIUM.length} file): install Debian's chromium (apt-get install chromium)`);
  }
}

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'bench/**/*.test.ts', 'test/**/*.test.ts', 'web/e2e/**/*.test.ts'],
    exclude: ['**/node_modules/**', ...(withoutPostgres ? POSTGRES_ONLY : []), ...leftOut],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two files at a time on two cores: many files wait on child processes, real deadlines or I/O.
    maxWorkers: 2,
  },
});
