/**
 * Exact (ε, δ) of composed Gaussian mechanisms without sampling: the accountant for client-level DP
 * when participation is public (dp.ts), where each round a client takes part in is one Gaussian
 * step of noise multiplier σ on a sum of sensitivity 1.
 *
 * T adaptively composed Gaussian steps are together μ-GDP with μ = √T/σ (Dong, Roth & Su 2019,
 * "Gaussian Differential Privacy", Cor. 3.3), and a μ-GDP mechanism is (ε, δ)-DP for exactly
 *   δ(ε) = Φ(−ε/μ + μ/2) − e^ε·Φ(−ε/μ − μ/2)
 * and for no smaller δ (ibid. Cor. 2.13; Balle & Wang 2018, "Improving the Gaussian mechanism",
 * Thm 8). The RDP conversion (rdp.ts) is an upper bound on this figure: at σ = 2.5 and T = 25 it
 * says ε = 10.7 where the exact value is 10.0. With sampling (q < 1) no such closed form exists and
 * rdp.ts is the accountant.
 */
import { expectedGot } from '../../core/errors.js';
import { logErfc } from './rdp.js';

export type GaussianSteps = { sigma: number; steps: number };

const logPhi = (x: number) => logErfc(-x / Math.SQRT2) - Math.LN2;

function validate({ sigma, steps }: GaussianSteps): void {
  if (!(sigma > 0 && Number.isFinite(sigma))) throw expectedGot('fl.dp.invalid', 'sigma', 'a positive finite noise multiplier', sigma);
  if (!(Number.isInteger(steps) && steps >= 1)) throw expectedGot('fl.dp.invalid', 'steps', 'a positive integer', steps);
}

/** The smallest δ for which `steps` Gaussian steps of multiplier σ are (ε, δ)-DP. */
export function gaussianDelta(params: GaussianSteps & { epsilon: number }): number {
  validate(params);
  const { epsilon } = params;
  if (!(epsilon >= 0)) throw expectedGot('fl.dp.invalid', 'epsilon', 'a number ≥ 0', epsilon);
  const mu = Math.sqrt(params.steps) / params.sigma;
  const la = logPhi(-epsilon / mu + mu / 2);
  const lb = logPhi(-epsilon / mu - mu / 2);
  // Φ(a) − e^ε Φ(b) in logs: both terms underflow or nearly cancel at the δ that matter (≈ 1e-5).
  return Math.max(0, -Math.exp(la) * Math.expm1(epsilon + lb - la));
}

/**
 * The smallest x ≥ 0 (to `tolerance` relative) with f(x) ≤ target, for f non-increasing: doubling
 * to bracket it, then bisection.
 */
function smallestAtMost(f: (x: number) => number, target: number, tolerance: number): number {
  let lo = 0;
  let hi = 1;
  while (f(hi) > target) hi *= 2;
  while (hi - lo > tolerance * hi) {
    const mid = (lo + hi) / 2;
    if (f(mid) > target) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** The smallest ε (to 1e-12 relative) for which `steps` Gaussian steps of multiplier σ are (ε, δ)-DP. */
export function gaussianEpsilon(params: GaussianSteps & { delta: number }): number {
  validate(params);
  const { delta } = params;
  if (!(delta > 0 && delta < 1)) throw expectedGot('fl.dp.invalid', 'delta', 'a number in (0, 1)', delta);
  const deltaAt = (epsilon: number) => gaussianDelta({ ...params, epsilon });
  if (deltaAt(0) <= delta) return 0;
  return smallestAtMost(deltaAt, delta, 1e-12);
}

/** The smallest σ (to 1e-6 relative) for which `steps` Gaussian steps are (ε, δ)-DP. */
export function gaussianNoiseMultiplierFor(target: { epsilon: number; delta: number; steps: number }): number {
  if (!(target.epsilon > 0)) throw expectedGot('fl.dp.invalid', 'epsilon', 'a positive target ε', target.epsilon);
  return smallestAtMost((sigma) => gaussianEpsilon({ sigma, steps: target.steps, delta: target.delta }), target.epsilon, 1e-6);
}
