/**
 * Read counts on a log scale: outcome k of a K-bucket market is the number of boundaries ≤ reads,
 * so with boundaries 1, 2, 4, …, 2^(K−2) bucket 0 is "not read", bucket 1 is one read, bucket 2 is
 * 2–3 reads and the last is "2^(K−2) or more". The same rule as the game's `reads` resolution.
 */
import { ValidationError } from '../../core/errors.js';

/** Boundaries 1, 2, 4, … (K − 1 of them) for a K-bucket market. */
export function logBoundaries(buckets: number): number[] {
  if (!Number.isInteger(buckets) || buckets < 2 || buckets > 41) {
    throw new ValidationError('streams.badBuckets', `buckets: expected an integer in 2..41, got ${buckets}`, { field: 'buckets' });
  }
  return Array.from({ length: buckets - 1 }, (_, i) => 2 ** i);
}

export function readsBucket(reads: number, boundaries: readonly number[]): number {
  let k = 0;
  while (k < boundaries.length && boundaries[k]! <= reads) k++;
  return k;
}

/**
 * A bucket's typical read count: 0 for bucket 0, the middle of [lo, hi) for inner buckets, and
 * 1.5 × the last boundary for the open top bucket.
 */
export function bucketValue(k: number, boundaries: readonly number[]): number {
  if (k === 0) return 0;
  const lo = boundaries[k - 1]!;
  const hi = boundaries[k];
  return hi === undefined ? lo * 1.5 : (lo + hi - 1) / 2;
}

/** The expected read count under a distribution over the buckets. */
export function expectedReads(probs: ArrayLike<number>, boundaries: readonly number[]): number {
  let sum = 0;
  for (let k = 0; k < probs.length; k++) sum += probs[k]! * bucketValue(k, boundaries);
  return sum;
}
