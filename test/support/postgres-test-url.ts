/**
 * Where PostgreSQL tests find their server: HINDSIGHT_TEST_PG (scripts/pg-test-server.sh start
 * prints one). Without it the PostgreSQL tests are skipped with a message, except under CI=true,
 * where a missing URL is a failure, so CI can never pass by silently skipping them.
 */
import { it } from 'vitest';
import { scratchSchema } from './postgres-scratch-schema.js';

export const postgresTestUrl: string | undefined = process.env.HINDSIGHT_TEST_PG || undefined;

/** Call at the top level of a PostgreSQL test file; returns whether the PostgreSQL tests should run. */
export function requirePostgresForTests(suite: string): boolean {
  if (postgresTestUrl) return true;
  if (process.env.CI === 'true') {
    it(`${suite}: HINDSIGHT_TEST_PG must be set under CI`, () => {
      throw new Error('expected HINDSIGHT_TEST_PG=postgres://... under CI=true, got nothing (see .ci/run, scripts/pg-test-server.sh)');
    });
  } else {
    console.warn(`[${suite}] PostgreSQL part not run: set HINDSIGHT_TEST_PG=$(scripts/pg-test-server.sh start) to run it`);
  }
  return false;
}

/** A URL for a fresh, uniquely named schema on the test server, and a function dropping it. */
export function freshPostgresSchema(): { url: string; drop: () => Promise<void> } {
  if (!postgresTestUrl) throw new Error('HINDSIGHT_TEST_PG is not set');
  return scratchSchema(postgresTestUrl);
}
