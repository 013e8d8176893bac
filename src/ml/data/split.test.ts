import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Dataset } from './dataset.js';
import { classCounts } from './dataset.js';
import { planRounds, roundStream, trainTestSplit } from './split.js';

function synthetic(n: number, k = 3): Dataset {
  return { name: 'syn', labels: Array.from({ length: k }, (_, i) => `c${i}`), kind: 'text', items: Array.from({ length: n }, (_, i) => ({ id: `i${i}`, text: `t${i}`, label: i % k === 0 && i % 2 === 0 ? 0 : i % k })) };
}

describe('trainTestSplit', () => {
  it('partitions the items, deterministically per seed, stratified by class', () => {
    const ds = synthetic(1000);
    const a = trainTestSplit(ds, { seed: 5, testFraction: 0.25 });
    const b = trainTestSplit(ds, { seed: 5, testFraction: 0.25 });
    const c = trainTestSplit(ds, { seed: 6, testFraction: 0.25 });
    expect(a.test.items.map((i) => i.id)).toEqual(b.test.items.map((i) => i.id));
    expect(a.test.items.map((i) => i.id)).not.toEqual(c.test.items.map((i) => i.id));
    const ids = [...a.train.items, ...a.test.items].map((i) => i.id).sort();
    expect(ids).toEqual(ds.items.map((i) => i.id).sort());
    const all = classCounts(ds), test = classCounts(a.test);
    all.forEach((n, k) => expect(Math.abs(test[k] - n * 0.25)).toBeLessThanOrEqual(1));
  });

  it('rejects a bad fraction', () => {
    expect(() => trainTestSplit(synthetic(10), { testFraction: 1.5 })).toThrow(/testFraction: expected/);
  });
});

describe('planRounds', () => {
  it('gives disjoint, consecutive round sets after the warm-up', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 30 }), fc.integer(), (rounds, per, warmup, seed) => {
        const ds = synthetic(rounds * per + warmup + 7);
        const plan = planRounds(ds, { rounds, itemsPerRound: per, warmup, seed });
        expect(plan.warmup).toHaveLength(warmup);
        expect(plan.rounds.map((r) => r.round)).toEqual(Array.from({ length: rounds }, (_, i) => i + 1));
        const seen = new Set(plan.warmup.map((i) => i.id));
        for (const r of plan.rounds) {
          expect(r.items).toHaveLength(per);
          expect(r.end - r.start).toBe(per);
          for (const it of r.items) {
            expect(seen.has(it.id)).toBe(false);
            seen.add(it.id);
          }
        }
        expect(planRounds(ds, { rounds, itemsPerRound: per, warmup, seed })).toEqual(plan);
      }),
      { numRuns: 50 },
    );
  });

  it('streams the same sets and refuses a dataset that is too small', () => {
    const ds = synthetic(100);
    expect([...roundStream(ds, { rounds: 3, itemsPerRound: 20, seed: 2 })]).toEqual(planRounds(ds, { rounds: 3, itemsPerRound: 20, seed: 2 }).rounds);
    expect(() => planRounds(ds, { rounds: 6, itemsPerRound: 20 })).toThrow(/expected at least 120 items/);
  });
});
