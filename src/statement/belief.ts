import { apportion, FRAC_BITS, logSumExp, PROB_SCALE } from '../market/index.js';

/**
 * The belief a proven model trades: softmax of its fixed-point scores (scale 2^(2·scaleBits)) at
 * PROB_SCALE, summing to exactly PROB_SCALE. A binary logistic regression has one score, the logit
 * of class 1 (class 0 has logit 0). All bigint, so the node and every operator compute the same
 * vector: a proof-carrying trade must trade exactly this belief.
 */
export function beliefFromScores(scores: readonly bigint[], scaleBits: number): bigint[] {
  const logits = scores.length === 1 ? [0n, scores[0]!] : [...scores];
  const shift = FRAC_BITS - 2n * BigInt(scaleBits);
  const fixed = logits.map((s) => (shift >= 0n ? s << shift : s >> -shift));
  return apportion(logSumExp(fixed).weights, PROB_SCALE);
}
