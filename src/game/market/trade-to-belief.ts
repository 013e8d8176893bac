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
 * whose charged cost is ≤ maxCost. The charged cost strictly increases with s, so that s is unique;
 * it is found by Newton's method on the (convex) cost curve from above, then an exponential +
 * binary search that verifies the boundary exactly. Deterministic, and never above maxCost.
 *
 * Payoff: if outcome y happens the trader nets delta_y − cost = b·(ln p'_y − ln p_y) − f where p'
 * is the new price and 0 ≤ f < 1 micro-unit (cost rounding). Because shares are whole micro-shares,
 * p' differs from r by the rounding of delta, so against the requested r the payoff is within
 * (−2, +1) micro-units of b·(ln r_y − ln p_y).
 */
import { validateBelief } from './belief.js';
import { FRAC_BITS, ONE, lnInteger } from './fixed.js';
import { chargeFrom, costBoundsUnchecked } from './lmsr.js';
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
const MAX_NEWTON_STEPS = 48;

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

  const loBefore = costBoundsUnchecked(q, b).lo;
  const after = (delta: readonly bigint[]): bigint[] => delta.map((d, i) => q[i]! + d);
  const fullCost = chargeFrom(loBefore, costBoundsUnchecked(after(full), b).hi);
  if (fullCost <= maxCost) return { delta: full, cost: fullCost, reachedBelief: true };

  // Capped: search s on the geometric path.
  let top = 0;
  for (let i = 1; i < k; i++) if (D[i]! > D[top]!) top = i;
  const dMax = D[top]!;
  const sFull = full[top]!;
  const twoDMax = 2n * dMax;
  const deltaAt = (s: bigint): bigint[] => D.map((d, i) => (i === top ? s : (2n * s * d + dMax) / twoDMax));

  // Bracket: cost(lo) ≤ maxCost (s = 0 costs nothing), hi is excluded (s ≥ S_full is not "capped").
  let lo = 0n;
  let loDelta = new Array<bigint>(k).fill(0n);
  let loCost = 0n;
  let hi = sFull;
  const capFixed = maxCost << FRAC_BITS;
  const probe = (s: bigint): { ok: boolean; newton: bigint } => {
    const delta = deltaAt(s);
    const bounds = costBoundsUnchecked(after(delta), b);
    const charged = chargeFrom(loBefore, bounds.hi);
    if (charged <= maxCost) {
      if (s > lo) {
        lo = s;
        loDelta = delta;
        loCost = charged;
      }
    } else if (s < hi) hi = s;
    // Newton step toward cost = maxCost: ds = g / g', g' = Σ p_i·D_i / D_max.
    const g = bounds.hi - loBefore - capFixed;
    let slope = 0n;
    for (let i = 0; i < k; i++) slope += bounds.weights[i]! * D[i]!;
    const step = slope > 0n ? (g * bounds.total * dMax) / (slope << FRAC_BITS) : 0n;
    return { ok: charged <= maxCost, newton: s - step };
  };

  // Newton from above: on a convex increasing curve the iterates approach the root from the right.
  let s = sFull - 1n;
  for (let n = 0; n < MAX_NEWTON_STEPS && hi - lo > 1n; n++) {
    const { ok, newton } = probe(s);
    if (ok) break;
    const next = newton >= s ? s - 1n : newton;
    if (s - next <= 1n) {
      s = next;
      break;
    }
    s = next <= lo ? lo + 1n : next;
  }
  // Exponential search from the estimate, then bisection: finds the exact boundary in the bracket.
  let step = 1n;
  let guess = s;
  while (hi - lo > 1n) {
    if (guess <= lo || guess >= hi) guess = lo + (hi - lo) / 2n;
    const { ok } = probe(guess);
    guess = ok ? guess + step : guess - step;
    step *= 2n;
  }
  return { delta: loDelta, cost: loCost, reachedBelief: false };
}
