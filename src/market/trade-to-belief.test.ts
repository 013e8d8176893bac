import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GameRejection } from '../core/errors.js';
import { BELIEF_FLOOR, validateBelief } from './belief.js';
import { PROB_SCALE, initialQuantities, liquidityForSubsidy, prices, quoteShares } from './lmsr.js';
import { REF_BITS, REF_ONE, referenceCost, referenceLn } from './reference.js';
import { beliefDeltas, quoteTradeToBelief } from './trade-to-belief.js';

const seeded = { seed: 77, numRuns: 120 };
const UNIT = 1_000_000n;
const NO_CAP = 10n ** 18n;

/** A random belief at PROB_SCALE summing exactly to 10^12 (some entries may be 0). */
const beliefOf = (k: number) =>
  fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: k, maxLength: k }).filter((w) => w.some((v) => v > 0)).map((w) => {
    const total = w.reduce((s, v) => s + v, 0);
    const r = w.map((v) => (BigInt(v) * PROB_SCALE) / BigInt(total));
    r[0] = r[0]! + PROB_SCALE - r.reduce((s, v) => s + v, 0n);
    return r;
  });
const scenario = fc
  .record({ k: fc.integer({ min: 2, max: 10 }), subsidy: fc.bigInt({ min: UNIT, max: 10_000n * UNIT }) })
  .chain(({ k, subsidy }) =>
    fc.record({
      k: fc.constant(k),
      subsidy: fc.constant(subsidy),
      q: fc.array(fc.bigInt({ min: 0n, max: 50n * subsidy }), { minLength: k, maxLength: k }),
      belief: beliefOf(k),
    }),
  );
const after = (q: readonly bigint[], d: readonly bigint[]) => q.map((v, i) => v + d[i]!);
const errorOf = (f: () => unknown): GameRejection => {
  try {
    f();
  } catch (e) {
    return e as GameRejection;
  }
  throw new Error('expected a throw');
};

describe('validateBelief', () => {
  it('rejects wrong length, negatives and sums off by more than 1e-9, with exact messages', () => {
    const wrong = errorOf(() => validateBelief([PROB_SCALE], 2));
    expect(wrong.code).toBe('belief.wrongLength');
    expect(wrong.message).toBe('belief: expected K=2 probabilities summing to 1 ± 1e-9 (integers at 10^12), got "1 probabilities"');
    const off = errorOf(() => validateBelief([500_000_000_000n, 500_000_001_001n], 2));
    expect(off.code).toBe('belief.notDistribution');
    expect(off.message).toContain('got "sum 1.000000001001"');
    expect(errorOf(() => validateBelief([-1n, PROB_SCALE + 1n], 2)).code).toBe('belief.notDistribution');
    expect(errorOf(() => validateBelief([0.5 as unknown as bigint, 0n], 2)).code).toBe('belief.notDistribution');
  });

  it('accepts sums within 1e-9 and raises zeros to the floor', () => {
    expect(validateBelief([PROB_SCALE + 1000n, 0n], 2)).toEqual([PROB_SCALE + 1000n, BELIEF_FLOOR]);
    expect(validateBelief([PROB_SCALE - 1000n, 0n, 0n], 3)).toEqual([PROB_SCALE - 1000n, BELIEF_FLOOR, BELIEF_FLOOR]);
  });
});

describe('quoteTradeToBelief, full move', () => {
  it('buys only, leaves one delta at 0, and moves the price to the belief', () => {
    fc.assert(
      fc.property(scenario, ({ k, subsidy, q, belief }) => {
        const b = liquidityForSubsidy(subsidy, k);
        const t = quoteTradeToBelief(q, b, belief, NO_CAP);
        expect(t.reachedBelief).toBe(true);
        expect(t.delta.every((d) => d >= 0n)).toBe(true);
        expect(t.delta.some((d) => d === 0n)).toBe(true);
        const r = validateBelief(belief, k);
        const rSum = r.reduce((s, v) => s + v, 0n);
        const p = prices(after(q, t.delta), b);
        // whole micro-shares move ln p by < 1/b: |p' − r| ≤ r/b (+ 2 units of apportion/normalisation)
        p.forEach((v, i) => {
          const want = (r[i]! * PROB_SCALE) / rSum;
          const diff = v > want ? v - want : want - v;
          expect(diff).toBeLessThanOrEqual(want / b + 2n);
        });
      }),
      seeded,
    );
  });

  it('pays the log score: within (−1, 0] of b·(ln p′_y − ln p_y) and (−2, 1) of b·(ln r_y − ln p_y)', () => {
    fc.assert(
      fc.property(scenario, ({ k, subsidy, q, belief }) => {
        const b = liquidityForSubsidy(subsidy, k);
        const t = quoteTradeToBelief(q, b, belief, NO_CAP);
        const q2 = after(q, t.delta);
        const c1 = referenceCost(q, b);
        const c2 = referenceCost(q2, b);
        const r = validateBelief(belief, k);
        const rSum = r.reduce((s, v) => s + v, 0n);
        const tiny = REF_ONE >> 20n;
        for (let y = 0; y < k; y++) {
          const payoff = (t.delta[y]! - t.cost) << REF_BITS; // at 2^128 micro-units
          const realized = (q2[y]! << REF_BITS) - c2 - ((q[y]! << REF_BITS) - c1); // b·(ln p′_y − ln p_y)
          const ideal = b * referenceLn(r[y]!, rSum) - ((q[y]! << REF_BITS) - c1); // b·(ln r_y − ln p_y)
          expect(payoff - realized).toBeLessThanOrEqual(tiny);
          expect(payoff - realized).toBeGreaterThan(-REF_ONE - tiny);
          expect(payoff - ideal).toBeLessThan(REF_ONE);
          expect(payoff - ideal).toBeGreaterThan(-2n * REF_ONE);
        }
      }),
      seeded,
    );
  });

  it('charges exactly what quoteShares charges for the same delta', () => {
    fc.assert(
      fc.property(scenario, ({ k, subsidy, q, belief }) => {
        const b = liquidityForSubsidy(subsidy, k);
        const t = quoteTradeToBelief(q, b, belief, NO_CAP);
        expect(quoteShares(q, b, t.delta).cost).toBe(t.cost);
      }),
      seeded,
    );
  });

  it('is (almost) a no-op when the price already equals the belief', () => {
    const b = liquidityForSubsidy(100n * UNIT, 3);
    const belief = [600_000_000_000n, 300_000_000_000n, 100_000_000_000n];
    const first = quoteTradeToBelief(initialQuantities(3), b, belief, NO_CAP);
    const again = quoteTradeToBelief(first.delta, b, belief, NO_CAP);
    expect(again.delta.every((d) => d <= 1n)).toBe(true);
    expect(again.cost).toBeLessThanOrEqual(1n);
    expect(quoteTradeToBelief([0n, 0n, 0n], b, [PROB_SCALE / 3n + 1n, PROB_SCALE / 3n, PROB_SCALE / 3n], NO_CAP).cost).toBe(0n);
  });
});

describe('quoteTradeToBelief, capped', () => {
  it('never exceeds maxCost, stays on the geometric path, and goes as far as the cap allows', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 0, max: 1000 }), ({ k, subsidy, q, belief }, permille) => {
        const b = liquidityForSubsidy(subsidy, k);
        const full = quoteTradeToBelief(q, b, belief, NO_CAP);
        fc.pre(full.cost > 1n);
        const maxCost = (full.cost * BigInt(permille)) / 1000n;
        fc.pre(maxCost < full.cost);
        const t = quoteTradeToBelief(q, b, belief, maxCost);
        expect(t.reachedBelief).toBe(false);
        expect(t.cost).toBeLessThanOrEqual(maxCost);
        expect(quoteShares(q, b, t.delta).cost).toBe(t.cost);
        // path: delta_i = round(s·D_i / D_max) with s the delta of the first largest D
        const D = beliefDeltas(q, b, validateBelief(belief, k));
        let top = 0;
        for (let i = 1; i < k; i++) if (D[i]! > D[top]!) top = i;
        const dMax = D[top]!;
        const s = t.delta[top]!;
        const on = (s2: bigint) => D.map((d, i) => (i === top ? s2 : (2n * s2 * d + dMax) / (2n * dMax)));
        expect(t.delta).toEqual(on(s));
        // maximal: one more micro-share along the path would break the cap (or is the full move)
        if (s + 1n < full.delta[top]!) expect(quoteShares(q, b, on(s + 1n)).cost).toBeGreaterThan(maxCost);
      }),
      seeded,
    );
  });

  it('a zero cap buys nothing; a negative cap is rejected', () => {
    const b = liquidityForSubsidy(100n * UNIT, 2);
    const t = quoteTradeToBelief([0n, 0n], b, [900_000_000_000n, 100_000_000_000n], 0n);
    expect(t).toEqual({ delta: [0n, 0n], cost: 0n, reachedBelief: false });
    expect(errorOf(() => quoteTradeToBelief([0n, 0n], b, [PROB_SCALE, 0n], -1n)).code).toBe('trade.maxCost');
  });

  it('hand-checked: K=2, b = 100/ln 2 units, belief 0.8, cap 10 units', () => {
    const b = liquidityForSubsidy(100n * UNIT, 2);
    const t = quoteTradeToBelief([0n, 0n], b, [800_000_000_000n, 200_000_000_000n], 10n * UNIT);
    // shares x with b·ln((e^{x/b} + 1)/2) = 10 units → x = b·ln(2e^{10/b} − 1)
    const bf = Number(b);
    const x = bf * Math.log(2 * Math.exp(1e7 / bf) - 1);
    expect(Number(t.delta[0]!)).toBeGreaterThan(x - 2);
    expect(Number(t.delta[0]!)).toBeLessThanOrEqual(x);
    expect(t.delta[1]).toBe(0n);
    expect(t.cost).toBeLessThanOrEqual(10n * UNIT);
    expect(t.cost).toBeGreaterThan(10n * UNIT - 2n);
  });
});
