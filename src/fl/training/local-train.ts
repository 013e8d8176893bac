/**
 * Local training for federated learning: a few epochs of minibatch SGD on the binary logistic loss,
 * starting from the global weights the strategy sent (src/ml's trainers start from zero, so this
 * small routine lives here). Features come from src/ml's featurizer (CSR rows). The flat parameter
 * vector is [W_0 … W_{D−1}, b], the layout of a binary LinearModel, so `toLinearModel` is free.
 */
import { expectedGot } from '../../core/errors.js';
import type { CsrMatrix } from '../../ml/features/sparse.js';
import { LinearModel } from '../../ml/models/linear.js';
import { predictProbaAll, sigmoid } from '../../ml/models/model.js';
import { accuracy, logLoss } from '../../ml/metrics.js';
import type { Rng } from '../../ml/rng.js';

export type LocalTrainOptions = { epochs: number; learningRate: number; batchSize: number; l2?: number };

export function toLinearModel(params: Float64Array): LinearModel {
  const d = params.length - 1;
  return new LinearModel('logreg', d, 2, true, params.slice(0, d), params.slice(d));
}

/** Trains from `start` on (X, y) and returns the update Δ = w_local − start. */
export function localUpdate(start: Float64Array, X: CsrMatrix, y: ArrayLike<number>, options: LocalTrainOptions, rng: Rng): Float64Array {
  const d = X.cols;
  if (start.length !== d + 1) throw expectedGot('fl.train.badShape', 'localUpdate start', `${d + 1} parameters`, start.length);
  const w = Float64Array.from(start);
  const grad = new Float64Array(d + 1);
  const touched: number[] = [];
  const order = Int32Array.from({ length: X.rows }, (_, i) => i);
  const { indptr, indices, values } = X;
  const l2 = options.l2 ?? 0;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    rng.shuffle<number, Int32Array>(order);
    for (let start0 = 0; start0 < order.length; start0 += options.batchSize) {
      const end = Math.min(order.length, start0 + options.batchSize);
      touched.length = 0;
      let gb = 0;
      for (let o = start0; o < end; o++) {
        const i = order[o]!;
        let z = w[d]!;
        for (let t = indptr[i]!; t < indptr[i + 1]!; t++) z += w[indices[t]!]! * values[t]!;
        const g = sigmoid(z) - (y[i] === 1 ? 1 : 0);
        gb += g;
        for (let t = indptr[i]!; t < indptr[i + 1]!; t++) {
          const j = indices[t]!;
          if (grad[j] === 0) touched.push(j);
          grad[j] = grad[j]! + g * values[t]!;
        }
      }
      const scale = options.learningRate / (end - start0);
      for (const j of touched) {
        w[j] = w[j]! - scale * grad[j]! - options.learningRate * l2 * w[j]!;
        grad[j] = 0;
      }
      w[d] = w[d]! - scale * gb;
    }
  }
  for (let j = 0; j <= d; j++) w[j] = w[j]! - start[j]!;
  return w;
}

export function evaluateParams(params: Float64Array, X: CsrMatrix, y: ArrayLike<number>): { accuracy: number; logLoss: number } {
  const probs = predictProbaAll(toLinearModel(params), X);
  return { accuracy: accuracy(probs, y), logLoss: logLoss(probs, y) };
}
