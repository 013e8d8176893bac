/**
 * Platt scaling of a federated logistic regression on the operator's own labelled slice: refit
 * p = σ(a·(w·x) + b) in the two numbers a and b, keep the direction w. A model released under
 * distributed DP has the right direction but the wrong scale and intercept: every round moves it
 * by at most the clip bound (the bias by at most its own small bound), and the noise inflates its
 * norm. Refitting two numbers on data the operator holds anyway is post-processing of the released
 * model, so it costs the members no privacy (the DP guarantee is closed under post-processing).
 *
 * Newton's method on the two-parameter logistic log loss, with a small ridge so that a separable
 * slice cannot push a or b to infinity; deterministic (no randomness, a fixed iteration cap).
 */
import { expectedGot } from '../../core/errors.js';
import type { CsrMatrix } from '../../ml/features/sparse.js';
import { sigmoid } from '../../ml/models/model.js';

export type PlattScaling = { scale: number; intercept: number };

const RIDGE = 1e-3;
const MAX_ITERATIONS = 100;

/** w·x (no bias) of every row: the score Platt scaling rescales. */
function scores(params: Float64Array, X: CsrMatrix): Float64Array {
  const out = new Float64Array(X.rows);
  for (let i = 0; i < X.rows; i++) {
    let z = 0;
    for (let t = X.indptr[i]!; t < X.indptr[i + 1]!; t++) z += params[X.indices[t]!]! * X.values[t]!;
    out[i] = z;
  }
  return out;
}

/** Regularised log loss of σ(a·s + b) on labels y. */
function objective(s: Float64Array, y: ArrayLike<number>, a: number, b: number): number {
  let f = (RIDGE * (a * a + b * b)) / 2;
  for (let i = 0; i < s.length; i++) {
    const z = a * s[i]! + b;
    // log(1 + e^{-z}) for y = 1, log(1 + e^{z}) for y = 0, written to stay finite for large |z|
    const m = y[i] === 1 ? -z : z;
    f += m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m));
  }
  return f;
}

/**
 * The (a, b) minimising the log loss of σ(a·s + b) on (X, y) plus RIDGE·(a² + b²)/2: damped
 * Newton from (0, 0), halving a step until the objective falls, so the answer does not depend on
 * the model's own scale or bias and a far start cannot diverge.
 */
export function plattFit(params: Float64Array, X: CsrMatrix, y: ArrayLike<number>): PlattScaling {
  if (params.length !== X.cols + 1) throw expectedGot('fl.train.badShape', 'calibration params', `${X.cols + 1} parameters`, params.length);
  if (X.rows !== y.length || X.rows === 0) throw expectedGot('fl.train.badShape', 'calibration labels', `${X.rows} labels for ${X.rows} rows (at least one)`, y.length);
  const s = scores(params, X);
  let a = 0;
  let b = 0;
  let f = objective(s, y, a, b);
  for (let it = 0; it < MAX_ITERATIONS; it++) {
    let ga = RIDGE * a;
    let gb = RIDGE * b;
    let haa = RIDGE;
    let hab = 0;
    let hbb = RIDGE;
    for (let i = 0; i < s.length; i++) {
      const z = a * s[i]! + b;
      const p = sigmoid(z);
      const g = p - (y[i] === 1 ? 1 : 0);
      const h = p * (1 - p);
      ga += g * s[i]!;
      gb += g;
      haa += h * s[i]! * s[i]!;
      hab += h * s[i]!;
      hbb += h;
    }
    const det = haa * hbb - hab * hab;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    let t = 1;
    let next = objective(s, y, a - da, b - db);
    while (!(next <= f) && t > 1e-6) {
      t /= 2;
      next = objective(s, y, a - t * da, b - t * db);
    }
    if (!(next <= f)) break;
    a -= t * da;
    b -= t * db;
    const moved = t * (Math.abs(da) + Math.abs(db));
    f = next;
    if (moved < 1e-10) break;
  }
  return { scale: a, intercept: b };
}

/** The parameters [a·w, b] of the calibrated model (same layout as `params`). */
export function applyPlatt(params: Float64Array, c: PlattScaling): Float64Array {
  const d = params.length - 1;
  const out = new Float64Array(params.length);
  for (let j = 0; j < d; j++) out[j] = c.scale * params[j]!;
  out[d] = c.intercept;
  return out;
}
