import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { UNIT } from '../core/money.js';
import { Engine } from '../engine/engine.js';
import { DemoWorld, units } from '../sim/demo-world.js';
import type { DemoRoundSet } from '../sim/demo-data.js';
import { DEFAULT_BANKROLL, maxCostPerItem, toBelief, trackRecordMultiplier } from './operator-bankroll.js';
import type { LabeledExample } from './operator-history.js';
import type { ModelStrategy, PreparedModel } from './operator-strategy.js';
import { CopycatStrategy } from './operators/copycat.js';
import { pseudoModelHash } from '../statement/pseudo-model-hash.js';

const root = mkdtempSync(join(tmpdir(), 'hindsight-operator-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A strategy that records every history it is trained on and believes the majority class of it. */
class SpyStrategy implements ModelStrategy {
  readonly name = 'spy';
  readonly seen: { round: number; examples: LabeledExample[] }[] = [];
  async train(history: readonly LabeledExample[], context: { round: number; classes: number }): Promise<PreparedModel> {
    this.seen.push({ round: context.round, examples: [...history] });
    const ones = history.filter((e) => e.label === 1).length;
    const p1 = (ones + 1) / (history.length + 2);
    return { modelHash: pseudoModelHash(`spy-model-round-${context.round}`), architecture: 'majority', beliefs: async (_r, items) => items.map(() => [1 - p1, p1]) };
  }
}

function roundSet(round: number, labels: number[]): DemoRoundSet {
  const items = labels.map((_, i) => ({ id: `r${round}-${i}`, outcomes: 2, input: { text: `item ${round}/${i}` } }));
  return { round, items, labels: new Map(items.map((item, i) => [item.id, labels[i]!])) };
}

async function world(dir: string, strategies: ModelStrategy[]) {
  const engine = await Engine.open({ dir: join(root, dir) });
  const bootstrap: LabeledExample[] = [{ round: 0, item: 'b0', outcomes: 2, input: { text: 'public' }, label: 0 }];
  const w = await DemoWorld.create(engine, { seed: 1, community: 'op-test', subsidyPerItem: units(10), budget: units(1000), bankroll: units(1000), rule: DEFAULT_BANKROLL, bootstrap, strategies });
  return { engine, w };
}

describe('Operator', () => {
  it('never sees a round’s labels before the round settles', async () => {
    const spy = new SpyStrategy();
    const { engine, w } = await world('labels', [spy]);
    try {
      const r1 = roundSet(1, [1, 1, 0, 1]);
      await w.schedule(r1);
      await w.open(1);
      await w.trade(1);
      await w.closeAndReveal(1);
      await w.resolve(r1);
      // Round 1 is resolved (labels are in the state) but not settled: still invisible.
      const op = w.operators[0]!;
      await op.prepare(2, Date.UTC(2026, 0, 1, 1, 59));
      expect(spy.seen.map((s) => s.round)).toEqual([1, 2]);
      for (const s of spy.seen) expect(s.examples.map((e) => e.round)).toEqual([0]);
      await w.settle(1);
      await op.prepare(3, Date.UTC(2026, 0, 1, 2, 0));
      const after = spy.seen[2]!.examples;
      expect(after.filter((e) => e.round === 1).map((e) => [e.item, e.label])).toEqual([...r1.labels.entries()]);
      // It traded every item of round 1 under its committed hash, and reveals matched its commits.
      const board = engine.state.leaderboard.get(pseudoModelHash('spy-model-round-1'))!;
      expect(board.itemsTraded).toBe(4);
      expect(board.scoredItems).toBe(4);
    } finally {
      await engine.close();
    }
  });

  it('copycat: under sealed trading nothing is revealed while the market is open, so it trades nothing', async () => {
    const spy = new SpyStrategy();
    const copy = new CopycatStrategy('spy', (round) => pseudoModelHash(`spy-model-round-${round}`));
    const { engine, w } = await world('copycat', [spy, copy]);
    try {
      const r1 = roundSet(1, [1, 0, 1]);
      await w.schedule(r1);
      await w.open(1);
      await w.trade(1);
      const copier = w.operators[1]!;
      expect(copier.rounds.get(1)!.trades.size).toBe(0);
      await w.closeAndReveal(1);
      await w.resolve(r1);
      await w.settle(1);
      const hash = copier.rounds.get(1)!.model.modelHash;
      expect(engine.state.leaderboard.get(hash)!.pnl).toBe(0n);
      // …whereas the copied beliefs are public now, after the fact.
      const market = await w.client.market(1, 'r1-0');
      expect(market!.positions.some((p) => p.model === pseudoModelHash('spy-model-round-1') && p.belief !== null)).toBe(true);
    } finally {
      await engine.close();
    }
  });
});

describe('bankroll rule and beliefs', () => {
  it('toBelief sums to exactly 10^12, floors each probability and keeps the order', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2, maxLength: 8 }), (raw) => {
        const probs = raw.every((p) => p === 0) ? raw.map(() => 1) : raw;
        const belief = toBelief(probs);
        expect(belief.reduce((a, b) => a + b, 0)).toBe(1e12);
        // The floor bounds the odds against any outcome at 10^4 : 1.
        expect(Math.min(...belief) / Math.max(...belief)).toBeGreaterThanOrEqual(1e-4 * (1 - 1e-6));
        for (let i = 0; i < probs.length; i++) for (let j = 0; j < probs.length; j++) if (probs[i]! > probs[j]! + 1e-9 && probs[i]! > 1e-4) expect(belief[i]!).toBeGreaterThanOrEqual(belief[j]!);
      }),
    );
  });

  it('the track-record multiplier shrinks the bets of an operator that has been losing, never grows them', () => {
    const rule = { ...DEFAULT_BANKROLL, trackRecord: 20 };
    const b = 14n * UNIT;
    expect(trackRecordMultiplier(rule, -7n * UNIT, 10, b)).toBe(0.1);
    expect(trackRecordMultiplier(rule, -(UNIT / 2n), 10, b)).toBeCloseTo(1 - (20 * 0.05) / 14, 9);
    expect(trackRecordMultiplier(rule, 100n * UNIT, 10, b)).toBe(1);
    expect(trackRecordMultiplier(DEFAULT_BANKROLL, -100n * UNIT, 10, b)).toBe(1);
    expect(trackRecordMultiplier(rule, 0n, 0, b)).toBe(1);
  });

  it('maxCostPerItem is the Kelly share of the bankroll, capped', () => {
    expect(maxCostPerItem({ kellyFraction: 0.5, maxCostPerItem: 50n * UNIT }, 1000n * UNIT, 100)).toBe(5n * UNIT);
    expect(maxCostPerItem({ kellyFraction: 1, maxCostPerItem: 3n * UNIT }, 1000n * UNIT, 10)).toBe(3n * UNIT);
    expect(maxCostPerItem(DEFAULT_BANKROLL, 0n, 10)).toBe(0n);
    expect(() => maxCostPerItem({ kellyFraction: 2, maxCostPerItem: UNIT }, UNIT, 1)).toThrow(/kellyFraction: expected/);
  });
});
