/**
 * A belief is a probability vector given as integers at PROB_SCALE (10^12 = 1).
 *
 * Accepted: exactly K entries, each a bigint ≥ 0, summing to PROB_SCALE within BELIEF_SUM_TOLERANCE
 * (10^3, i.e. 1e-9). Zeros and values below BELIEF_FLOOR (10^3, i.e. 1e-9) are raised to the floor:
 * an LMSR price can never be 0, and the floor caps what one trade can spend on certainty
 * (b·ln(1/1e-9) ≈ 20.7·b). The vector is not renormalised: only ratios matter to the LMSR.
 */
import { PROB_SCALE } from './lmsr.js';
import { checkOutcomes, rejection } from './validate.js';

export const BELIEF_FLOOR = 1_000n;
export const BELIEF_SUM_TOLERANCE = 1_000n;

/** Validates a belief for a K-outcome market and returns it with the floor applied. */
export function validateBelief(belief: readonly bigint[], outcomes: number): bigint[] {
  checkOutcomes(outcomes);
  const expected = `K=${outcomes} probabilities summing to 1 ± 1e-9 (integers at 10^12)`;
  if (!Array.isArray(belief)) throw rejection('belief.notDistribution', 'belief', expected, belief);
  if (belief.length !== outcomes) {
    throw rejection('belief.wrongLength', 'belief', expected, `${belief.length} probabilities`);
  }
  let sum = 0n;
  const floored = new Array<bigint>(outcomes);
  for (let i = 0; i < outcomes; i++) {
    const r = belief[i];
    if (typeof r !== 'bigint' || r < 0n) {
      throw rejection('belief.notDistribution', `belief[${i}]`, 'a probability ≥ 0 (bigint at 10^12)', r);
    }
    sum += r;
    floored[i] = r < BELIEF_FLOOR ? BELIEF_FLOOR : r;
  }
  const off = sum - PROB_SCALE;
  if (off > BELIEF_SUM_TOLERANCE || off < -BELIEF_SUM_TOLERANCE) {
    throw rejection('belief.notDistribution', 'belief', expected, `sum ${formatProbability(sum)}`);
  }
  return floored;
}

/** 10^12-scaled integer as a decimal string ("0.999999999"), for messages. */
export function formatProbability(p: bigint): string {
  const neg = p < 0n;
  const a = neg ? -p : p;
  const frac = (a % PROB_SCALE).toString().padStart(12, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${a / PROB_SCALE}${frac ? `.${frac}` : ''}`;
}
