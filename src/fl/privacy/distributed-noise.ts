/**
 * Distributed DP under secure aggregation: every member adds N(0, s²) per coordinate to its
 * clipped update and the operator sees only sums. A released sum of m members carries N(0, m·s²)
 * per coordinate, while adding or removing one member moves it by at most the sensitivity S (the
 * L2 clip bound), so that release is one Gaussian step of multiplier s·√m / S.
 *
 * The multiplier falls with m, so the guarantee is that of the smallest sum the protocol can
 * release, not of the group as drawn: with several groups per round each one is unmasked on its
 * own, and a group whose members drop out is still unmasked down to its threshold of survivors
 * (src/fl/net/protocol.ts, `smallestReleasableSum`). Calibrating s for all the round's members
 * would overstate the multiplier of every released sum by √(members / summands).
 */
import { expectedGot } from '../../core/errors.js';

export type SumNoise = {
  /** Std of the Gaussian noise each member adds per coordinate. */
  noiseStd: number;
  /** L2 bound on one member's (clipped) update. */
  sensitivity: number;
  /** Members in the released sum. */
  summands: number;
};

function positive(field: string, value: number): void {
  if (!(value > 0 && Number.isFinite(value))) throw expectedGot('fl.dp.invalid', field, 'a positive finite number', value);
}

function summandCount(value: number): void {
  if (!(Number.isSafeInteger(value) && value >= 1)) throw expectedGot('fl.dp.invalid', 'summands', 'a positive integer', value);
}

/** The noise multiplier of a released sum of `summands` members' noised updates. */
export function sumNoiseMultiplier({ noiseStd, sensitivity, summands }: SumNoise): number {
  if (!(noiseStd >= 0 && Number.isFinite(noiseStd))) throw expectedGot('fl.dp.invalid', 'noiseStd', 'a finite number ≥ 0', noiseStd);
  positive('sensitivity', sensitivity);
  summandCount(summands);
  return (noiseStd * Math.sqrt(summands)) / sensitivity;
}

/**
 * The noise std each member adds so that every released sum of at least `minSummands` members is
 * a Gaussian step of multiplier ≥ σ: s = σ·S/√minSummands, nudged up by an ulp where rounding
 * would leave s·√m/S a hair below σ.
 */
export function memberNoiseStd(target: { noiseMultiplier: number; sensitivity: number; minSummands: number }): number {
  const { noiseMultiplier, sensitivity, minSummands } = target;
  positive('noiseMultiplier', noiseMultiplier);
  positive('sensitivity', sensitivity);
  summandCount(minSummands);
  let std = (noiseMultiplier * sensitivity) / Math.sqrt(minSummands);
  while (sumNoiseMultiplier({ noiseStd: std, sensitivity, summands: minSummands }) < noiseMultiplier) std *= 1 + Number.EPSILON;
  return std;
}
