/**
 * Categorical QMSR (Hanson's quadratic market scoring rule), pure bigint, exact.
 *
 * The cost function is the convex conjugate of the quadratic regularizer R(p) = b·(‖p‖² − 1/K)
 * over the probability simplex:
 *
 *   C(q) = max_{p ∈ Δ} p·q − b·‖p‖² + b/K,    p(q) = the maximizer = the Euclidean projection of
 *                                              q/(2b) onto the simplex (some prices may be exactly 0).
 *
 * With A the active outcomes (p_i > 0), m = |A|, S = Σ_A q_i and t = (S − 2b)/m:
 *   p_i = (q_i − t)/(2b) on A,   C(q) = [Σ_A q_i² − m·t²]/(4b) + b/K
 *        = [K·(m·Σ_A q_i² − (S − 2b)²) + 4b²·m] / (4·b·m·K)        (a rational: computed exactly)
 *
 * Every quantity is a ratio of bigints, so a charge is the exact ceiling of C(q′) − C(q): no
 * rounding error to bound, unlike the LMSR's exp/ln. Worst-case maker loss: C(q) ≥ q_y − R(e_y),
 * so the maker, having collected C(q) − C(0) = C(q), pays q_y and loses at most
 * R(e_y) − R(uniform) = b·(1 − 1/K). `liquidityForSubsidy` picks b = ⌊subsidy·K/(K−1)⌋, so the loss
 * is ≤ the subsidy. Units as in lmsr.ts: q in micro-shares, b and costs in micro-units, prices and
 * beliefs at PROB_SCALE.
 *
 * Trading to a belief r scores the trader by the quadratic rule: b·(2r_y − ‖r‖²) − b·(2p_y − ‖p‖²)
 * if y happens — proper, so honest beliefs maximise expected profit, like the log rule, but bounded:
 * certainty costs at most 2b, where the LMSR floor makes it ≈ 20.7·b.
 */
import { validateBelief } from './belief.js';
import { FRAC_BITS, apportion, ceilDiv } from './fixed.js';
import { PROB_SCALE, type ShareQuote } from './lmsr.js';
import type { BeliefTrade } from './trade-to-belief.js';
import { checkLiquidity, checkMaxCost, checkOutcomes, checkQuantities, invalid, rejection, sharesAfter } from './validate.js';

/** An exact non-negative rational num/den (den > 0). */
export type Ratio = { num: bigint; den: bigint };

/** b for a subsidy: the largest integer b with b·(1 − 1/K) ≤ subsidy. */
export function qmsrLiquidityForSubsidy(subsidyMicro: bigint, outcomes: number): bigint {
  checkOutcomes(outcomes);
  if (typeof subsidyMicro !== 'bigint' || subsidyMicro <= 0n) {
    throw invalid('market.subsidy', 'subsidy', 'a positive bigint (micro-units)', subsidyMicro);
  }
  const k = BigInt(outcomes);
  return (subsidyMicro * k) / (k - 1n);
}

/** The maker's worst-case loss b·(1 − 1/K), rounded up (≤ the subsidy b came from). */
export function qmsrWorstCaseLoss(b: bigint, outcomes: number): bigint {
  checkLiquidity(b);
  checkOutcomes(outcomes);
  const k = BigInt(outcomes);
  return ceilDiv(b * (k - 1n), k);
}

type Active = { order: number[]; m: number; s: bigint };

/** The active set of the simplex projection of q/(2b): the largest prefix (by q, descending) with m·q_(m) > S_m − 2b. */
function activeSet(q: readonly bigint[], b: bigint): Active {
  const order = q.map((_, i) => i).sort((x, y) => (q[y]! > q[x]! ? 1 : q[y]! < q[x]! ? -1 : x - y));
  let s = 0n;
  let best = { m: 1, s: q[order[0]!]! };
  for (let m = 1; m <= order.length; m++) {
    const v = q[order[m - 1]!]!;
    s += v;
    if (BigInt(m) * v > s - 2n * b) best = { m, s };
    else break;
  }
  return { order, m: best.m, s: best.s };
}

/** C(q) as an exact rational, in micro-units. Inputs are assumed valid. */
export function qmsrCostExact(q: readonly bigint[], b: bigint): Ratio {
  const { order, m, s } = activeSet(q, b);
  let sq = 0n;
  for (let j = 0; j < m; j++) sq += q[order[j]!]! ** 2n;
  const k = BigInt(q.length);
  const mm = BigInt(m);
  const t = s - 2n * b;
  return { num: k * (mm * sq - t * t) + 4n * b * b * mm, den: 4n * b * mm * k };
}

/** C(q) in micro-units, rounded up. */
export function qmsrCost(q: readonly bigint[], b: bigint): bigint {
  checkQuantities(q);
  checkLiquidity(b);
  const c = qmsrCostExact(q, b);
  return ceilDiv(c.num, c.den);
}

/** ceil(C(q2) − C(q1)): what a trader pays (negative: receives, rounded down in magnitude). */
function charge(before: Ratio, after: Ratio): bigint {
  return ceilDiv(after.num * before.den - before.num * after.den, after.den * before.den);
}

/** Prices at PROB_SCALE summing to exactly PROB_SCALE; outcomes outside the active set are exactly 0. */
export function qmsrPrices(q: readonly bigint[], b: bigint): bigint[] {
  checkQuantities(q);
  checkLiquidity(b);
  const { order, m, s } = activeSet(q, b);
  const weights = new Array<bigint>(q.length).fill(0n);
  const mm = BigInt(m);
  for (let j = 0; j < m; j++) {
    const i = order[j]!;
    weights[i] = mm * q[i]! - s + 2n * b; // ∝ p_i; Σ = 2bm
  }
  return apportion(weights, PROB_SCALE);
}

/** A share-vector trade, as lmsr.ts `quoteShares` (same rejections), charged the exact ceiling. */
export function qmsrQuoteShares(q: readonly bigint[], b: bigint, delta: readonly bigint[], maxCost?: bigint): ShareQuote {
  checkQuantities(q);
  checkLiquidity(b);
  const { next, moved } = sharesAfter(q, delta);
  if (maxCost !== undefined && typeof maxCost !== 'bigint') throw rejection('trade.maxCost', 'maxCost', 'a bigint (micro-units)', maxCost);
  const charged = moved ? charge(qmsrCostExact(q, b), qmsrCostExact(next, b)) : 0n;
  if (maxCost !== undefined && charged > maxCost) {
    throw rejection('trade.maxCostExceeded', 'maxCost', `at least the cost ${charged} micro-units`, maxCost);
  }
  return { cost: charged, q: next };
}

/**
 * The unrounded full-move deltas D_i at 2^64 micro-shares for a floored belief r (R = Σr):
 * q′_i = 2b·r_i/R + t puts the price exactly at r/R; t is chosen so the smallest delta is 0.
 */
export function qmsrBeliefDeltas(q: readonly bigint[], b: bigint, floored: readonly bigint[]): bigint[] {
  let total = 0n;
  for (const r of floored) total += r;
  // at scale R: x_i = 2b·r_i − q_i·R; D_i·R = x_i − min_j x_j
  const x = floored.map((r, i) => 2n * b * r - q[i]! * total);
  let min = x[0]!;
  for (const v of x) if (v < min) min = v;
  return x.map((v) => ((v - min) << FRAC_BITS) / total);
}

const HALF = 1n << (FRAC_BITS - 1n);

/**
 * Quote the trade that moves the price to `belief`, spending at most `maxCost`. Full move when it
 * fits; otherwise the largest s on the straight path delta(s) = round(s·D/D_max) whose charge fits
 * (the charge never decreases along it: prices are ≥ 0 and every delta only grows), found by
 * bisection — exact, about 40 cost evaluations of O(K log K) each.
 */
export function qmsrQuoteTradeToBelief(q: readonly bigint[], b: bigint, belief: readonly bigint[], maxCost: bigint): BeliefTrade {
  checkQuantities(q);
  checkLiquidity(b);
  checkMaxCost(maxCost);
  const floored = validateBelief(belief, q.length);
  const D = qmsrBeliefDeltas(q, b, floored);
  const full = D.map((d) => (d + HALF) >> FRAC_BITS);
  if (full.every((d) => d === 0n)) return { delta: full, cost: 0n, reachedBelief: true };
  const before = qmsrCostExact(q, b);
  const costOf = (delta: readonly bigint[]): bigint => charge(before, qmsrCostExact(delta.map((d, i) => q[i]! + d), b));
  const fullCost = costOf(full);
  if (fullCost <= maxCost) return { delta: full, cost: fullCost, reachedBelief: true };
  let top = 0;
  for (let i = 1; i < D.length; i++) if (D[i]! > D[top]!) top = i;
  const dMax = D[top]!;
  const deltaAt = (s: bigint): bigint[] => D.map((d, i) => (i === top ? s : (2n * s * d + dMax) / (2n * dMax)));
  let lo = 0n;
  let loDelta = new Array<bigint>(q.length).fill(0n);
  let loCost = 0n;
  let hi = full[top]!; // excluded: at S_full the move is the full one, which does not fit
  while (hi - lo > 1n) {
    const mid = lo + (hi - lo) / 2n;
    const delta = deltaAt(mid);
    const c = costOf(delta);
    if (c <= maxCost) [lo, loDelta, loCost] = [mid, delta, c];
    else hi = mid;
  }
  return { delta: loDelta, cost: loCost, reachedBelief: false };
}
