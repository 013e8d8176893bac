import { ValidationError, expectedGot } from '../../core/errors.js';
import type { SparseVector } from '../features/sparse.js';
import { sigmoid, softmax, type Classifier, type ModelFamily } from './model.js';

/**
 * A linear scorer shared by logistic regression and naive Bayes (whose log-posterior is linear in
 * the counts). Weights are stored feature-major, W[j·rows + r], so a sparse input touches one
 * contiguous slice per non-zero. `binary` models have one row: the logit of class 1 (class 0 = 0),
 * exactly the artifact's binary logreg semantics.
 */
export class LinearModel implements Classifier {
  readonly rows: number;
  constructor(
    readonly family: Extract<ModelFamily, 'logreg' | 'naive-bayes'>,
    readonly inputs: number,
    readonly classes: number,
    readonly binary: boolean,
    /** Feature-major weights, length inputs·rows. */
    readonly W: Float64Array,
    /** Bias per row. */
    readonly b: Float64Array,
  ) {
    this.rows = binary ? 1 : classes;
    if (binary && classes !== 2) throw expectedGot('ml.badClasses', 'classes', '2 for a binary model', classes);
    if (W.length !== inputs * this.rows || b.length !== this.rows) {
      throw new ValidationError('ml.badShape', `LinearModel: expected W of ${inputs * this.rows} and b of ${this.rows} weights (${inputs} inputs, ${this.rows} rows), got ${W.length} and ${b.length}`, { field: 'weights' });
    }
  }

  /** Raw scores (logits), one per row. */
  scores(x: SparseVector): Float64Array {
    const R = this.rows, W = this.W;
    const z = Float64Array.from(this.b);
    const idx = x.indices, val = x.values;
    for (let t = 0; t < idx.length; t++) {
      const base = idx[t] * R, v = val[t];
      for (let r = 0; r < R; r++) z[r] += W[base + r] * v;
    }
    return z;
  }

  predictProba(x: SparseVector): Float64Array {
    const z = this.scores(x);
    if (this.binary) {
      const p = sigmoid(z[0]);
      return Float64Array.of(1 - p, p);
    }
    return softmax(z);
  }

  /** Weight of row r (class r, or the class-1 logit when binary) on input j. */
  weight(r: number, j: number): number {
    return this.W[j * this.rows + r];
  }
}
