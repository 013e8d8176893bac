/**
 * kill -9 of a node on PostgreSQL (shared mode) while clients submit over HTTP, 20 times over one
 * log (test/support/kill-under-load.ts): after each restart every 202 is in the log with its seq,
 * the log is whole, and the restarted node's stateHash equals a fresh replay.
 */
import { describe, expect, it } from 'vitest';
import { killUnderLoad } from '../support/kill-under-load.js';
import { freshPostgresSchema, requirePostgresForTests } from '../support/postgres-test-url.js';

describe('crash under load (PostgreSQL)', () => {
  if (requirePostgresForTests('crash under load')) {
    it('20 kill -9 mid-load: every 202 survives, the log is whole, restart = replay', async () => {
      const { url, drop } = freshPostgresSchema();
      try {
        const figures = await killUnderLoad({ location: { db: url }, kills: 20, seed: 17 });
        const sorted = [...figures.restartMs].sort((a, b) => a - b);
        console.log(`[crash under load, PostgreSQL] ${JSON.stringify({ ...figures, restartMs: `median ${Math.round(sorted[10]!)} ms, max ${Math.round(sorted.at(-1)!)} ms` })}`);
        expect(figures.kills).toBe(20);
        expect(figures.found).toBeGreaterThanOrEqual(figures.acked);
      } finally {
        await drop();
      }
    }, 180_000);
  }
});
