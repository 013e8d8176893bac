/**
 * kill -9 of a node on SQLite while clients submit over HTTP, 20 times over one log
 * (test/support/kill-under-load.ts): after each restart every 202 is in the log with its seq, the
 * log is whole, and the restarted node's stateHash equals a fresh replay.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { killUnderLoad } from '../support/kill-under-load.js';

describe('crash under load (SQLite)', () => {
  it('20 kill -9 mid-load: every 202 survives, the log is whole, restart = replay', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-kills-'));
    try {
      const figures = await killUnderLoad({ location: { dir }, kills: 20, seed: 16 });
      const sorted = [...figures.restartMs].sort((a, b) => a - b);
      console.log(`[crash under load, SQLite] ${JSON.stringify({ ...figures, restartMs: `median ${Math.round(sorted[10]!)} ms, max ${Math.round(sorted.at(-1)!)} ms` })}`);
      expect(figures.kills).toBe(20);
      expect(figures.found).toBeGreaterThanOrEqual(figures.acked);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
