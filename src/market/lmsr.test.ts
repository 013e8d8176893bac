import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GameRejection, ValidationError } from '../core/errors.js';
import { ONE } from './fixed.js';
import {
  PROB_SCALE,
  cost,
  costBounds,
  initialQuantities,
  liquidityForSubsidy,
  makerWorstCaseLoss,
  payout,
  prices,
  quoteShares,
} from './lmsr.js';
import { expPrecise } from './precise.js';
import { REF_BITS, REF_ONE, referenceCost, referenceLn } from './reference.js';

const seeded = { seed: 424242, numRuns: 200 };
const UNIT = 1_000_000n;
const market = fc.record({
  k: fc.integer({ min: 2, max: 10 }),
  subsidy: fc.bigInt({ min: UNIT / 10n, max: 100_000n * UNIT }),
});
const quantities = (k: number, max: bigint) => fc.array(fc.bigInt({ min: 0n, max }), { minLength: k, maxLength: k });
/** Exact real charge C(q2) − C(q1) at 2^128 micro-units. */
const exactDiff = (q1: readonly bigint[], q2: readonly bigint[], b: bigint) => referenceCost(q2, b) - referenceCost(q1, b);
const abs = (v: bigint): bigint => (v < 0n ? -v : v);
const errorOf = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
};

describe('liquidityForSubsidy', () => {
  it('gives the largest b whose worst-case loss b·ln K fits in the subsidy', () => {
    fc.assert(
      fc.property(market, ({ k, subsidy }) => {
        const b = liquidityForSubsidy(subsidy, k);
        const lnK = referenceLn(BigInt(k), 1n);
        expect(b * lnK).toBeLessThanOrEqual(subsidy << REF_BITS);
        expect((b + 2n) * lnK).toBeGreaterThan(subsidy << REF_BITS); // within the lnCeil slack of maximal
        expect(makerWorstCaseLoss(b, k)).toBeLessThanOrEqual(subsidy);
      }),
      seeded,
    );
  });

  it('matches b = subsidy / ln K for a hand-checked case and rejects bad input', () => {
    expect(liquidityForSubsidy(100n * UNIT, 2)).toBe(144_269_504n); // 1e8 / ln 2 = 144269504.088…
    expect((errorOf(() => liquidityForSubsidy(0n, 2)) as ValidationError).code).toBe('market.subsidy');
    expect((errorOf(() => liquidityForSubsidy(UNIT, 1)) as ValidationError).code).toBe('market.outcomes');
  });
});

describe('cost and prices', () => {
  it('C(0) = b·ln K and prices start uniform, summing exactly to PROB_SCALE', () => {
    const b = liquidityForSubsidy(50n * UNIT, 3);
    expect(cost(initialQuantities(3), b)).toBe(makerWorstCaseLoss(b, 3));
    expect(prices(initialQuantities(3), b)).toEqual([333_333_333_334n, 333_333_333_333n, 333_333_333_333n]);
  });

  it('cost bounds contain the exact cost, and cost() is its ceiling', () => {
    fc.assert(
      fc.property(market, fc.array(fc.bigInt({ min: 0n, max: 10n ** 12n }), { minLength: 10, maxLength: 10 }), ({ k, subsidy }, raw) => {
        const q = raw.slice(0, k);
        const b = liquidityForSubsidy(subsidy, k);
        const exact = referenceCost(q, b) >> (REF_BITS - 64n);
        const { lo, hi } = costBounds(q, b);
        expect(lo).toBeLessThanOrEqual(exact);
        expect(hi).toBeGreaterThanOrEqual(exact);
        const c = cost(q, b);
        expect(c * ONE).toBeGreaterThanOrEqual(exact);
        expect((c - 1n) * ONE).toBeLessThan(hi);
      }),
      seeded,
    );
  });

  it('prices sum to PROB_SCALE and are within 1e-12 of the exact softmax', () => {
    fc.assert(
      fc.property(market, quantities(10, 10n ** 10n), ({ k, subsidy }, raw) => {
        const q = raw.slice(0, k);
        const b = liquidityForSubsidy(subsidy, k);
        const p = prices(q, b);
        expect(p.reduce((s, v) => s + v, 0n)).toBe(PROB_SCALE);
        // ln p_i = (q_i − C(q)) / b exactly, so the exact price is exp of that.
        const c = referenceCost(q, b);
        p.forEach((v, i) => {
          const exact = expPrecise(((q[i]! << REF_BITS) - c) / b, REF_BITS) * PROB_SCALE; // at 2^128
          expect(abs(v * REF_ONE - exact)).toBeLessThan(REF_ONE + (REF_ONE >> 20n)); // < 1 unit of 1e-12
        });
      }),
      seeded,
    );
  });
});

describe('quoteShares', () => {
  it('charges the exact cost difference rounded up: never below, less than 1 micro-unit above', () => {
    fc.assert(
      fc.property(market, quantities(10, 10n ** 11n), fc.array(fc.bigInt({ min: -(10n ** 11n), max: 10n ** 11n }), { minLength: 10, maxLength: 10 }), ({ k, subsidy }, rawQ, rawD) => {
        const q = rawQ.slice(0, k);
        const delta = rawD.slice(0, k).map((d, i) => (q[i]! + d < 0n ? -q[i]! : d));
        const b = liquidityForSubsidy(subsidy, k);
        const quote = quoteShares(q, b, delta);
        const exact = exactDiff(q, quote.q, b);
        expect(quote.cost * REF_ONE).toBeGreaterThanOrEqual(exact);
        expect((quote.cost - 1n) * REF_ONE).toBeLessThan(exact + (REF_ONE >> 20n)); // margin ≪ 1e-6 micro
      }),
      seeded,
    );
  });

  it('a round trip (buy then sell back) never pays the trader', () => {
    fc.assert(
      fc.property(market, quantities(10, 10n ** 10n), fc.bigInt({ min: 1n, max: 10n ** 10n }), fc.nat(9), ({ k, subsidy }, rawQ, amount, o) => {
        const q = rawQ.slice(0, k);
        const outcome = o % k;
        const b = liquidityForSubsidy(subsidy, k);
        const buy = new Array<bigint>(k).fill(0n);
        buy[outcome] = amount;
        const first = quoteShares(q, b, buy);
        const back = quoteShares(first.q, b, buy.map((d) => -d));
        expect(back.q).toEqual(q);
        expect(first.cost + back.cost).toBeGreaterThanOrEqual(0n);
        expect(first.cost + back.cost).toBeLessThanOrEqual(2n);
      }),
      seeded,
    );
  });

  it('hand-checked: 10 shares of outcome 0 at K=2, b = 100 units / ln 2', () => {
    const b = liquidityForSubsidy(100n * UNIT, 2);
    const quote = quoteShares([0n, 0n], b, [10n * UNIT, 0n]);
    const bf = Number(b);
    const want = bf * Math.log((Math.exp(1e7 / bf) + 1) / 2);
    expect(quote.cost).toBe(BigInt(Math.ceil(want)));
    expect(quoteShares([0n, 0n], b, [0n, 0n]).cost).toBe(0n);
  });

  it('rejects bad trades with stable codes and expected/got messages', () => {
    const b = liquidityForSubsidy(100n * UNIT, 2);
    const neg = errorOf(() => quoteShares([5n, 0n], b, [-6n, 0n])) as GameRejection;
    expect(neg).toBeInstanceOf(GameRejection);
    expect(neg.code).toBe('trade.sharesNegative');
    expect(neg.message).toBe('delta[0]: expected at least −5 (outstanding micro-shares), got -6n');
    expect((errorOf(() => quoteShares([0n, 0n], b, [1n])) as GameRejection).code).toBe('trade.wrongLength');
    const over = errorOf(() => quoteShares([0n, 0n], b, [10n * UNIT, 0n], 5n * UNIT)) as GameRejection;
    expect(over.code).toBe('trade.maxCostExceeded');
    expect(over.message).toMatch(/^maxCost: expected at least the cost 5\d{6} micro-units, got 5000000n$/);
    expect((errorOf(() => quoteShares([-1n, 0n], b, [1n, 0n])) as ValidationError).code).toBe('market.quantities');
    expect((errorOf(() => quoteShares([0n, 0n], 0n, [1n, 0n])) as ValidationError).code).toBe('market.liquidity');
  });
});

describe('payout', () => {
  it('pays one micro-unit per micro-share of the outcome that happened', () => {
    expect(payout([7n, 3n, 0n], 1)).toBe(3n);
    expect(payout([7n, 3n, 0n], 2)).toBe(0n);
    expect((errorOf(() => payout([7n, 3n], 2)) as GameRejection).code).toBe('market.outcome');
  });
});
