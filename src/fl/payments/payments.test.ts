import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { makeRng } from '../../ml/rng.js';
import { type ContributionObservation, allocatePayments, contributionLowerBounds, estimateContributions, estimateWithErrors } from './payments.js';

describe('payments', () => {
  it('leave-one-out observations: the estimate is each client’s mean marginal value', () => {
    const obs: ContributionObservation[] = [
      { round: 1, members: ['a'], value: 0.3 },
      { round: 2, members: ['a'], value: 0.1 },
      { round: 1, members: ['b'], value: -0.2 },
      { round: 1, members: ['c'], value: 0 },
    ];
    const c = estimateContributions(obs, ['a', 'b', 'c']);
    expect(c.get('a')).toBeCloseTo(0.2, 6);
    expect(c.get('b')).toBeCloseTo(-0.2, 6);
    expect(c.get('c')).toBeCloseTo(0, 6);
  });

  it('random groups re-drawn every round separate a poisoner from honest clients', () => {
    const rng = makeRng(5);
    const truth = new Map(Array.from({ length: 20 }, (_, k) => [`c${k}`, k === 7 ? -0.5 : 0.1 + 0.05 * rng.next()] as const));
    const ids = [...truth.keys()];
    const obs: ContributionObservation[] = [];
    for (let round = 0; round < 30; round++) {
      const order = rng.shuffle([...ids]);
      for (let g = 0; g < 4; g++) {
        const members = order.filter((_, k) => k % 4 === g);
        obs.push({ round, members, value: members.reduce((s, m) => s + truth.get(m)!, 0) + 0.01 * rng.normal() });
      }
    }
    const c = estimateContributions(obs, ids);
    expect(c.get('c7')!).toBeLessThan(-0.3);
    for (const id of ids) if (id !== 'c7') expect(c.get(id)!).toBeGreaterThan(0.05);
    const pay = allocatePayments(1_000_000n, c);
    expect(pay.find((p) => p.id === 'c7')!.amount).toBe(0n);
    expect(pay.reduce((s, p) => s + p.amount, 0n)).toBe(1_000_000n);
  });

  it('allocations are exact, non-negative and zero for non-positive contributions (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 1, maxLength: 30 }), fc.bigInt({ min: 0n, max: 10n ** 12n }), (values, budget) => {
        const pay = allocatePayments(budget, new Map(values.map((v, k) => [`c${String(k).padStart(2, '0')}`, v])));
        const anyPositive = values.some((v) => v > 0);
        expect(pay.reduce((s, p) => s + p.amount, 0n)).toBe(anyPositive ? budget : 0n);
        for (const p of pay) {
          expect(p.amount >= 0n).toBe(true);
          if (p.contribution <= 0) expect(p.amount).toBe(0n);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('a client whose marginal value is pure noise has a lower bound below 0; a steady one above', () => {
    const rng = makeRng(8);
    const obs: ContributionObservation[] = [];
    for (let round = 0; round < 20; round++) {
      obs.push({ round, members: ['noise'], value: 0.01 * rng.normal() + 0.002 });
      obs.push({ round, members: ['good'], value: 0.01 + 0.002 * rng.normal() });
    }
    const e = estimateWithErrors(obs, ['noise', 'good']);
    expect(e.get('noise')!.stderr).toBeGreaterThan(0.001);
    const lb = contributionLowerBounds(obs, ['noise', 'good']);
    expect(lb.get('noise')!).toBeLessThan(0);
    expect(lb.get('good')!).toBeGreaterThan(0.005);
  });

  it('with fewer observations than clients the dual form gives the same ridge solution as the normal equations', () => {
    const rng = makeRng(11);
    const ids = Array.from({ length: 9 }, (_, k) => `c${k}`);
    const obs: ContributionObservation[] = Array.from({ length: 5 }, (_, o) => ({ round: o, members: ids.filter(() => rng.next() < 0.5), value: rng.normal() }));
    // Primal: (AᵀA + λI) c = Aᵀv, solved by Gauss–Jordan, λ as estimateWithErrors chooses it.
    const n = ids.length;
    const A = obs.map((ob) => ids.map((id) => (ob.members.includes(id) ? 1 : 0)));
    const lambda = 1e-3 * Math.max(1, ...ids.map((_, k) => A.reduce((s, row) => s + row[k]!, 0))) + 1e-12;
    const M = ids.map((_, a) => [...ids.map((_, b) => A.reduce((s, row) => s + row[a]! * row[b]!, 0) + (a === b ? lambda : 0)), A.reduce((s, row, o) => s + row[a]! * obs[o]!.value, 0)]);
    for (let i = 0; i < n; i++) {
      const p = M[i]![i]!;
      for (let j = 0; j <= n; j++) M[i]![j] = M[i]![j]! / p;
      for (let r = 0; r < n; r++) if (r !== i) { const f = M[r]![i]!; for (let j = 0; j <= n; j++) M[r]![j] = M[r]![j]! - f * M[i]![j]!; }
    }
    const e = estimateWithErrors(obs, ids, 1e-3);
    ids.forEach((id, k) => {
      expect(e.get(id)!.estimate).toBeCloseTo(M[k]![n]!, 9);
      expect(e.get(id)!.stderr).toBeNaN();
    });
  });

  it('rejects unknown members and negative budgets', () => {
    expect(() => estimateContributions([{ round: 1, members: ['x'], value: 1 }], ['a'])).toThrow(/members: expected known client ids, got "x"/);
    expect(() => allocatePayments(-1n, new Map())).toThrow(/budget/);
  });
});
