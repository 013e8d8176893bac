import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DpStrategy } from '../privacy/dp.js';
import { gaussianEpsilon } from '../privacy/gaussian-dp.js';
import { epsilonFor } from '../privacy/rdp.js';
import { FedAdam, FedAvg, clipToNorm, l2Norm, prepareUpdate } from './strategy.js';

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

  it('Poisson sampling: each client independently with probability q, deterministic per round', () => {
    const s = new FedAvg({ samplingRate: 0.2, seed: 3 });
    const ids = Array.from({ length: 2000 }, (_, k) => `c${k}`);
    const r1 = s.configure(1, ids).map((i) => i.clientId);
    expect(r1.length).toBeGreaterThan(2000 * 0.2 - 4 * Math.sqrt(2000 * 0.16));
    expect(r1.length).toBeLessThan(2000 * 0.2 + 4 * Math.sqrt(2000 * 0.16));
    expect(s.configure(1, ids).map((i) => i.clientId)).toEqual(r1);
    expect(s.configure(2, ids).map((i) => i.clientId)).not.toEqual(r1);
    expect(s.samplingRate).toBe(0.2);
  });

  it('an empty round leaves the server momentum as it was', () => {
    const s = new FedAvg({ serverMomentum: 0.5 });
    const a = s.aggregate(Float64Array.of(0), { round: 1, sum: Float64Array.of(1), totalWeight: 1, count: 1 });
    s.aggregate(a, { round: 2, sum: Float64Array.of(5), totalWeight: 1, count: 1 }); // a leave-one-out probe
    const b = s.aggregate(a, { round: 2, sum: Float64Array.of(0), totalWeight: 0, count: 0 }); // everything excluded
    expect(b[0]).toBe(a[0]);
    expect(s.aggregate(b, { round: 3, sum: Float64Array.of(1), totalWeight: 1, count: 1 })[0]).toBeCloseTo(a[0]! + 1.5, 12);
  });

  it('validates options', () => {
    expect(() => new FedAvg({ epochs: 0 })).toThrow(/epochs: expected a positive integer, got 0/);
    expect(() => new FedAvg({ serverMomentum: 1 })).toThrow(/serverMomentum/);
    expect(() => new FedAvg({ samplingRate: 0 })).toThrow(/samplingRate: expected a number in \(0, 1\]/);
    expect(() => new FedAdam({ beta2: 1 })).toThrow(/beta2/);
  });
});

describe('FedAdam', () => {
  it('is Adam on the mean update: m, v moments, step η·m/(√v + τ), no bias correction', () => {
    const s = new FedAdam({ serverLearningRate: 0.1, beta1: 0.9, beta2: 0.99, tau: 1e-3 });
    const input = (round: number, d: number) => ({ round, sum: Float64Array.of(2 * d, -2 * d), totalWeight: 2, count: 2 });
    const w1 = s.aggregate(Float64Array.of(0, 0), input(1, 0.5));
    const m1 = 0.1 * 0.5, v1 = 0.01 * 0.25;
    expect(w1[0]).toBeCloseTo((0.1 * m1) / (Math.sqrt(v1) + 1e-3), 12);
    expect(w1[1]).toBeCloseTo(-w1[0]!, 12);
    const w2 = s.aggregate(w1, input(2, 0.5));
    const m2 = 0.9 * m1 + 0.1 * 0.5, v2 = 0.99 * v1 + 0.01 * 0.25;
    expect(w2[0]).toBeCloseTo(w1[0]! + (0.1 * m2) / (Math.sqrt(v2) + 1e-3), 12);
  });

  it('one weight moves at most about η per round however large the update (a boosted update is bounded)', () => {
    const s = new FedAdam({ serverLearningRate: 0.25 });
    const w = s.aggregate(Float64Array.of(0), { round: 1, sum: Float64Array.of(1e9), totalWeight: 1, count: 1 });
    expect(w[0]).toBeLessThanOrEqual(0.25);
  });

  it('re-aggregating a round starts from the same moments; the committing call carries over', () => {
    const s = new FedAdam();
    const input = (round: number, d: number) => ({ round, sum: Float64Array.of(d), totalWeight: 1, count: 1 });
    const a = s.aggregate(Float64Array.of(0), input(1, 1));
    s.aggregate(Float64Array.of(0), input(1, -3)); // a leave-one-out probe
    const b = s.aggregate(Float64Array.of(0), input(1, 1)); // the committing call
    expect(b[0]).toBe(a[0]);
    const fresh = new FedAdam();
    fresh.aggregate(Float64Array.of(0), input(1, 1));
    expect(s.aggregate(b, input(2, 1))[0]).toBe(fresh.aggregate(b, input(2, 1))[0]);
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

  it('per-layer clipping: the bias to ±b, the weights to √(C² − b²), so the whole stays ≤ C', () => {
    const base = { clientId: 'a', round: 1, epochs: 1, learningRate: 1, batchSize: 1, weighting: 'uniform' as const, clipNorm: 1, biasClip: 0.1 };
    const { vector } = prepareUpdate(base, Float64Array.of(3, 4, -5), 1, () => 0);
    expect(vector[2]).toBe(-0.1);
    expect(l2Norm(vector.subarray(0, 2))).toBeCloseTo(Math.sqrt(0.99), 12);
    expect(l2Norm(vector)).toBeCloseTo(1, 12);
    expect([...prepareUpdate(base, Float64Array.of(0.1, 0.2, 0.05), 1, () => 0).vector]).toEqual([0.1, 0.2, 0.05]);
  });

  it('examples weighting multiplies the vector; uniform leaves it', () => {
    const base = { clientId: 'a', round: 1, epochs: 1, learningRate: 1, batchSize: 1 };
    expect([...prepareUpdate({ ...base, weighting: 'examples' }, Float64Array.of(1, 2), 3, () => 0).vector]).toEqual([3, 6]);
    expect(prepareUpdate({ ...base, weighting: 'uniform' }, Float64Array.of(1, 2), 3, () => 0).weight).toBe(1);
  });
});

describe('DP wrapper strategy', () => {
  it('instructs clipping, uniform weights and (distributed) per-client noise σC/√m', () => {
    const dp = new DpStrategy(new FedAvg(), { clipNorm: 2, noiseMultiplier: 1.5, mode: 'distributed', minContributors: 9, untrustedPerSum: 1, biasClip: 0.2 }, 1);
    const ins = dp.configure(1, ['a', 'b']);
    expect(ins[0]).toMatchObject({ clipNorm: 2, biasClip: 0.2, weighting: 'uniform', noiseStd: (1.5 * 2) / 3, minSurvivors: 10 });
  });

  it('central mode adds N(0, (σC)²) to the sum, the same noise for the same round', () => {
    const dp = new DpStrategy(new FedAvg(), { clipNorm: 0.5, noiseMultiplier: 2, mode: 'central' }, 7);
    dp.configure(1, ['a']);
    const d = 20000;
    const input = { round: 1, sum: new Float64Array(d), totalWeight: 1, count: 1 };
    const out = dp.aggregate(new Float64Array(d), input);
    const std = Math.sqrt(out.reduce((s, v) => s + v * v, 0) / d);
    expect(std).toBeCloseTo(1, 1); // σC = 1, divided by count 1
    expect([...dp.aggregate(new Float64Array(d), input).slice(0, 5)]).toEqual([...out.slice(0, 5)]);
  });

  it("'secret' participation: one sampled-Gaussian step per round with q = chosen / available clients", () => {
    const dp = new DpStrategy(new FedAvg({ clientsPerRound: 5 }), { clipNorm: 1, noiseMultiplier: 1.1, mode: 'central', participation: 'secret' }, 1);
    const ids = Array.from({ length: 100 }, (_, k) => `c${k}`);
    for (let r = 1; r <= 30; r++) dp.configure(r, ids);
    const spent = dp.spent(1e-5);
    expect(spent.rounds).toBe(30);
    expect(spent.epsilon).toBeCloseTo(epsilonFor({ q: 0.05, sigma: 1.1, steps: 30, delta: 1e-5 }).epsilon, 9);
  });

  it("'secret' participation: Poisson sampling is accounted at its rate, whatever the round drew; taking every available client is q = 1", () => {
    const ids = Array.from({ length: 50 }, (_, k) => `c${k}`);
    const poisson = new DpStrategy(new FedAdam({ samplingRate: 0.2 }), { clipNorm: 1, noiseMultiplier: 0.9, mode: 'central', participation: 'secret' }, 1);
    for (let r = 1; r <= 25; r++) poisson.configure(r, ids);
    expect(poisson.spent(1e-5).epsilon).toBeCloseTo(epsilonFor({ q: 0.2, sigma: 0.9, steps: 25, delta: 1e-5 }).epsilon, 9);
    // All of the available (unbanned) clients take part for certain: no amplification, even if some were banned.
    const all = new DpStrategy(new FedAvg(), { clipNorm: 1, noiseMultiplier: 2, mode: 'central', participation: 'secret' }, 1);
    for (let r = 1; r <= 10; r++) all.configure(r, ids.slice(0, 40));
    expect(all.spent(1e-5).epsilon).toBeCloseTo(epsilonFor({ q: 1, sigma: 2, steps: 10, delta: 1e-5 }).epsilon, 9);
  });

  it('public participation (the default): no amplification; ε is that of the client that took part most often', () => {
    const ids = Array.from({ length: 50 }, (_, k) => `c${k}`);
    const dp = new DpStrategy(new FedAdam({ samplingRate: 0.2, seed: 4 }), { clipNorm: 1, noiseMultiplier: 0.9, mode: 'central' }, 1);
    const counts = new Map<string, number>();
    for (let r = 1; r <= 25; r++) for (const i of dp.configure(r, ids)) counts.set(i.clientId, (counts.get(i.clientId) ?? 0) + 1);
    const most = Math.max(...counts.values());
    expect(most).toBeGreaterThan(5); // the busiest of 50 clients at q = 0.2 over 25 rounds
    expect(most).toBeLessThan(25);
    const spent = dp.spent(1e-5);
    expect(spent.maxParticipations).toBe(most);
    // The exact curve of `most` composed Gaussians, at or below the RDP bound for the same steps.
    expect(spent.accountant).toBe('gaussian');
    expect(spent.epsilon).toBeCloseTo(gaussianEpsilon({ sigma: 0.9, steps: most, delta: 1e-5 }), 9);
    expect(spent.epsilon).toBeLessThan(epsilonFor({ q: 1, sigma: 0.9, steps: most, delta: 1e-5 }).epsilon);
    // Far more than the amplified figure a secret cohort would allow.
    expect(spent.epsilon).toBeGreaterThan(2 * epsilonFor({ q: 0.2, sigma: 0.9, steps: 25, delta: 1e-5 }).epsilon);
    const noNoise = new DpStrategy(new FedAvg(), { clipNorm: 1, noiseMultiplier: 0, mode: 'central' }, 1);
    noNoise.configure(1, ids);
    expect(noNoise.spent(1e-5).epsilon).toBe(Infinity); // clipping alone protects nothing
    expect(new DpStrategy(new FedAvg(), { clipNorm: 1, noiseMultiplier: 1, mode: 'central' }, 1).spent(1e-5).epsilon).toBe(0);
  });

  it('rejects bad DP parameters', () => {
    expect(() => new DpStrategy(new FedAvg(), { clipNorm: 0, noiseMultiplier: 1, mode: 'central' }, 1)).toThrow(/clipNorm: expected a positive number, got 0/);
    expect(() => new DpStrategy(new FedAvg(), { clipNorm: 1, noiseMultiplier: 1, mode: 'distributed' }, 1)).toThrow(/minContributors/);
    expect(() => new DpStrategy(new FedAvg(), { clipNorm: 1, noiseMultiplier: 1, mode: 'central', biasClip: 1 }, 1)).toThrow(/biasClip/);
    // @ts-expect-error: an unknown participation mode is refused at run time too
    expect(() => new DpStrategy(new FedAvg(), { clipNorm: 1, noiseMultiplier: 1, mode: 'central', participation: 'hidden' }, 1)).toThrow(/participation: expected 'public' or 'secret'/);
  });
});

