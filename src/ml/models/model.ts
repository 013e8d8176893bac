import { expectedGot } from '../../core/errors.js';
import type { CsrMatrix, SparseVector } from '../features/sparse.js';
import { csrRow } from '../features/sparse.js';

/**
 * What every trained model offers, whatever its family: class probabilities for one sparse input.
 * Trainers are `trainX(X, y, options)` with a `seed`; the same data, options and seed give the same
 * weights bit for bit (no Math.random, fixed iteration order).
 */
export type ModelFamily = 'logreg' | 'mlp' | 'naive-bayes';

export interface Classifier {
  readonly family: ModelFamily;
  /** Input dimension (featurizer dim). */
  readonly inputs: number;
  /** Number of classes K ≥ 2. */
  readonly classes: number;
  /** Probabilities over the K classes (sums to 1). */
  predictProba(x: SparseVector): Float64Array;
}

export type TrainOptions = {
  /** Seed for shuffling and initialization (default 1). */
  seed?: number;
  /** Number of classes (default max(y) + 1, at least 2). */
  classes?: number;
};

export function predictProbaAll(model: Classifier, X: CsrMatrix): Float64Array[] {
  const out: Float64Array[] = new Array(X.rows);
  for (let i = 0; i < X.rows; i++) out[i] = model.predictProba(csrRow(X, i));
  return out;
}

/** Index of the largest value; the lowest index wins ties (same rule as the fixed-point argmax). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < values.length; k++) if (values[k] > values[best]) best = k;
  return best;
}

export function predictClass(model: Classifier, x: SparseVector): number {
  return argmax(model.predictProba(x));
}

/** Softmax of logits into a new array (max-subtracted for stability). */
export function softmax(logits: ArrayLike<number>): Float64Array {
  const out = new Float64Array(logits.length);
  let max = -Infinity;
  for (let k = 0; k < logits.length; k++) if (logits[k] > max) max = logits[k];
  let sum = 0;
  for (let k = 0; k < logits.length; k++) sum += out[k] = Math.exp(logits[k] - max);
  for (let k = 0; k < logits.length; k++) out[k] /= sum;
  return out;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

export function resolveClasses(y: ArrayLike<number>, classes?: number): number {
  let max = 1;
  for (let i = 0; i < y.length; i++) if (y[i] > max) max = y[i];
  const k = classes ?? max + 1;
  if (!Number.isInteger(k) || k < 2 || k <= max) throw expectedGot('ml.badClasses', 'classes', `an integer ≥ 2 and > max label ${max}`, k);
  return k;
}
