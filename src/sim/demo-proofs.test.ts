import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../engine/engine.js';
import { runDemo } from './demo.js';

/**
 * `demo --proofs` at a small size (2 rounds × 6 items, models capped at 16 hashed features, 4-slot
 * batches; setups are cached under .cache/hindsight after the first run): every revealed trade is
 * covered by a verified batch proof, the copycat cannot prove and sits out, and the tampered batch
 * is refused.
 */
const out = mkdtempSync(join(tmpdir(), 'hindsight-demo-proofs-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('hindsight demo --proofs', () => {
  it('refuses a batch size out of range before writing anything', async () => {
    const bad = join(out, 'bad');
    await expect(runDemo({ out: bad, rounds: 1, items: 4, proofs: { batchItems: 0 } })).rejects.toThrow(/--batch-items: expected an integer in 1\.\.4096, got 0/);
    expect(existsSync(bad)).toBe(false);
  });

  it('covers every revealed trade with a verified batch proof and refuses the tampered one', async () => {
    const result = await runDemo({ out, rounds: 2, items: 6, seed: 3, bootstrap: 300, committee: false, report: false, proofs: { maxBuckets: 16, batchItems: 4 } });
    const p = result.summary.proofs!;
    expect(p.rejectedTampered).toBe(1);
    expect(p.unprovable).toEqual(['copycat-of-logreg-bigrams']);
    expect(p.provers).toEqual(expect.arrayContaining(['logreg-bigrams', 'mlp-16', 'logreg-small']));
    expect(p.batches).toBeGreaterThanOrEqual(2 * p.provers.length);
    expect(p.verifyMsPerBatch).toBeGreaterThan(0);
    expect(result.summary.conservation).toBe(true);

    const engine = await Engine.open({ dir: out });
    try {
      let revealed = 0;
      for (const r of engine.state.rounds.values()) {
        for (const s of r.sealed.values()) {
          if (!s.revealed) continue;
          revealed++;
          expect(r.proven?.has(`${s.model} ${s.item}`)).toBe(true);
        }
      }
      expect(revealed).toBe(p.items);
      expect(revealed).toBeGreaterThan(0);
    } finally {
      await engine.close();
    }
  }, 900_000);
});
