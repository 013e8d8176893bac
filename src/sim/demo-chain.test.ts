import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../../test/support/temp-dirs.js';
import { units } from '../../test/support/harness.js';
import { runDemo } from './demo.js';

const tmp = tempDirs('hs-demo-chain-');

describe('demo --chain: deposits, payout roots, claims and anchors on a local anvil', () => {
  it('reports the chain block with the books balanced between the treasury contract and the ledger', async () => {
    const r = await runDemo({ rounds: 2, items: 4, bootstrap: 40, seed: 3, out: join(tmp(), 'demo'), report: false, committee: false, chain: true });
    const c = r.summary.chain!;
    // After every round: treasury = deposits − claims paid, the ledger conserved, and the ledger's money + claimable = treasury.
    expect(c.conservation).toBe(true);
    expect(r.summary.conservation).toBe(true);
    // The deposits are the game's money: the subsidy budget and every operator's bankroll.
    expect(c.operators).toBe(r.metrics.lines.size);
    expect(BigInt(c.budget)).toBe(BigInt(units(r.config.subsidy)) * 2n * 4n);
    expect(BigInt(c.deposited)).toBe(BigInt(c.budget) + BigInt(c.operators) * BigInt(units(r.config.bankroll)));
    expect(c.anchors).toBe(2);
    expect(c.roots).toBe(2);
    expect(BigInt(c.claimed)).toBeGreaterThan(0n);
    // The last wallet leaves its last round's share unclaimed.
    expect(BigInt(c.unclaimed)).toBeGreaterThan(0n);
    expect(BigInt(c.treasury)).toBe(BigInt(c.deposited) - BigInt(c.claimed));
  }, 90_000);
});
