import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../../test/support/temp-dirs.js';
import { units } from '../../test/support/harness.js';
import { runDemo } from './demo.js';

const tmp = tempDirs('hs-demo-chain-');

describe('demo --chain: deposits, payout roots, claims and anchors on a local anvil', () => {
  it('reports the chain block with the books balanced between the treasury contract and the ledger', async () => {
    const r = await runDemo({ rounds: 2, items: 24, bootstrap: 160, seed: 3, out: join(tmp(), 'demo'), report: false, committee: false, chain: true });
    const c = r.summary.chain!;
    expect(c.conservation).toBe(true);
    expect(r.summary.conservation).toBe(true);
    // Three wallets deposited 1000 units each; every unit withdrawn was either claimed or is still claimable.
    expect(BigInt(c.deposited)).toBe(3n * BigInt(units(1000)));
    expect(c.anchors).toBe(2);
    expect(c.roots).toBe(2);
    expect(BigInt(c.claimed)).toBeGreaterThan(0n);
    // The last wallet leaves its last round's share unclaimed.
    expect(BigInt(c.unclaimed)).toBeGreaterThan(0n);
    expect(BigInt(c.claimed) + BigInt(c.unclaimed)).toBe(BigInt(c.deposited));
    expect(BigInt(c.treasury)).toBe(BigInt(c.deposited) - BigInt(c.claimed));
  }, 90_000);
});
