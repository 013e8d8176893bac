import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DpStrategy } from './dp.js';
import { epsilonFor } from './rdp.js';
import { FedAvg, clipToNorm, l2Norm, prepareUpdate } from './strategy.js';

describe('FedAvg', () => {
  it('moves the model by the weighted mean update', () => {
    const s = new FedAvg({ serverLearningRate: 1 });
    const next = s.aggregate(Float64Array.of(1, 1), { round: 1, sum: Float64Array.of(3 * 2 + 1 * 6, 0), totalWeight: 4, count: 2 });
    expect([...next]).toEqual([1 + 12 / 4, 1]);
  });

  it('samples clientsPerRound distinct clients, deterministically per round', () => {
    const s = new FedAvg({ clientsPerRound: 3, seed: 9 });
    const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
    const r1 = s.configure(1, ids).map((i) => i.clientId);
    expect(new Set(r1).size).toBe(3);
    expect(s.configure(1, ids).map((i) => i.clientId)).toEqual(r1);
    expect(s.configure(2, ids)[0]!.round).toBe(2);
  });

  it('server momentum accumulates across rounds but not across re-aggregations of one round', () => {
    const s = new FedAvg({ serverMomentum: 0.5 });
    const input = (round: number) => ({ round, sum: Float64Array.of(1), totalWeight: 1, count: 1 });
    const a = s.aggregate(Float64Array.of(0), input(1));
    expect(s.aggregate(Float64Array.of(0), input(1))[0]).toBe(a[0]); // same round again: same result
    expect(s.aggregate(a, input(2))[0]).toBeCloseTo(1 + 1.5, 12);
  });

  it('validates options', () => {
    expect(() => new FedAvg({ epochs: 0 })).toThrow(/epochs: expected a positive integer, got 0/);
    expect(() => new FedAvg({ serverMomentum: 1 })).toThrow(/serverMomentum/);
  });
});

describe('update preparation', () => {
  it('clipping bounds the L2 norm and keeps the direction (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 50 }), fc.double({ min: 0.01, max: 10, noNaN: true }), (values, bound) => {
        const v = Float64Array.from(values);
        const before = l2Norm(v);
        clipToNorm(v, bound);
        expect(l2Norm(v)).toBeLessThanOrEqual(bound * (1 + 1e-12) + 1e-300);
        if (before <= bound) expect([...v]).toEqual(values);
      }),
    );
  });

  it('examples weighting multiplies the vector; uniform leaves it', () => {
    const base = { clientId: 'a', round: 1, epochs: 1, learningRate: 1, batchSize: 1 };
    expect([...prepareUpdate({ ...base, weighting: 'examples' }, Float64Array.of(1, 2), 3, () => 0).vector]).toEqual([3, 6]);
    expect(prepareUpdate({ ...base, weighting: 'uniform' }, Float64Array.of(1, 2), 3, () => 0).weight).toBe(1);
  });
});

describe('DP wrapper strategy', () => {
  it('instructs clipping, uniform weights and (distributed) per-client noise σC/√m', () => {
    const dp = new DpStrategy(new FedAvg(), { clipNorm: 2, noiseMultiplier: 1.5, mode: 'distributed', population: 10, minContributors: 9 }, 1);
    const ins = dp.configure(1, ['a', 'b']);
    expect(ins[0]).toMatchObject({ clipNorm: 2, weighting: 'uniform', noiseStd: (1.5 * 2) / 3 });
  });

  it('central mode adds N(0, (σC)²) to the sum, the same noise for the same round', () => {
    const dp = new DpStrategy(new FedAvg(), { clipNorm: 0.5, noiseMultiplier: 2, mode: 'central', population: 4 }, 7);
    dp.configure(1, ['a']);
    const d = 20000;
    const input = { round: 1, sum: new Float64Array(d), totalWeight: 1, count: 1 };
    const out = dp.aggregate(new Float64Array(d), input);
    const std = Math.sqrt(out.reduce((s, v) => s + v * v, 0) / d);
    expect(std).toBeCloseTo(1, 1); // σC = 1, divided by count 1
    expect([...dp.aggregate(new Float64Array(d), input).slice(0, 5)]).toEqual([...out.slice(0, 5)]);
  });

  it('accounts one sampled-Gaussian step per round with q = clients / population', () => {
    const dp = new DpStrategy(new FedAvg({ clientsPerRound: 5 }), { clipNorm: 1, noiseMultiplier: 1.1, mode: 'central', population: 100 }, 1);
    const ids = Array.from({ length: 100 }, (_, k) => `c${k}`);
    for (let r = 1; r <= 30; r++) dp.configure(r, ids);
    const spent = dp.spent(1e-5);
    expect(spent.rounds).toBe(30);
    expect(spent.epsilon).toBeCloseTo(epsilonFor({ q: 0.05, sigma: 1.1, steps: 30, delta: 1e-5 }).epsilon, 9);
  });

  it('rejects bad DP parameters', () => {
    expect(() => new DpStrategy(new FedAvg(), { clipNorm: 0, noiseMultiplier: 1, mode: 'central', population: 1 }, 1)).toThrow(/clipNorm: expected a positive number, got 0/);
    expect(() => new DpStrategy(new FedAvg(), { clipNorm: 1, noiseMultiplier: 1, mode: 'distributed', population: 1 }, 1)).toThrow(/minContributors/);
  });
});

