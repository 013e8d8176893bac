/**
 * Scores of probabilistic predictions against true labels. `probs[i]` is a distribution over the K
 * classes for item i; `y[i]` its true class index. Log loss is natural-log and clips p at 1e-15
 * (a model that is certain and wrong gets a large but finite penalty).
 */
import { expectedGot } from '../core/errors.js';

export type Probs = readonly ArrayLike<number>[];
export type Labels = ArrayLike<number>;

const EPS = 1e-15;

function check(probs: Probs, y: Labels): void {
  if (probs.length !== y.length) throw expectedGot('ml.lengthMismatch', 'metrics', `${y.length} predictions`, probs.length);
  if (probs.length === 0) throw expectedGot('ml.noPredictions', 'metrics', 'at least one prediction', 0);
}

function argmax(p: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < p.length; k++) if (p[k] > p[best]) best = k;
  return best;
}

export function predictedClasses(probs: Probs): Int32Array {
  return Int32Array.from(probs, argmax);
}

export function accuracy(probs: Probs, y: Labels): number {
  check(probs, y);
  let ok = 0;
  for (let i = 0; i < y.length; i++) if (argmax(probs[i]) === y[i]) ok++;
  return ok / y.length;
}

export function logLoss(probs: Probs, y: Labels): number {
  check(probs, y);
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum -= Math.log(Math.min(1, Math.max(EPS, probs[i][y[i]])));
  return sum / y.length;
}

/** Multi-class Brier score: mean over items of Σ_k (p_k − [y = k])², in [0, 2]. */
export function brier(probs: Probs, y: Labels): number {
  check(probs, y);
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    const p = probs[i];
    for (let k = 0; k < p.length; k++) {
      const d = p[k] - (k === y[i] ? 1 : 0);
      sum += d * d;
    }
  }
  return sum / y.length;
}

/** K×K counts: confusion[true][predicted]. */
export function confusionMatrix(probs: Probs, y: Labels, classes = probs[0]?.length ?? 2): number[][] {
  check(probs, y);
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < y.length; i++) m[y[i]][argmax(probs[i])]++;
  return m;
}

function f1From(m: number[][], k: number): number {
  let tp = m[k][k], fp = 0, fn = 0;
  for (let j = 0; j < m.length; j++) {
    if (j === k) continue;
    fp += m[j][k];
    fn += m[k][j];
  }
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
}

/** F1 of one class (default class 1, e.g. "spam") against the rest. */
export function f1(probs: Probs, y: Labels, positiveClass = 1): number {
  return f1From(confusionMatrix(probs, y), positiveClass);
}

/** Unweighted mean of per-class F1. */
export function macroF1(probs: Probs, y: Labels): number {
  const m = confusionMatrix(probs, y);
  let sum = 0;
  for (let k = 0; k < m.length; k++) sum += f1From(m, k);
  return sum / m.length;
}

export type CalibrationBucket = { lo: number; hi: number; count: number; meanConfidence: number; accuracy: number };

/**
 * Reliability buckets. mode 'top-label' (default): confidence = max_k p_k, hit = prediction correct.
 * mode 'class' (with `cls`): confidence = p_cls, hit = y is cls — the usual binary reliability plot.
 * Buckets are equal-width on [0, 1]; empty buckets are kept (count 0) so charts have fixed bins.
 */
export function calibrationBuckets(probs: Probs, y: Labels, options: { bins?: number; mode?: 'top-label' | 'class'; cls?: number } = {}): CalibrationBucket[] {
  check(probs, y);
  const bins = options.bins ?? 10;
  const conf = new Float64Array(bins), hits = new Float64Array(bins), count = new Float64Array(bins);
  for (let i = 0; i < y.length; i++) {
    let c: number, hit: boolean;
    if (options.mode === 'class') {
      const cls = options.cls ?? 1;
      c = probs[i][cls];
      hit = y[i] === cls;
    } else {
      const k = argmax(probs[i]);
      c = probs[i][k];
      hit = k === y[i];
    }
    const b = Math.min(bins - 1, Math.max(0, Math.floor(c * bins)));
    conf[b] += c;
    hits[b] += hit ? 1 : 0;
    count[b]++;
  }
  return Array.from({ length: bins }, (_, b) => ({
    lo: b / bins,
    hi: (b + 1) / bins,
    count: count[b],
    meanConfidence: count[b] ? conf[b] / count[b] : 0,
    accuracy: count[b] ? hits[b] / count[b] : 0,
  }));
}

/** Expected calibration error: Σ_b (n_b / n)·|accuracy_b − confidence_b| over top-label buckets. */
export function expectedCalibrationError(probs: Probs, y: Labels, bins = 10): number {
  const buckets = calibrationBuckets(probs, y, { bins });
  let sum = 0;
  for (const b of buckets) sum += b.count * Math.abs(b.accuracy - b.meanConfidence);
  return sum / y.length;
}

export type Evaluation = { n: number; accuracy: number; logLoss: number; brier: number; ece: number; macroF1: number; f1?: number };

/** All headline metrics at once (f1 = F1 of class 1 when K = 2). */
export function evaluate(probs: Probs, y: Labels): Evaluation {
  const K = probs[0]?.length ?? 2;
  return {
    n: y.length,
    accuracy: accuracy(probs, y),
    logLoss: logLoss(probs, y),
    brier: brier(probs, y),
    ece: expectedCalibrationError(probs, y),
    macroF1: macroF1(probs, y),
    ...(K === 2 ? { f1: f1(probs, y, 1) } : {}),
  };
}
