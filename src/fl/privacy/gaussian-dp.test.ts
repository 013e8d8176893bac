import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gaussianDelta, gaussianEpsilon, gaussianNoiseMultiplierFor } from './gaussian-dp.js';
import { epsilonFor } from './rdp.js';

/**
 * δ(ε) straight from its definition, E[(1 − e^{ε−L})₊] over the privacy loss L ~ N(μ²/2, μ²) of a
 * μ-GDP mechanism, by Simpson's rule — an independent route to the closed form.
 */
function deltaByIntegration(mu: number, epsilon: number): number {
  const m = (mu * mu) / 2;
  const n = 200_000;
  const top = Math.max(epsilon, m) + 40 * mu;
  const h = (top - epsilon) / n;
  const f = (l: number) => (1 - Math.exp(epsilon - l)) * Math.exp(-((l - m) ** 2) / (2 * mu * mu)) / (mu * Math.sqrt(2 * Math.PI));
  let sum = f(epsilon) + f(top);
  for (let i = 1; i < n; i++) sum += (i % 2 === 1 ? 4 : 2) * f(epsilon + i * h);
  return (sum * h) / 3;
}

describe('exact accounting of composed Gaussian mechanisms', () => {
  it.each([
    { sigma: 2.5, steps: 25, epsilon: 10 },
    { sigma: 1, steps: 1, epsilon: 1 },
    { sigma: 0.7, steps: 4, epsilon: 3 },
    { sigma: 5, steps: 100, epsilon: 2 },
  ])('matches the privacy-loss integral at σ=$sigma, T=$steps, ε=$epsilon', ({ sigma, steps, epsilon }) => {
    const exact = gaussianDelta({ sigma, steps, epsilon });
    const integral = deltaByIntegration(Math.sqrt(steps) / sigma, epsilon);
    expect(Math.abs(exact - integral) / integral).toBeLessThan(1e-6);
  });

  it('is the same mechanism as one step of σ/√T (composition of Gaussians is Gaussian)', () => {
    expect(gaussianEpsilon({ sigma: 2.5, steps: 25, delta: 1e-5 })).toBeCloseTo(gaussianEpsilon({ sigma: 0.5, steps: 1, delta: 1e-5 }), 9);
  });

  it('never exceeds the RDP bound, and is tighter at the demo’s setting', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.5, max: 20, noNaN: true }), fc.integer({ min: 1, max: 200 }), fc.constantFrom(1e-3, 1e-5, 1e-8), (sigma, steps, delta) => {
        const exact = gaussianEpsilon({ sigma, steps, delta });
        expect(exact).toBeLessThanOrEqual(epsilonFor({ q: 1, sigma, steps, delta }).epsilon * (1 + 1e-9) + 1e-12);
        // Inverse: at the ε it reports, δ is met (to the bisection's tolerance), and just below it is not.
        if (exact > 0) {
          expect(gaussianDelta({ sigma, steps, epsilon: exact })).toBeLessThanOrEqual(delta * (1 + 1e-6));
          expect(gaussianDelta({ sigma, steps, epsilon: exact * (1 - 1e-6) })).toBeGreaterThan(delta);
        }
      }),
      { numRuns: 200 },
    );
    const rdp = epsilonFor({ q: 1, sigma: 2.5, steps: 25, delta: 1e-5 }).epsilon;
    const exact = gaussianEpsilon({ sigma: 2.5, steps: 25, delta: 1e-5 });
    expect(rdp).toBeCloseTo(10.73, 2);
    expect(exact).toBeCloseTo(10.0, 2);
  });

  it('agrees with the classical sufficient condition σ ≥ √(2 ln(1.25/δ))/ε for one step (ε < 1)', () => {
    for (const epsilon of [0.1, 0.5, 0.9]) {
      const sigma = Math.sqrt(2 * Math.log(1.25 / 1e-5)) / epsilon;
      expect(gaussianEpsilon({ sigma, steps: 1, delta: 1e-5 })).toBeLessThanOrEqual(epsilon);
    }
  });

  it('calibrates σ to a target ε', () => {
    const sigma = gaussianNoiseMultiplierFor({ epsilon: 10, delta: 1e-5, steps: 25 });
    expect(gaussianEpsilon({ sigma, steps: 25, delta: 1e-5 })).toBeLessThanOrEqual(10);
    expect(gaussianEpsilon({ sigma: sigma * (1 - 1e-5), steps: 25, delta: 1e-5 })).toBeGreaterThan(10);
    expect(sigma).toBeCloseTo(2.5, 2);
  });

  it('rejects bad parameters with what it expected', () => {
    expect(() => gaussianEpsilon({ sigma: 0, steps: 1, delta: 1e-5 })).toThrow(/sigma: expected a positive finite noise multiplier, got 0/);
    expect(() => gaussianEpsilon({ sigma: 1, steps: 1.5, delta: 1e-5 })).toThrow(/steps: expected a positive integer, got 1.5/);
    expect(() => gaussianEpsilon({ sigma: 1, steps: 1, delta: 1 })).toThrow(/delta: expected a number in \(0, 1\), got 1/);
    expect(() => gaussianDelta({ sigma: 1, steps: 1, epsilon: -1 })).toThrow(/epsilon: expected a number ≥ 0, got -1/);
  });
});
