import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { DEFAULT_ORDERS, RdpAccountant, computeRdp, epsilonFor, logErfc, noiseMultiplierFor, privacySpent, sgmRdp } from './rdp.js';

type Reference = {
  epsilon: { q: number; sigma: number; steps: number; delta: number; epsilon: number; alpha: number }[];
  rdp: { q: number; sigma: number; alpha: number; rdp: number }[];
};
// Produced by testdata/rdp_reference.py, a transcription of Opacus' rdp.py run under numpy/scipy.
const reference = JSON.parse(readFileSync(new URL('./testdata/rdp-reference.json', import.meta.url), 'utf8')) as Reference;

describe('RDP of the sampled Gaussian mechanism', () => {
  it.each(reference.rdp)('matches the Opacus formula at q=$q σ=$sigma α=$alpha', ({ q, sigma, alpha, rdp }) => {
    expect(sgmRdp(q, sigma, alpha)).toBeCloseTo(rdp, 10);
    expect(Math.abs(sgmRdp(q, sigma, alpha) - rdp) / rdp).toBeLessThan(1e-8);
  });

  it('reproduces the values asserted in TF Privacy rdp_accountant_test.py', () => {
    expect(computeRdp({ q: 0.1, sigma: 2, steps: 10 }, [5])[0]).toBeCloseTo(0.07737, 5);
    const seq = computeRdp({ q: 0.01, sigma: 2.5, steps: 50 }, [1.5, 2.5, 5, 50, 100]);
    [0.00065, 0.001085, 0.00218075, 0.023846, 167.416307].forEach((v, k) => expect(Math.abs(seq[k]! - v)).toBeLessThan(1e-5));
    expect(computeRdp({ q: 1, sigma: 10, steps: 1 }, [20])[0]).toBe(0.1);
    expect(computeRdp({ q: 0, sigma: 10, steps: 1 }, [20])[0]).toBe(0);
    // Constant RDP 1.1 on orders 2..32 at δ=1e-5 → the largest order and ε = 1.32783806176.
    const orders = Array.from({ length: 31 }, (_, k) => k + 2);
    const spent = privacySpent(orders, orders.map(() => 1.1), 1e-5);
    expect(spent.alpha).toBe(32);
    expect(spent.epsilon).toBeCloseTo(1.32783806176, 9);
    // σ = 4.530877117 without sampling is exactly (1, 1e-6)-DP on a fine order grid.
    const fine = Array.from({ length: 99000 }, (_, k) => 0.001 * (k + 1000)).filter((a) => a > 1);
    expect(epsilonFor({ q: 1, sigma: 4.530877117, steps: 1, delta: 1e-6 }, fine).epsilon).toBeCloseTo(1, 5);
  });

  it('reproduces the Opacus rdp.py doctest: two phases composed → (0.336, 23)', () => {
    const orders = Array.from({ length: 31 }, (_, k) => k + 2);
    const acc = new RdpAccountant(orders).step(1e-5, 1.0, 10).step(1e-4, 3.0, 4);
    const { epsilon, alpha } = acc.spent(1e-5);
    expect(epsilon).toBeCloseTo(0.336, 3);
    expect(alpha).toBe(23);
  });

  it.each(reference.epsilon)('ε agrees with Opacus get_privacy_spent to 1e-6 at q=$q σ=$sigma T=$steps', (c) => {
    const got = epsilonFor(c);
    expect(Math.abs(got.epsilon - c.epsilon) / c.epsilon).toBeLessThan(1e-6);
    expect(got.alpha).toBe(c.alpha);
  });

  it('logErfc is continuous across its branch points and matches the asymptotic series', () => {
    for (const x of [-2, 2]) expect(logErfc(x - 1e-9)).toBeCloseTo(logErfc(x + 1e-9), 7);
    const x = 30; // erfc(x) ≈ e^{-x²}/(x√π)(1 − 1/(2x²) + 3/(4x⁴) − 15/(8x⁶) + …)
    expect(logErfc(x)).toBeCloseTo(-x * x - Math.log(x * Math.sqrt(Math.PI)) + Math.log(1 - 1 / (2 * x * x) + 3 / (4 * x ** 4) - 15 / (8 * x ** 6) + 105 / (16 * x ** 8)), 9);
    expect(logErfc(0)).toBeCloseTo(0, 15);
    expect(logErfc(30)).toBeCloseTo(-903.9741171106442, 9); // scipy: log(2) + log_ndtr(-30√2)
  });

  it('ε grows with steps and q and shrinks with σ (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 0.5, noNaN: true }), fc.double({ min: 0.6, max: 5, noNaN: true }), fc.integer({ min: 1, max: 500 }), (q, sigma, steps) => {
        const base = epsilonFor({ q, sigma, steps, delta: 1e-5 }).epsilon;
        expect(epsilonFor({ q, sigma, steps: steps * 2, delta: 1e-5 }).epsilon).toBeGreaterThanOrEqual(base - 1e-9);
        expect(epsilonFor({ q: Math.min(1, q * 1.5), sigma, steps, delta: 1e-5 }).epsilon).toBeGreaterThanOrEqual(base - 1e-9);
        expect(epsilonFor({ q, sigma: sigma * 1.2, steps, delta: 1e-5 }).epsilon).toBeLessThanOrEqual(base + 1e-9);
      }),
      { numRuns: 25 },
    );
  });

  it('noiseMultiplierFor inverts epsilonFor', () => {
    const sigma = noiseMultiplierFor({ epsilon: 5, delta: 1e-5, q: 0.05, steps: 300 });
    expect(epsilonFor({ q: 0.05, sigma, steps: 300, delta: 1e-5 }).epsilon).toBeLessThanOrEqual(5);
    expect(epsilonFor({ q: 0.05, sigma: sigma * 0.99, steps: 300, delta: 1e-5 }).epsilon).toBeGreaterThan(5);
  });

  it('rejects bad parameters with expected/got messages', () => {
    expect(() => epsilonFor({ q: 1.5, sigma: 1, steps: 1, delta: 1e-5 })).toThrow(/q: expected a sampling rate in \[0, 1\], got 1.5/);
    expect(() => epsilonFor({ q: 0.1, sigma: -1, steps: 1, delta: 1e-5 })).toThrow(/sigma/);
    expect(() => epsilonFor({ q: 0.1, sigma: 1, steps: 1.5, delta: 1e-5 })).toThrow(/steps/);
    expect(() => epsilonFor({ q: 0.1, sigma: 1, steps: 1, delta: 0 })).toThrow(/delta/);
    expect(() => computeRdp({ q: 0.1, sigma: 1, steps: 1 }, [1])).toThrow(/orders/);
    expect(DEFAULT_ORDERS.length).toBe(151);
  });
});
