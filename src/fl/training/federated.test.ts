import { describe, expect, it } from 'vitest';
import { type CsrMatrix, csrFromRows } from '../../ml/features/sparse.js';
import { makeRng } from '../../ml/rng.js';
import { DpStrategy } from '../privacy/dp.js';
import { type Behaviour, type FlClient, runFederated } from './federated.js';
import { evaluateParams } from './local-train.js';
import { allocatePayments, contributionLowerBounds } from '../payments/payments.js';
import { FedAvg } from './strategy.js';

const D = 64;
const truth = (() => {
  const rng = makeRng(99);
  return Float64Array.from({ length: D }, () => rng.normal());
})();

function data(n: number, seed: number): { X: CsrMatrix; y: Int32Array } {
  const rng = makeRng(seed);
  const rows = Array.from({ length: n }, () => {
    const idx = new Set<number>();
    while (idx.size < 8) idx.add(rng.int(D));
    const indices = Int32Array.from([...idx].sort((a, b) => a - b));
    return { indices, values: new Float64Array(8).fill(1 / Math.sqrt(8)) };
  });
  const X = csrFromRows(rows, D);
  const y = Int32Array.from(rows, (r) => (r.indices.reduce((s, j) => s + truth[j]!, 0) > 0 ? 1 : 0));
  return { X, y };
}

function clients(n: number, bad: Record<number, Behaviour>): FlClient[] {
  return Array.from({ length: n }, (_, k) => ({ id: `c${String(k).padStart(2, '0')}`, ...data(40, k + 1), behaviour: bad[k] ?? 'honest' }));
}

describe('federated training loop', () => {
  it('FedAvg with robust exclusion learns; leave-one-out pays honest clients and nothing to noise or poison', () => {
    const cs = clients(12, { 3: 'noise', 8: 'poison' });
    const validation = data(300, 1000);
    const result = runFederated({
      strategy: new FedAvg({ epochs: 2, learningRate: 2, batchSize: 8, serverLearningRate: 1, weighting: 'uniform' }),
      clients: cs,
      rounds: 10,
      dim: D + 1,
      validation,
      excludeHarmful: 0,
      seed: 1,
    });
    expect(result.rounds.filter((r) => r.excluded.includes('c08')).length).toBeGreaterThanOrEqual(8);
    expect(evaluateParams(result.model, validation.X, validation.y).accuracy).toBeGreaterThan(0.8);
    const c = contributionLowerBounds(result.observations, cs.map((x) => x.id));
    const pay = allocatePayments(1_000_000n, c);
    expect(pay.find((p) => p.id === 'c03')!.amount).toBe(0n);
    expect(pay.find((p) => p.id === 'c08')!.amount).toBe(0n);
    expect(pay.filter((p) => p.amount > 0n).length).toBeGreaterThanOrEqual(8);
  });

  it('secure aggregation in the loop gives the same model as plain aggregation (up to quantization), with dropouts', () => {
    const cs = clients(12, {});
    const validation = data(200, 2000);
    const run = (secure: boolean) =>
      runFederated({
        strategy: new DpStrategy(new FedAvg({ epochs: 1, learningRate: 1, batchSize: 8 }), { clipNorm: 1, noiseMultiplier: 0.5, mode: 'central' }, 3),
        clients: cs,
        rounds: 3,
        dim: D + 1,
        validation,
        paymentGroups: 2,
        dropoutRate: 0.2,
        seed: 4,
        ...(secure ? { secureAggregation: { thresholdFraction: 0.5, coordinateBound: 1 } } : {}),
      });
    const plain = run(false);
    const secure = run(true);
    expect(secure.dropouts).toBe(6); // 2 of 12 per round
    expect(secure.rounds.every((r) => r.included === 10)).toBe(true);
    secure.model.forEach((v, i) => expect(Math.abs(v - plain.model[i]!)).toBeLessThan(1e-5));
    expect(secure.observations.length).toBe(3 * 2); // one per group per round
    expect(secure.rounds[0]!.bytesPerClient).toBeGreaterThan(4 * (D + 1));
  });

  it('distributed DP: a group sum with fewer survivors than the noise assumes is not released', () => {
    const cs = clients(12, {});
    const validation = data(100, 3000);
    const run = (minContributors: number) =>
      runFederated({
        strategy: new DpStrategy(new FedAvg({ epochs: 1, learningRate: 1, batchSize: 8 }), { clipNorm: 1, noiseMultiplier: 0.5, mode: 'distributed', minContributors }, 3),
        clients: cs,
        rounds: 2,
        dim: D + 1,
        validation,
        paymentGroups: 2,
        dropoutRate: 0.25, // 3 of 12 drop: the two groups of 6 keep 3–6 survivors
        seed: 5,
        secureAggregation: { thresholdFraction: 0.5, coordinateBound: 3 },
      });
    const loose = run(2);
    expect(loose.rounds.every((r) => r.aborted === 0 && r.included === 9)).toBe(true);
    // 3 drops over two groups of 6 leave (6, 3) or (5, 4) survivors: with 5 required, exactly one
    // group per round is withheld and the round applies only the other one's 5 or 6 updates.
    const strict = run(5);
    for (const r of strict.rounds) {
      expect(r.aborted).toBe(1);
      expect([5, 6]).toContain(r.included);
    }
  });

  it('a SecAgg+ session that cannot rebuild a survivor\'s masks is aborted for that round, not the whole run', () => {
    // 3 of 16 drop each round; with 6 neighbours and threshold 4 a survivor that lost 3 of its
    // neighbours cannot be unmasked. Seed 2 has that in rounds 1 and 3 but not in round 2.
    const cs = clients(16, {});
    const validation = data(100, 4000);
    const run = () =>
      runFederated({
        strategy: new FedAvg({ epochs: 1, learningRate: 1, batchSize: 8 }),
        clients: cs,
        rounds: 3,
        dim: D + 1,
        validation,
        dropoutRate: 3 / 16,
        seed: 2,
        secureAggregation: { thresholdFraction: 0.5, neighbors: 6, coordinateBound: 3 },
      });
    const result = run();
    expect(result.rounds.map((r) => [r.aborted, r.included])).toEqual([
      [1, 0],
      [0, 13],
      [1, 0],
    ]);
    // An aborted round leaves the model where it was: only round 2 moved it.
    expect(result.rounds[0]!.validationLogLoss).toBeCloseTo(Math.log(2), 12);
    expect(result.rounds[2]!.validationLogLoss).toBe(result.rounds[1]!.validationLogLoss);
  });

  it('under SecAgg with distributed DP, finds and bans the controller that skips clipping, and no one else', () => {
    const run = (bad: Record<number, Behaviour>) =>
      runFederated({
        strategy: new DpStrategy(new FedAvg({ epochs: 2, learningRate: 2, batchSize: 8, weighting: 'uniform' }), { clipNorm: 1, noiseMultiplier: 1, mode: 'distributed', minContributors: 20 }, 6),
        clients: clients(60, bad),
        rounds: 12,
        dim: D + 1,
        validation: data(200, 5000),
        paymentGroups: 2,
        dropoutRate: 0.1,
        seed: 6,
        secureAggregation: { thresholdFraction: 0.5, neighbors: 8, coordinateBound: 30 },
        robustZ: 3,
        oversizeZ: 6,
      });
    const attacked = run({ 17: 'poison' });
    const firstFound = attacked.rounds.findIndex((r) => r.oversized.length > 0);
    expect(firstFound).toBeGreaterThanOrEqual(1);
    expect(attacked.rounds.at(-1)!.oversized).toEqual(['c17']);
    expect(attacked.rounds.every((r) => r.oversized.every((id) => id === 'c17'))).toBe(true);
    expect(attacked.rounds.at(-1)!.banned).toContain('c17');
    expect(attacked.rounds.at(-1)!.participants).toBe(59); // no longer selected
    const honest = run({});
    expect(honest.rounds.every((r) => r.oversized.length === 0)).toBe(true);
  });
});
