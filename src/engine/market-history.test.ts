import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { GameHarness, belief, units } from '../../test/support/harness.js';
import { marketPrices } from '../game/exchange.js';
import { prices as lmsrPrices } from '../market/lmsr.js';
import { gaussianEpsilon } from '../fl/privacy/gaussian-dp.js';
import { pseudoModelHash } from '../statement/pseudo-model-hash.js';
import { flEpsilonSpent } from './dashboard-views.js';
import { Engine } from './engine.js';
import { marketHistory } from './market-history.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A continuous round under the community's quadratic rule, logged by a real engine. */
async function qmsrRound(beliefs: number[][]): Promise<Engine> {
  const h = new GameHarness();
  await h.create({ trading: 'continuous', members: ['alice', 'bob'] });
  await h.run('admin', 'rules.change', { fromRound: 1, rules: { scoring: 'qmsr' } });
  const models = { alice: pseudoModelHash('alice-model'), bob: pseudoModelHash('bob-model') };
  await h.run('alice', 'model.commit', { modelHash: models.alice, architecture: 'x', name: 'alice' });
  await h.run('bob', 'model.commit', { modelHash: models.bob, architecture: 'x', name: 'bob' });
  await h.openRound(1, ['s1'], { outcomes: 3 });
  for (const [i, b] of beliefs.entries()) {
    const who = i % 2 === 0 ? 'alice' : 'bob';
    // A belief the market already holds is refused (no-op); the history skips nothing else.
    await h.run(who, 'trade.execute', { round: 1, item: 's1', model: models[who], trade: { kind: 'belief', belief: b, maxCost: units(20) } }).catch(() => undefined);
  }
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-history-'));
  dirs.push(dir);
  const engine = await Engine.open({ dir });
  for (const ev of h.log) await engine.submit(ev);
  return engine;
}

describe('market history under the community scoring rule', () => {
  it('rebuilds a QMSR market with the quadratic rule: every point, and the last equals the live prices', async () => {
    const engine = await qmsrRound([belief(0.1, 0.1, 0.8), belief(0.6, 0.3, 0.1), belief(0.2, 0.5, 0.3)]);
    try {
      const market = engine.state.rounds.get(1)!.markets.get('s1')!;
      expect(market.rule).toBe('qmsr');
      const h = (await marketHistory(engine.state, engine.store, 1, 's1'))!;
      expect(h.trades).toHaveLength(3);
      expect(h.trades.at(-1)!.prices).toEqual(marketPrices(market).map(String));
      // The LMSR reading of the same quantities differs, so the check above can tell the rules apart.
      expect(lmsrPrices(market.q, market.b).map(String)).not.toEqual(h.trades.at(-1)!.prices);
      // A belief trade under QMSR moves the price to the belief itself (when affordable).
      expect(h.trades[0]!.prices.map(Number)).toEqual(belief(0.1, 0.1, 0.8));
    } finally {
      await engine.close();
    }
  });
});

describe('ε spent on an FL task', () => {
  it('is the analytic Gaussian ε of the completed rounds; 0 before any, unbounded without noise', () => {
    expect(flEpsilonSpent({ noiseMultiplier: 1.1, delta: '0.00001' }, 0)).toBe(0);
    expect(flEpsilonSpent({ noiseMultiplier: 0, delta: '0.00001' }, 3)).toBeNull();
    expect(flEpsilonSpent({ noiseMultiplier: 1.1, delta: '0.00001' }, 10)).toBe(gaussianEpsilon({ sigma: 1.1, steps: 10, delta: 1e-5 }));
  });

  it('grows with every completed round and shrinks with more noise', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.3, max: 20, noNaN: true }), fc.integer({ min: 1, max: 200 }), (sigma, rounds) => {
        const d = { noiseMultiplier: sigma, delta: '0.00001' };
        const now = flEpsilonSpent(d, rounds)!;
        expect(flEpsilonSpent(d, rounds + 1)!).toBeGreaterThanOrEqual(now);
        expect(flEpsilonSpent({ ...d, noiseMultiplier: sigma * 1.5 }, rounds)!).toBeLessThanOrEqual(now);
      }),
      { numRuns: 40 },
    );
  });
});
