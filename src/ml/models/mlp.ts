import type { CsrMatrix, SparseVector } from '../features/sparse.js';
import { meanSquaredNorm } from '../features/sparse.js';
import { makeRng } from '../rng.js';
import { resolveClasses, softmax, type Classifier, type TrainOptions } from './model.js';

/**
 * One-hidden-layer ReLU network: h = max(0, W1·x + b1), p = softmax(W2·h + b2).
 * W1 is stored feature-major (W1[j·H + i]) so a sparse input reads/updates H contiguous weights per
 * non-zero; W2 is class-major (W2[k·H + i]) like the artifact. Trained by shuffled per-example SGD
 * with AdaGrad step sizes (row-wise for W1); init is seeded and scaled by the inputs' mean squared norm (not by the
 * bucket count: only the few non-zero inputs are ever active).
 */
export type MlpOptions = TrainOptions & {
  hidden?: number;
  epochs?: number;
  learningRate?: number;
  l2?: number;
  /** Train toward (1−ε)·onehot + ε/K instead of the one-hot label (curbs over-confidence). */
  labelSmoothing?: number;
};

export class MlpModel implements Classifier {
  readonly family = 'mlp' as const;
  constructor(
    readonly inputs: number,
    readonly hidden: number,
    readonly classes: number,
    readonly W1: Float64Array,
    readonly b1: Float64Array,
    readonly W2: Float64Array,
    readonly b2: Float64Array,
  ) {}

  hiddenActivations(x: SparseVector): Float64Array {
    const H = this.hidden;
    const h = Float64Array.from(this.b1);
    for (let t = 0; t < x.indices.length; t++) {
      const base = x.indices[t] * H, v = x.values[t];
      for (let i = 0; i < H; i++) h[i] += this.W1[base + i] * v;
    }
    for (let i = 0; i < H; i++) if (h[i] < 0) h[i] = 0;
    return h;
  }

  scores(x: SparseVector): Float64Array {
    const H = this.hidden, K = this.classes;
    const h = this.hiddenActivations(x);
    const z = Float64Array.from(this.b2);
    for (let k = 0; k < K; k++) for (let i = 0; i < H; i++) z[k] += this.W2[k * H + i] * h[i];
    return z;
  }

  predictProba(x: SparseVector): Float64Array {
    return softmax(this.scores(x));
  }
}

export function trainMlp(X: CsrMatrix, y: ArrayLike<number>, options: MlpOptions = {}): MlpModel {
  const K = resolveClasses(y, options.classes);
  const D = X.cols;
  const H = options.hidden ?? 16;
  const epochs = options.epochs ?? 3;
  const eta = options.learningRate ?? 0.1;
  const l2 = options.l2 ?? 1e-5;
  const smooth = options.labelSmoothing ?? 0;
  const rng = makeRng(options.seed ?? 1);
  const W1 = new Float64Array(D * H);
  const b1 = new Float64Array(H);
  const W2 = new Float64Array(K * H);
  const b2 = new Float64Array(K);
  const scale1 = Math.sqrt(2 / Math.max(1e-6, meanSquaredNorm(X)));
  for (let i = 0; i < W1.length; i++) W1[i] = rng.normal() * scale1;
  const scale2 = Math.sqrt(1 / H);
  for (let i = 0; i < W2.length; i++) W2[i] = rng.normal() * scale2;
  // Row-wise AdaGrad for W1 (one accumulator per input feature, as for embedding tables): one
  // sqrt per non-zero instead of one per weight — the MLP's hot loop is ~H times cheaper.
  const G1 = new Float64Array(D).fill(1e-8);
  const Gb1 = new Float64Array(H).fill(1e-8);
  const G2 = new Float64Array(K * H).fill(1e-8);
  const Gb2 = new Float64Array(K).fill(1e-8);
  const h = new Float64Array(H);
  const z = new Float64Array(K);
  const dh = new Float64Array(H);
  const order = new Int32Array(X.rows);
  for (let i = 0; i < X.rows; i++) order[i] = i;
  const { indptr, indices, values } = X;
  for (let epoch = 0; epoch < epochs; epoch++) {
    rng.shuffle<number, Int32Array>(order);
    for (let o = 0; o < order.length; o++) {
      const n = order[o];
      const s = indptr[n], e = indptr[n + 1];
      for (let i = 0; i < H; i++) h[i] = b1[i];
      for (let t = s; t < e; t++) {
        const base = indices[t] * H, v = values[t];
        for (let i = 0; i < H; i++) h[i] += W1[base + i] * v;
      }
      for (let i = 0; i < H; i++) if (h[i] < 0) h[i] = 0;
      let max = -Infinity;
      for (let k = 0; k < K; k++) {
        let acc = b2[k];
        for (let i = 0; i < H; i++) acc += W2[k * H + i] * h[i];
        z[k] = acc;
        if (acc > max) max = acc;
      }
      let sum = 0;
      for (let k = 0; k < K; k++) sum += z[k] = Math.exp(z[k] - max);
      dh.fill(0);
      const label = y[n];
      for (let k = 0; k < K; k++) {
        const gk = z[k] / sum - ((k === label ? 1 - smooth : 0) + smooth / K);
        for (let i = 0; i < H; i++) {
          const at = k * H + i;
          dh[i] += W2[at] * gk;
          const grad = gk * h[i] + l2 * W2[at];
          G2[at] += grad * grad;
          W2[at] -= (eta * grad) / Math.sqrt(G2[at]);
        }
        Gb2[k] += gk * gk;
        b2[k] -= (eta * gk) / Math.sqrt(Gb2[k]);
      }
      for (let i = 0; i < H; i++) if (h[i] <= 0) dh[i] = 0;
      let dhNorm = 0;
      for (let i = 0; i < H; i++) dhNorm += dh[i] * dh[i];
      for (let t = s; t < e; t++) {
        const j = indices[t], base = j * H, v = values[t];
        G1[j] += (dhNorm * v * v) / H;
        const step = eta / Math.sqrt(G1[j]);
        for (let i = 0; i < H; i++) {
          const at = base + i;
          W1[at] -= step * (dh[i] * v + l2 * W1[at]);
        }
      }
      for (let i = 0; i < H; i++) {
        if (dh[i] === 0) continue;
        Gb1[i] += dh[i] * dh[i];
        b1[i] -= (eta * dh[i]) / Math.sqrt(Gb1[i]);
      }
    }
  }
  return new MlpModel(D, H, K, W1, b1, W2, b2);
}
