/**
 * Categorical LMSR (Hanson's logarithmic market scoring rule), pure bigint.
 *
 * Units: q (outstanding shares per outcome) in micro-shares — one share pays 1 unit = 10^6
 * micro-units if its outcome happens, so one micro-share pays one micro-unit. b, costs and subsidies
 * in micro-units. Prices and beliefs are integers at PROB_SCALE = 10^12.
 *
 *   C(q) = b · ln Σ exp(q_i / b),   p_i = softmax(q / b)_i,   b = subsidy / ln K.
 *
 * Rounding: every amount the maker receives is rounded up and every amount it pays is rounded down,
 * from guaranteed bounds of the real value (fixed.ts), so no rounding ever favours a trader.
 */
import { FRAC_BITS, ONE, apportion, ceilDiv, lnCeil, lnInteger, logSumExp } from './fixed.js';
import { checkLiquidity, checkOutcomes, checkQuantities, invalid, rejection, sharesAfter } from './validate.js';

/** Probabilities (prices, beliefs) are integers at this scale: 10^12 = probability 1. */
export const PROB_SCALE = 1_000_000_000_000n;

/** Initial market state: no shares outstanding. */
export function initialQuantities(outcomes: number): bigint[] {
  checkOutcomes(outcomes);
  return new Array<bigint>(outcomes).fill(0n);
}

/**
 * Liquidity b (micro-units) for a subsidy (micro-units): the largest integer b with b·ln K ≤ subsidy,
 * so the maker's worst-case loss never exceeds the subsidy.
 */
export function liquidityForSubsidy(subsidyMicro: bigint, outcomes: number): bigint {
  checkOutcomes(outcomes);
  if (typeof subsidyMicro !== 'bigint' || subsidyMicro <= 0n) {
    throw invalid('market.subsidy', 'subsidy', 'a positive bigint (micro-units)', subsidyMicro);
  }
  const b = (subsidyMicro << FRAC_BITS) / lnCeil(BigInt(outcomes) << FRAC_BITS);
  if (b <= 0n) throw invalid('market.subsidy', 'subsidy', `at least ln K micro-units for K=${outcomes}`, subsidyMicro);
  return b;
}

/** The maker's worst-case loss b·ln K in micro-units, rounded up (≤ the subsidy b came from). */
export function makerWorstCaseLoss(b: bigint, outcomes: number): bigint {
  checkLiquidity(b);
  checkOutcomes(outcomes);
  return ceilDiv(b * lnCeil(BigInt(outcomes) << FRAC_BITS), ONE);
}

export type CostBounds = {
  /** Guaranteed bounds of C(q) in micro-units at scale 2^64: lo ≤ C(q)·2^64 ≤ hi. */
  lo: bigint;
  hi: bigint;
  /** exp((q_i − max q)/b) at 2^64, and their sum: softmax numerators, i.e. the prices. */
  weights: bigint[];
  total: bigint;
};

/**
 * Bounds of C(q) = max q + b·ln Σ exp((q_i − max q)/b). The shifted exponents are floors of the
 * exact rationals (≤ 1 ulp low), which the bounds account for. Inputs are assumed valid.
 */
export function costBoundsUnchecked(q: readonly bigint[], b: bigint): CostBounds {
  let m = q[0]!;
  for (const v of q) if (v > m) m = v;
  const ys = new Array<bigint>(q.length);
  for (let i = 0; i < q.length; i++) {
    // floor((q_i − m)·2^64 / b) for a non-positive numerator: truncation of (num − b + 1) / b
    ys[i] = (((q[i]! - m) << FRAC_BITS) - b + 1n) / b;
  }
  const lse = logSumExp(ys, 1n);
  const base = m << FRAC_BITS;
  return { lo: base + b * lse.lo, hi: base + b * lse.hi, weights: lse.weights, total: lse.total };
}

/** Guaranteed bounds of C(q) at 2^64 micro-units (see CostBounds). */
export function costBounds(q: readonly bigint[], b: bigint): CostBounds {
  checkQuantities(q);
  checkLiquidity(b);
  return costBoundsUnchecked(q, b);
}

/** C(q) in micro-units, rounded up. */
export function cost(q: readonly bigint[], b: bigint): bigint {
  return ceilDiv(costBounds(q, b).hi, ONE);
}

/** Current prices p = softmax(q/b) as integers at PROB_SCALE that sum to exactly PROB_SCALE. */
export function prices(q: readonly bigint[], b: bigint): bigint[] {
  const { weights } = costBounds(q, b);
  return apportion(weights, PROB_SCALE);
}

/** Charged amount for moving q → q2 given lo(C(q)): ceil of an upper bound of C(q2) − C(q). */
export function chargeFrom(loBefore: bigint, hiAfter: bigint): bigint {
  return ceilDiv(hiAfter - loBefore, ONE);
}

export type ShareQuote = {
  /** Micro-units the trader pays (> 0) or, when negative, receives; rounded in the maker's favour. */
  cost: bigint;
  /** Outstanding shares after the trade. */
  q: bigint[];
};

/**
 * Quote a share-vector trade: buy delta_i > 0 / sell delta_i < 0 micro-shares of each outcome.
 * The trader pays ceil(C(q+delta) − C(q)) (receives floor(C(q) − C(q+delta)) when that is
 * negative). Rejects if any outstanding quantity would go negative (`trade.sharesNegative`), or if
 * `maxCost` (micro-units) is given and the cost exceeds it (`trade.maxCostExceeded`). The caller
 * checks the trader's own holdings before a sale.
 */
export function quoteShares(q: readonly bigint[], b: bigint, delta: readonly bigint[], maxCost?: bigint): ShareQuote {
  checkQuantities(q);
  checkLiquidity(b);
  const { next, moved } = sharesAfter(q, delta);
  if (maxCost !== undefined && typeof maxCost !== 'bigint') throw rejection('trade.maxCost', 'maxCost', 'a bigint (micro-units)', maxCost);
  const charged = moved ? chargeFrom(costBoundsUnchecked(q, b).lo, costBoundsUnchecked(next, b).hi) : 0n;
  if (maxCost !== undefined && charged > maxCost) {
    throw rejection('trade.maxCostExceeded', 'maxCost', `at least the cost ${charged} micro-units`, maxCost);
  }
  return { cost: charged, q: next };
}

/** What `shares` (micro-shares per outcome) pay when `outcome` happens, in micro-units. */
export function payout(shares: readonly bigint[], outcome: number): bigint {
  if (!Array.isArray(shares)) throw invalid('market.shares', 'shares', 'an array of bigint micro-shares', shares);
  if (!Number.isInteger(outcome) || outcome < 0 || outcome >= shares.length) {
    throw rejection('market.outcome', 'outcome', `an outcome index in [0, ${shares.length - 1}]`, outcome);
  }
  const s = shares[outcome];
  if (typeof s !== 'bigint') throw invalid('market.shares', `shares[${outcome}]`, 'a bigint (micro-shares)', s);
  return s > 0n ? s : 0n;
}

const LN_PROB_SCALE = lnInteger(PROB_SCALE);

/** ln of a probability given at PROB_SCALE, at 2^64 (approximate, |error| ≤ 2·LN_ERR_ULPS). */
export function lnProbability(p: bigint): bigint {
  return lnInteger(p) - LN_PROB_SCALE;
}
