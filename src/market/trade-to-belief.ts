/**
 * "Trade to my belief": buy shares so the LMSR price becomes the trader's belief r.
 *
 * Full move: q'_i = b·ln r_i + c with c chosen so the smallest delta is 0 (buying only). In fixed
 * point, D_i = b·ln r_i − q_i − min_j(b·ln r_j − q_j) (micro-shares, at 2^64), delta_i = round(D_i).
 *
 * Capped move (cost of the full move > maxCost): prices follow the geometric path
 * p(t) ∝ p^(1−t)·r^t, which in share space is simply delta(t) = t·D. The path is parameterised by
 * s = micro-shares bought of the outcome with the largest D (index of the first maximum):
 * delta_i(s) = round(s·D_i / D_max), s integer in [0, S_full − 1]. The result is the largest such s
 * whose charged cost is ≤ maxCost. The exact cost strictly increases with s and the charge is its
 * ceiling (up to a ~1e-9 micro-unit margin), so that s is well defined;
 * it is found by Halley's method on the smooth cost curve (from whichever end is nearer the cap),
 * then an exponential + binary search that verifies the boundary exactly (usually 3–4 cost
 * evaluations in all). Deterministic, and never above maxCost.
 *
 * Payoff: if outcome y happens the trader nets delta_y − cost = b·(ln p'_y − ln p_y) − f where p'
 * is the new price and 0 ≤ f < 1 micro-unit (cost rounding). Because shares are whole micro-shares,
 * p' differs from r by the rounding of delta, so against the requested r the payoff is within
 * (−2, +1) micro-units of b·(ln r_y − ln p_y).
 */
import { validateBelief } from './belief.js';
import { FRAC_BITS, ONE, lnInteger } from './fixed.js';
import { type CostBounds, chargeFrom, costBoundsUnchecked } from './lmsr.js';
import { checkLiquidity, checkMaxCost, checkQuantities } from './validate.js';

export type BeliefTrade = {
  /** Micro-shares bought per outcome (all ≥ 0, at least one 0 unless nothing moves). */
  delta: bigint[];
  /** Micro-units the trader pays, rounded up; ≤ maxCost. */
  cost: bigint;
  /** True when the full move to the belief fitted within maxCost. */
  reachedBelief: boolean;
};

const HALF = ONE >> 1n;
const MAX_ITERATIONS = 48;

/** The unrounded full-move deltas D_i (micro-shares at 2^64) for a validated, floored belief. */
export function beliefDeltas(q: readonly bigint[], b: bigint, floored: readonly bigint[]): bigint[] {
  const raw = floored.map((r, i) => b * lnInteger(r) - (q[i]! << FRAC_BITS));
  let min = raw[0]!;
  for (const v of raw) if (v < min) min = v;
  return raw.map((v) => v - min);
}

/**
 * Quote the trade that moves the price to `belief` (integers at PROB_SCALE, see belief.ts),
 * spending at most `maxCost` micro-units. q in micro-shares, b in micro-units.
 */
export function quoteTradeToBelief(q: readonly bigint[], b: bigint, belief: readonly bigint[], maxCost: bigint): BeliefTrade {
  checkQuantities(q);
  checkLiquidity(b);
  checkMaxCost(maxCost);
  const floored = validateBelief(belief, q.length);
  const k = q.length;
  const D = beliefDeltas(q, b, floored);
  const full = D.map((d) => (d + HALF) >> FRAC_BITS);
  if (full.every((d) => d === 0n)) return { delta: full, cost: 0n, reachedBelief: true };

  const before = costBoundsUnchecked(q, b);
  // C is convex, so the full cost is at least the tangent Σ p_i·delta_i: when that alone exceeds the
  // cap, skip evaluating the full move (it only decides reachedBelief and the Halley start).
  if (tangentLowerBound(before, full) > maxCost) return cappedMove(q, b, D, full, before, undefined, maxCost);
  const fullBounds = costBoundsUnchecked(after(q, full), b);
  const fullCost = chargeFrom(before.lo, fullBounds.hi);
  if (fullCost <= maxCost) return { delta: full, cost: fullCost, reachedBelief: true };
  return cappedMove(q, b, D, full, before, fullBounds, maxCost);
}

/** Guaranteed lower bound (micro-units) of Σ p_i·delta_i, with each weight taken 32 ulps low. */
function tangentLowerBound(at: CostBounds, delta: readonly bigint[]): bigint {
  let sum = 0n;
  for (let i = 0; i < delta.length; i++) {
    const w = at.weights[i]! - WEIGHT_SLACK;
    if (w > 0n) sum += w * delta[i]!;
  }
  return sum / (at.total + BigInt(delta.length) * WEIGHT_SLACK);
}
const WEIGHT_SLACK = 32n; // > EXP_ERR_ULPS + 1 input ulp per weight

function after(q: readonly bigint[], delta: readonly bigint[]): bigint[] {
  return delta.map((d, i) => q[i]! + d);
}

/**
 * Halley estimate of where the cost reaches the cap, from an evaluation at s (Newton if Halley's
 * correction is not usable). With a_i = D_i / D_max (shares bought per step of s) and p the prices
 * at s: g = C(s) − C(0) − maxCost, g' = Σ p_i·a_i, g'' = (Σ p_i·a_i² − g'²) / b, and
 * Δ = N / (1 − N·g''/(2g')) with the Newton step N = g/g'. Integer arithmetic on the scaled sums
 * S1 = Σ w_i·D_i, S2 = Σ w_i·D_i², T = Σ w_i, all exact.
 */
function estimateFrom(s: bigint, at: CostBounds, loBefore: bigint, capFixed: bigint, D: readonly bigint[], dMax: bigint, b: bigint): bigint {
  const g = at.hi - loBefore - capFixed;
  let s1 = 0n;
  let s2 = 0n;
  for (let i = 0; i < D.length; i++) {
    const wd = at.weights[i]! * D[i]!;
    s1 += wd;
    s2 += wd * D[i]!;
  }
  if (s1 <= 0n) return s;
  const numN = g * at.total * dMax; // N = numN / denN micro-shares
  const denN = s1 << FRAC_BITS;
  const e = 2n * b * at.total * dMax * s1;
  const f = s2 * at.total - s1 * s1; // ≥ 0: a variance
  const den = denN * e - numN * f;
  return den > 0n ? s - (numN * e) / den : s - numN / denN;
}

/** The capped move: largest s on the path with charged cost ≤ maxCost (see the file comment). */
function cappedMove(
  q: readonly bigint[],
  b: bigint,
  D: readonly bigint[],
  full: readonly bigint[],
  before: CostBounds,
  fullBounds: CostBounds | undefined,
  maxCost: bigint,
): BeliefTrade {
  const k = q.length;
  let top = 0;
  for (let i = 1; i < k; i++) if (D[i]! > D[top]!) top = i;
  const dMax = D[top]!;
  const sFull = full[top]!;
  const twoDMax = 2n * dMax;
  const deltaAt = (s: bigint): bigint[] => D.map((d, i) => (i === top ? s : (2n * s * d + dMax) / twoDMax));
  const capFixed = maxCost << FRAC_BITS;

  // Bracket: cost(lo) ≤ maxCost (s = 0 costs nothing), hi excluded (s ≥ S_full is not "capped").
  let lo = 0n;
  let loDelta = new Array<bigint>(k).fill(0n);
  let loCost = 0n;
  let hi = sFull;
  /** Evaluates s, tightens the bracket, returns the Halley estimate from s. */
  const probe = (s: bigint): bigint => {
    const delta = deltaAt(s);
    const bounds = costBoundsUnchecked(after(q, delta), b);
    const charged = chargeFrom(before.lo, bounds.hi);
    if (charged <= maxCost) {
      if (s > lo) [lo, loDelta, loCost] = [s, delta, charged];
    } else if (s < hi) hi = s;
    return estimateFrom(s, bounds, before.lo, capFixed, D, dMax, b);
  };

  // Start from the evaluated end whose cost is nearer the cap, then iterate.
  let s =
    fullBounds === undefined || 2n * maxCost < chargeFrom(before.lo, fullBounds.hi)
      ? estimateFrom(0n, before, before.lo, capFixed, D, dMax, b)
      : estimateFrom(sFull, fullBounds, before.lo, capFixed, D, dMax, b);
  let direction = 0; // where the boundary was last seen: +1 just above lo, −1 just below hi
  for (let n = 0; n < MAX_ITERATIONS && hi - lo > 1n; n++) {
    if (s <= lo) s = lo + 1n;
    if (s >= hi) s = hi - 1n;
    if (s <= lo) break;
    const next = probe(s);
    const ok = lo === s;
    if (next - s <= 1n && s - next <= 1n) {
      direction = ok ? 1 : -1; // converged: the boundary is next to s
      break;
    }
    s = next;
  }
  // Gallop away from the boundary side we know (steps 1, 2, 4, …) until the bracket flips, then
  // bisect: exact, and usually 1–2 probes after the iteration.
  let step = 1n;
  let guess = direction > 0 ? lo + 1n : hi - 1n;
  while (hi - lo > 1n) {
    if (direction === 0 || guess <= lo || guess >= hi) guess = lo + (hi - lo) / 2n;
    const wasLo = lo;
    probe(guess);
    const side = lo !== wasLo ? 1 : -1;
    if (side === direction) {
      step *= 2n;
      guess = side > 0 ? lo + step : hi - step;
    } else direction = 0;
  }
  return { delta: loDelta, cost: loCost, reachedBelief: false };
}
