/**
 * Market invariants over random trade sequences (fast-check), for every scoring rule the community
 * may choose (LMSR and QMSR): the maker never loses more than the subsidy, every charge is at least
 * the exact cost, capped trades respect their cap, and a sequence of trades costs the same as the
 * total move up to rounding that favours the maker.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROB_SCALE, initialQuantities } from './lmsr.js';
import { qmsrCostExact } from './qmsr.js';
import { REF_ONE, referenceCost as lmsrReferenceCost } from './reference.js';
import { LMSR, QMSR, type ScoringRule } from './scoring-rule.js';

const UNIT = 1_000_000n;

type Op =
  | { kind: 'shares'; amounts: bigint[]; sellFraction: number }
  | { kind: 'belief'; weights: number[]; capPermille: number };

const opArb = (k: number): fc.Arbitrary<Op> =>
  fc.oneof(
    fc.record({
      kind: fc.constant('shares' as const),
      amounts: fc.array(fc.bigInt({ min: 0n, max: 200n * UNIT }), { minLength: k, maxLength: k }),
      sellFraction: fc.integer({ min: -100, max: 100 }), // < 0: sell that % of the outstanding shares
    }),
    fc.record({
      kind: fc.constant('belief' as const),
      weights: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: k, maxLength: k }),
      capPermille: fc.integer({ min: 0, max: 1500 }), // > 1000: usually uncapped
    }),
  );

const scenario = fc
  .record({ k: fc.integer({ min: 2, max: 6 }), subsidy: fc.bigInt({ min: UNIT, max: 1000n * UNIT }) })
  .chain(({ k, subsidy }) => fc.record({ k: fc.constant(k), subsidy: fc.constant(subsidy), ops: fc.array(opArb(k), { minLength: 1, maxLength: 12 }) }));

function beliefFrom(weights: number[]): bigint[] {
  const w = weights.map((v) => BigInt(v) + 1n);
  const total = w.reduce((s, v) => s + v, 0n);
  const r = w.map((v) => (v * PROB_SCALE) / total);
  r[0] = r[0]! + PROB_SCALE - r.reduce((s, v) => s + v, 0n);
  return r;
}

/** C(q)·2^128 in micro-units: the 128-bit series for the LMSR, the exact rational for the QMSR. */
const REFERENCES: [ScoringRule, (q: readonly bigint[], b: bigint) => bigint][] = [
  [LMSR, lmsrReferenceCost],
  [QMSR, (q, b) => {
    const c = qmsrCostExact(q, b);
    return (c.num * REF_ONE) / c.den;
  }],
];

describe.each(REFERENCES.map(([rule, referenceCost]) => ({ name: rule.name, rule, referenceCost })))('$name invariants over random trade sequences', ({ rule, referenceCost }) => {
  const { liquidityForSubsidy, makerWorstCaseLoss, quoteShares, quoteTradeToBelief } = rule;
  it('maker loss ≤ subsidy, charges ≥ exact cost, caps respected, path independence', () => {
    fc.assert(
      fc.property(scenario, ({ k, subsidy, ops }) => {
        const b = liquidityForSubsidy(subsidy, k);
        expect(makerWorstCaseLoss(b, k)).toBeLessThanOrEqual(subsidy);
        let q = initialQuantities(k);
        let collected = 0n; // what the maker has received from traders, net of what it paid
        let trades = 0n;
        for (const op of ops) {
          let delta: bigint[];
          let charged: bigint;
          if (op.kind === 'shares') {
            delta = op.sellFraction < 0 ? q.map((v) => -((v * BigInt(-op.sellFraction)) / 100n)) : op.amounts;
            ({ cost: charged } = quoteShares(q, b, delta));
          } else {
            const full = quoteTradeToBelief(q, b, beliefFrom(op.weights), 10n ** 18n);
            const cap = (full.cost * BigInt(op.capPermille)) / 1000n;
            const t = quoteTradeToBelief(q, b, beliefFrom(op.weights), cap);
            expect(t.cost).toBeLessThanOrEqual(cap);
            expect(t.reachedBelief).toBe(cap >= full.cost);
            delta = t.delta;
            charged = t.cost;
          }
          const next = q.map((v, i) => v + delta[i]!);
          // rounding favours the maker: never below the exact cost, and less than 1 micro-unit above
          const exact = referenceCost(next, b) - referenceCost(q, b);
          expect(charged * REF_ONE).toBeGreaterThanOrEqual(exact);
          expect((charged - 1n) * REF_ONE).toBeLessThan(exact + (REF_ONE >> 20n));
          collected += charged;
          trades += 1n;
          q = next;
          // whatever happens, paying the winners costs the maker at most the subsidy
          for (let y = 0; y < k; y++) expect(collected - q[y]!).toBeGreaterThanOrEqual(-subsidy);
        }
        // path independence: the sequence costs the exact total move, plus < 1 micro-unit per trade
        const exactTotal = referenceCost(q, b) - referenceCost(initialQuantities(k), b);
        expect(collected * REF_ONE).toBeGreaterThanOrEqual(exactTotal);
        expect(collected * REF_ONE).toBeLessThan(exactTotal + trades * REF_ONE + REF_ONE);
        const single = quoteShares(initialQuantities(k), b, q).cost;
        expect(collected).toBeGreaterThanOrEqual(single - 1n);
        expect(collected).toBeLessThanOrEqual(single + trades);
      }),
      { seed: 9001, numRuns: 120 },
    );
  });

  it('holds at extreme scales: b from 1 micro-unit (subsidy ≥ ln K µ) to 10^15, quantities up to 10^18', () => {
    const extreme = fc.record({
      k: fc.integer({ min: 2, max: 5 }),
      subsidy: fc.oneof(fc.bigInt({ min: 2n, max: 100n }), fc.bigInt({ min: 10n ** 12n, max: 10n ** 15n })),
      q: fc.array(fc.bigInt({ min: 0n, max: 10n ** 18n }), { minLength: 5, maxLength: 5 }),
      weights: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 5, maxLength: 5 }),
      capPermille: fc.integer({ min: 0, max: 1200 }),
    });
    fc.assert(
      fc.property(extreme, ({ k, subsidy, q: rawQ, weights, capPermille }) => {
        const b = liquidityForSubsidy(subsidy, k);
        const q = rawQ.slice(0, k);
        const belief = beliefFrom(weights.slice(0, k));
        const full = quoteTradeToBelief(q, b, belief, 10n ** 30n);
        const cap = (full.cost * BigInt(capPermille)) / 1000n;
        const t = quoteTradeToBelief(q, b, belief, cap);
        expect(t.cost).toBeLessThanOrEqual(cap);
        const next = q.map((v, i) => v + t.delta[i]!);
        const exact = referenceCost(next, b) - referenceCost(q, b);
        expect(t.cost * REF_ONE).toBeGreaterThanOrEqual(exact);
        expect((t.cost - 1n) * REF_ONE).toBeLessThan(exact + (REF_ONE >> 10n));
      }),
      { seed: 31337, numRuns: 150 },
    );
  });

  it('never mutates its inputs', () => {
    const q = [5n * UNIT, 0n, 2n * UNIT];
    const belief = [500_000_000_000n, 300_000_000_000n, 200_000_000_000n];
    const delta = [UNIT, 0n, -UNIT];
    const b = liquidityForSubsidy(10n * UNIT, 3);
    quoteTradeToBelief(q, b, belief, 10n ** 18n);
    quoteTradeToBelief(q, b, belief, 1000n);
    quoteShares(q, b, delta);
    expect(q).toEqual([5n * UNIT, 0n, 2n * UNIT]);
    expect(belief).toEqual([500_000_000_000n, 300_000_000_000n, 200_000_000_000n]);
    expect(delta).toEqual([UNIT, 0n, -UNIT]);
  });

  it('the maker can lose the whole subsidy, but not more (extreme one-sided buying)', () => {
    const k = 3;
    const subsidy = 100n * UNIT;
    const b = liquidityForSubsidy(subsidy, k);
    let q = initialQuantities(k);
    let collected = 0n;
    for (let n = 0; n < 40; n++) {
      const t = quoteTradeToBelief(q, b, [PROB_SCALE - 2_000n, 1_000n, 1_000n], 10n ** 18n);
      collected += t.cost;
      q = q.map((v, i) => v + t.delta[i]!);
    }
    const loss = q[0]! - collected;
    expect(loss).toBeGreaterThan(subsidy - 3n * UNIT); // price ≈ 1 − 2e-9: nearly all of b·ln K
    expect(loss).toBeLessThanOrEqual(subsidy);
  });
});
