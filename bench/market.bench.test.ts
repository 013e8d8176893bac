import { describe, expect, it } from 'vitest';
import { run } from './market.bench.js';

// Not a timing test: the bench must still play its trades and its sealed round through the game.
describe('bench market (quick)', () => {
  it('executes every trade of the continuous run and of the sealed round', async () => {
    const out = (await run({ quick: true })) as { tradesPerSec: number; verifyPerSec: number; scale: { items: number; models: number; trades: number; settleItemsPerSec: number } };
    expect(out.scale).toMatchObject({ items: 1000, models: 20, trades: 20_000 });
    for (const rate of [out.tradesPerSec, out.verifyPerSec, out.scale.settleItemsPerSec]) {
      expect(rate).toBeGreaterThan(0);
      expect(Number.isFinite(rate)).toBe(true);
    }
  });
});
