import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { makeRng } from '../../ml/rng.js';
import { dequantize, quantize, quantizerFor, ringSum } from './quantize.js';

describe('ring quantization', () => {
  it('the sum of quantized vectors dequantizes to the real sum within n·2^-scaleBits (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 40 }), fc.integer(), (n, d, seed) => {
        const rng = makeRng(seed);
        const q = quantizerFor(2, n);
        const vectors = Array.from({ length: n }, () => Array.from({ length: d }, () => (rng.next() * 2 - 1) * 2));
        const sum = dequantize(ringSum(vectors.map((v) => quantize(v, q, rng)), d), q);
        for (let i = 0; i < d; i++) {
          const real = vectors.reduce((s, v) => s + v[i]!, 0);
          expect(Math.abs(sum[i]! - real)).toBeLessThanOrEqual(n * 2 ** -q.scaleBits + 1e-12);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('extreme values at the bound do not wrap', () => {
    const n = 1000;
    const q = quantizerFor(1, n);
    const rng = makeRng(1);
    const lo = dequantize(ringSum(Array.from({ length: n }, () => quantize([-5], q, rng)), 1), q);
    const hi = dequantize(ringSum(Array.from({ length: n }, () => quantize([5], q, rng)), 1), q);
    expect(lo[0]).toBeCloseTo(-n, 6);
    expect(hi[0]).toBeCloseTo(n, 6);
  });

  it('stochastic rounding is unbiased', () => {
    const q = { bound: 1, scaleBits: 2 };
    const rng = makeRng(7);
    let total = 0;
    for (let k = 0; k < 20000; k++) total += dequantize(quantize([0.1], q, rng), q)[0]!;
    expect(total / 20000).toBeCloseTo(0.1, 2);
  });

  it('rejects nonsense parameters', () => {
    expect(() => quantizerFor(0, 3)).toThrow(/bound: expected a positive finite number, got 0/);
    expect(() => quantizerFor(1e9, 1e3)).toThrow(/fractional bit/);
  });
});
