import type { CsrMatrix } from '../features/sparse.js';
import { LinearModel } from './linear.js';
import { resolveClasses, type TrainOptions } from './model.js';

/**
 * Multinomial naive Bayes: log P(k|x) = log π_k + Σ_j x_j log θ_kj + const, with Laplace/Lidstone
 * smoothing θ_kj = (N_kj + α) / (N_k + α·D). That is linear in x, so the result is a LinearModel
 * (and exports to the same logreg artifact). Each feature's weights are centered across classes —
 * softmax is unchanged and the weights get small enough to quantize. Deterministic (no seed needed).
 */
export type NaiveBayesOptions = TrainOptions & { alpha?: number };

export function trainNaiveBayes(X: CsrMatrix, y: ArrayLike<number>, options: NaiveBayesOptions = {}): LinearModel {
  const K = resolveClasses(y, options.classes);
  const D = X.cols;
  const alpha = options.alpha ?? 1;
  const N = new Float64Array(D * K);
  const total = new Float64Array(K);
  const docs = new Float64Array(K);
  for (let i = 0; i < X.rows; i++) {
    const k = y[i];
    docs[k]++;
    for (let t = X.indptr[i]; t < X.indptr[i + 1]; t++) {
      const v = X.values[t];
      if (v < 0) throw new RangeError(`naive Bayes: expected non-negative features, got ${v} at row ${i}`);
      N[X.indices[t] * K + k] += v;
      total[k] += v;
    }
  }
  const logPrior = new Float64Array(K);
  for (let k = 0; k < K; k++) logPrior[k] = Math.log((docs[k] + 1) / (X.rows + K));
  const logTheta = new Float64Array(D * K);
  for (let k = 0; k < K; k++) {
    const denom = Math.log(total[k] + alpha * D);
    for (let j = 0; j < D; j++) logTheta[j * K + k] = Math.log(N[j * K + k] + alpha) - denom;
  }
  if (K === 2) {
    // One row: logit of class 1 = log-odds.
    const W = new Float64Array(D);
    for (let j = 0; j < D; j++) W[j] = logTheta[j * 2 + 1] - logTheta[j * 2];
    return new LinearModel('naive-bayes', D, 2, true, W, Float64Array.of(logPrior[1] - logPrior[0]));
  }
  for (let j = 0; j < D; j++) {
    let mean = 0;
    for (let k = 0; k < K; k++) mean += logTheta[j * K + k];
    mean /= K;
    for (let k = 0; k < K; k++) logTheta[j * K + k] -= mean;
  }
  let meanPrior = 0;
  for (let k = 0; k < K; k++) meanPrior += logPrior[k] / K;
  for (let k = 0; k < K; k++) logPrior[k] -= meanPrior;
  return new LinearModel('naive-bayes', D, K, false, logTheta, logPrior);
}
