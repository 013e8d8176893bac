import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HindsightError } from '../core/errors.js';
import { validateBelief } from './belief.js';
import { PROB_SCALE, cost, costBounds, liquidityForSubsidy, makerWorstCaseLoss, payout, prices, quoteShares } from './lmsr.js';
import { quoteTradeToBelief } from './trade-to-belief.js';

/** Any value, biased towards near-misses of the real types (numbers for bigints, short arrays, negatives). */
const junk = fc.oneof(
  fc.anything(),
  fc.bigInt({ min: -(10n ** 13n), max: 10n ** 13n }),
  fc.integer(),
  fc.array(fc.oneof(fc.bigInt({ min: -(10n ** 13n), max: 10n ** 13n }), fc.integer(), fc.constant(undefined)), { maxLength: 12 }),
);
const B = 144_269_504n;
const Q = [3_000_000n, 0n];
const R = [PROB_SCALE / 2n, PROB_SCALE / 2n];

/** Calls f and passes if it returns or throws a HindsightError (never a TypeError / RangeError). */
function onlyHindsightErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    expect(e, String(e)).toBeInstanceOf(HindsightError);
  }
}

describe('bad input', () => {
  it('every public function answers junk with a HindsightError or a result, never a crash', () => {
    fc.assert(
      fc.property(junk, junk, fc.nat(5), (x, y, which) => {
        const u = x as never;
        const v = y as never;
        onlyHindsightErrors(() => quoteTradeToBelief(which === 0 ? u : Q, which === 1 ? u : B, which === 2 ? u : R, which === 3 ? u : v));
        onlyHindsightErrors(() => quoteShares(which < 2 ? u : Q, which >= 2 && which < 4 ? u : B, v, which === 5 ? u : undefined));
        onlyHindsightErrors(() => validateBelief(u, which + 2));
        onlyHindsightErrors(() => cost(u, v));
        onlyHindsightErrors(() => costBounds(Q, u));
        onlyHindsightErrors(() => prices(u, B));
        onlyHindsightErrors(() => payout(u, v));
        onlyHindsightErrors(() => liquidityForSubsidy(u, v));
        onlyHindsightErrors(() => makerWorstCaseLoss(u, v));
      }),
      { seed: 5150, numRuns: 400 },
    );
  });
});
