/**
 * Rényi-DP accountant for the sampled Gaussian mechanism (SGM), the accountant used by Opacus
 * (`opacus/accountants/analysis/rdp.py`) and TensorFlow Privacy (`rdp_accountant.py`):
 *
 *  - RDP of one SGM step at order α: Mironov, Talwar & Zhang 2019, "Rényi Differential Privacy of
 *    the Sampled Gaussian Mechanism" §3.3 — the exact binomial sum for integer α and the two-sided
 *    erfc series for fractional α.
 *  - RDP → (ε, δ): Balle et al. 2020, "Hypothesis testing interpretations and Rényi DP", Thm 21
 *    (the conversion Opacus `get_privacy_spent` and current TF Privacy use):
 *      ε(α) = RDP(α) − (log δ + log α)/(α − 1) + log((α − 1)/α),  ε = min over the orders.
 *
 * For federated learning with client-level DP, q = clients sampled per round / population, σ = noise
 * std / clipping norm, steps = rounds.
 */
import { InternalError, expectedGot } from '../../core/errors.js';

/** Opacus' and TF Privacy's default orders: 1.1, 1.2, …, 10.9, 12, 13, …, 63. */
export const DEFAULT_ORDERS: readonly number[] = Object.freeze([
  ...Array.from({ length: 99 }, (_, x) => 1 + (x + 1) / 10),
  ...Array.from({ length: 52 }, (_, x) => 12 + x),
]);

export type PrivacySpent = { epsilon: number; alpha: number };

function logAdd(x: number, y: number): number {
  const a = Math.min(x, y);
  const b = Math.max(x, y);
  if (a === -Infinity) return b;
  return Math.log1p(Math.exp(a - b)) + b;
}

function logSub(x: number, y: number): number {
  if (x < y) throw new InternalError('internal.invariant', `logSub: expected x ≥ y (a non-negative difference), got x = ${x} < y = ${y}`);
  if (y === -Infinity) return x;
  if (x === y) return -Infinity;
  const d = x - y;
  // Python's math.expm1 overflows past ~709; Opacus then returns logx, which is exact to double precision.
  return d > 700 ? x : Math.log(Math.expm1(d)) + y;
}

const SQRT_PI = Math.sqrt(Math.PI);

/** erfc(x)·e^{x²} for x ≥ 2 by the Laplace continued fraction (modified Lentz). */
function erfcxContinuedFraction(x: number): number {
  // erfc(x)e^{x²}√π = 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …))))
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 5000; n++) {
    const a = n / 2;
    d = x + a * d;
    d = d === 0 ? tiny : 1 / d;
    c = x + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return 1 / (f * SQRT_PI);
}

/** erf(x) for |x| < 2 from the all-positive series e^{-x²}·2/√π·Σ 2ⁿx^{2n+1}/(2n+1)!! (no cancellation). */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
  }
  return ((2 / SQRT_PI) * Math.exp(-x2)) * sum;
}

/** log(erfc(x)) accurate for large positive x (where erfc underflows). */
export function logErfc(x: number): number {
  if (x >= 2) return -x * x + Math.log(erfcxContinuedFraction(x));
  if (x > -2) return Math.log1p(-erfSeries(x));
  return Math.log(2 - Math.exp(-x * x) * erfcxContinuedFraction(-x));
}

function logAInteger(q: number, sigma: number, alpha: number): number {
  let logA = -Infinity;
  let logBinom = 0; // log C(alpha, 0)
  const logQ = Math.log(q);
  const log1mQ = Math.log1p(-q);
  for (let i = 0; i <= alpha; i++) {
    if (i > 0) logBinom += Math.log(alpha - i + 1) - Math.log(i);
    const s = logBinom + i * logQ + (alpha - i) * log1mQ + (i * i - i) / (2 * sigma * sigma);
    logA = logAdd(logA, s);
  }
  return logA;
}

function logAFractional(q: number, sigma: number, alpha: number): number {
  let logA0 = -Infinity;
  let logA1 = -Infinity;
  const z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
  const logQ = Math.log(q);
  const log1mQ = Math.log1p(-q);
  const s2 = Math.SQRT2 * sigma;
  let logAbsBinom = 0;
  let binomPositive = true;
  for (let i = 0; ; i++) {
    if (i > 0) {
      const factor = alpha - i + 1;
      logAbsBinom += Math.log(Math.abs(factor)) - Math.log(i);
      if (factor < 0) binomPositive = !binomPositive;
    }
    const j = alpha - i;
    const logT0 = logAbsBinom + i * logQ + j * log1mQ;
    const logT1 = logAbsBinom + j * logQ + i * log1mQ;
    const logE0 = Math.log(0.5) + logErfc((i - z0) / s2);
    const logE1 = Math.log(0.5) + logErfc((z0 - j) / s2);
    const logS0 = logT0 + (i * i - i) / (2 * sigma * sigma) + logE0;
    const logS1 = logT1 + (j * j - j) / (2 * sigma * sigma) + logE1;
    if (binomPositive) {
      logA0 = logAdd(logA0, logS0);
      logA1 = logAdd(logA1, logS1);
    } else {
      logA0 = logSub(logA0, logS0);
      logA1 = logSub(logA1, logS1);
    }
    if (Math.max(logS0, logS1) < -30) break;
  }
  return logAdd(logA0, logA1);
}

/** RDP at order α of one step of the SGM with sampling rate q and noise multiplier σ. */
export function sgmRdp(q: number, sigma: number, alpha: number): number {
  if (q === 0) return 0;
  if (sigma === 0) return Infinity;
  if (q === 1) return alpha / (2 * sigma * sigma);
  if (!Number.isFinite(alpha)) return Infinity;
  const logA = Number.isInteger(alpha) ? logAInteger(q, sigma, alpha) : logAFractional(q, sigma, alpha);
  return logA / (alpha - 1);
}

export type SgmParams = { q: number; sigma: number; steps: number };

export function validateSgm({ q, sigma, steps }: SgmParams): void {
  if (!(Number.isFinite(q) && q >= 0 && q <= 1)) throw expectedGot('fl.dp.invalid', 'q', 'a sampling rate in [0, 1]', q);
  if (!(Number.isFinite(sigma) && sigma >= 0)) throw expectedGot('fl.dp.invalid', 'sigma', 'a noise multiplier ≥ 0', sigma);
  if (!(Number.isInteger(steps) && steps >= 0)) throw expectedGot('fl.dp.invalid', 'steps', 'a non-negative integer', steps);
}

function validateOrders(orders: readonly number[]): void {
  if (orders.length === 0) throw expectedGot('fl.dp.invalid', 'orders', 'a non-empty list of orders > 1', orders);
  for (const a of orders) {
    if (!(a > 1)) throw expectedGot('fl.dp.invalid', 'orders', 'every order > 1', a);
  }
}

/** RDP of `steps` SGM steps at each order (Opacus `compute_rdp`). */
export function computeRdp(params: SgmParams, orders: readonly number[] = DEFAULT_ORDERS): number[] {
  validateSgm(params);
  validateOrders(orders);
  return orders.map((a) => sgmRdp(params.q, params.sigma, a) * params.steps);
}

/** (ε, α*) from RDP values at the given orders and a target δ (Opacus `get_privacy_spent`). */
export function privacySpent(orders: readonly number[], rdp: readonly number[], delta: number): PrivacySpent {
  if (!(delta > 0 && delta < 1)) throw expectedGot('fl.dp.invalid', 'delta', 'a number in (0, 1)', delta);
  validateOrders(orders);
  if (rdp.length !== orders.length) throw expectedGot('fl.dp.invalid', 'rdp', `${orders.length} values (one per order)`, rdp.length);
  let best: PrivacySpent = { epsilon: Infinity, alpha: NaN };
  orders.forEach((a, k) => {
    const eps = rdp[k]! - (Math.log(delta) + Math.log(a)) / (a - 1) + Math.log((a - 1) / a);
    if (eps < best.epsilon) best = { epsilon: eps, alpha: a };
  });
  return { epsilon: Math.max(0, best.epsilon), alpha: best.alpha };
}

/** ε at δ after `steps` SGM steps, optimizing over `orders`. */
export function epsilonFor(params: SgmParams & { delta: number }, orders: readonly number[] = DEFAULT_ORDERS): PrivacySpent {
  return privacySpent(orders, computeRdp(params, orders), params.delta);
}

/** Composes heterogeneous SGM phases (e.g. one per FL round with its own q, σ). */
export class RdpAccountant {
  readonly orders: readonly number[];
  private readonly total: number[];

  constructor(orders: readonly number[] = DEFAULT_ORDERS) {
    validateOrders(orders);
    this.orders = orders;
    this.total = orders.map(() => 0);
  }

  step(q: number, sigma: number, steps = 1): this {
    const rdp = computeRdp({ q, sigma, steps }, this.orders);
    rdp.forEach((r, k) => (this.total[k]! += r));
    return this;
  }

  rdp(): number[] {
    return [...this.total];
  }

  spent(delta: number): PrivacySpent {
    return privacySpent(this.orders, this.total, delta);
  }
}

/** Smallest σ (to 1e-3 relative) whose ε after `steps` steps is ≤ targetEpsilon. */
export function noiseMultiplierFor(target: { epsilon: number; delta: number; q: number; steps: number }): number {
  if (!(target.epsilon > 0)) throw expectedGot('fl.dp.invalid', 'epsilon', 'a positive target ε', target.epsilon);
  const eps = (sigma: number) => epsilonFor({ q: target.q, sigma, steps: target.steps, delta: target.delta }).epsilon;
  let lo = 0.05;
  let hi = 1;
  while (eps(hi) > target.epsilon) {
    hi *= 2;
    if (hi > 1e4) throw expectedGot('fl.dp.invalid', 'epsilon', 'a target reachable with σ ≤ 1e4', target.epsilon);
  }
  while ((hi - lo) / hi > 1e-3) {
    const mid = (lo + hi) / 2;
    if (eps(mid) > target.epsilon) lo = mid;
    else hi = mid;
  }
  return hi;
}
