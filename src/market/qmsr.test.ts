/**
 * QMSR specifics (the shared invariants run in invariants.test.ts): the stated worst-case subsidy
 * bound, prices that match the closed form, exact charges, and the quadratic scoring payoff.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROB_SCALE, initialQuantities } from './lmsr.js';
import { qmsrCostExact, qmsrLiquidityForSubsidy, qmsrPrices, qmsrQuoteShares, qmsrQuoteTradeToBelief, qmsrWorstCaseLoss } from './qmsr.js';
import { scoringRule } from './scoring-rule.js';

const UNIT = 1_000_000n;

describe('QMSR', () => {
  it('b·(1 − 1/K) ≤ subsidy, and b is the largest such integer', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 64 }), fc.bigInt({ min: 1n, max: 10n ** 15n }), (k, subsidy) => {
        const b = qmsrLiquidityForSubsidy(subsidy, k);
        expect(qmsrWorstCaseLoss(b, k)).toBeLessThanOrEqual(subsidy);
        expect(((b + 1n) * BigInt(k - 1)) > subsidy * BigInt(k)).toBe(true);
      }),
      { seed: 4, numRuns: 300 },
    );
  });

  it('starts at uniform prices with C(0) = 0', () => {
    const b = qmsrLiquidityForSubsidy(10n * UNIT, 4);
    expect(qmsrPrices(initialQuantities(4), b)).toEqual([250_000_000_000n, 250_000_000_000n, 250_000_000_000n, 250_000_000_000n]);
    expect(qmsrCostExact(initialQuantities(4), b).num).toBe(0n);
  });

  it('prices follow p_i = 1/K + (q_i − mean q)/(2b) while all are positive, and hit exactly 0 beyond', () => {
    const b = 100n * UNIT;
    expect(qmsrPrices([50n * UNIT, 0n], b)).toEqual([625_000_000_000n, 375_000_000_000n]); // 1/2 ± 25/200
    expect(qmsrPrices([500n * UNIT, 0n], b)).toEqual([PROB_SCALE, 0n]);
  });

  it('a trade to belief r reaches r and nets the quadratic score difference when y happens', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }), fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 6, maxLength: 6 }), fc.nat(5), (k, w, yRaw) => {
        const y = yRaw % k;
        const b = qmsrLiquidityForSubsidy(100n * UNIT, k);
        const weights = w.slice(0, k).map(BigInt);
        const total = weights.reduce((s, v) => s + v, 0n);
        const r = weights.map((v) => (v * PROB_SCALE) / total);
        r[0] = r[0]! + PROB_SCALE - r.reduce((s, v) => s + v, 0n);
        const q0 = initialQuantities(k);
        const t = qmsrQuoteTradeToBelief(q0, b, r, 10n ** 18n);
        expect(t.reachedBelief).toBe(true);
        const p = qmsrPrices(t.delta, b);
        p.forEach((pi, i) => expect(Number(pi - r[i]!) / 1e12).toBeCloseTo(0, 6));
        const score = (v: bigint[]) => (2 * Number(v[y]!)) / 1e12 - v.reduce((s, x) => s + (Number(x) / 1e12) ** 2, 0);
        const expected = (Number(b) * (score(r) - score(q0.map(() => PROB_SCALE / BigInt(k))))) / 1;
        expect(Math.abs(Number(t.delta[y]! - t.cost) - expected)).toBeLessThan(2 + Number(b) * 1e-9);
      }),
      { seed: 12, numRuns: 120 },
    );
  });

  it('charges exactly: a trade and its reverse cost the same up to one micro-unit of rounding', () => {
    const b = qmsrLiquidityForSubsidy(10n * UNIT, 3);
    const buy = qmsrQuoteShares([0n, 0n, 0n], b, [7n * UNIT, 0n, 3n * UNIT]);
    const sell = qmsrQuoteShares(buy.q, b, [-7n * UNIT, 0n, -3n * UNIT]);
    expect(buy.cost + sell.cost).toBeGreaterThanOrEqual(0n);
    expect(buy.cost + sell.cost).toBeLessThanOrEqual(1n);
  });

  it('is reachable by name, and an unknown rule is refused', () => {
    expect(scoringRule('qmsr').name).toBe('qmsr');
    expect(scoringRule(undefined).name).toBe('lmsr');
    expect(() => scoringRule('cubic' as never)).toThrow(/rule: expected one of lmsr, qmsr, got/);
  });
});
