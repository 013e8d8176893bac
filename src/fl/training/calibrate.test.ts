import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csrFromRows } from '../../ml/features/sparse.js';
import { makeRng } from '../../ml/rng.js';
import { applyPlatt, plattFit } from './calibrate.js';
import { evaluateParams } from './local-train.js';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Rows of `d` sparse features, and labels drawn from σ(a·(w·x) + b). */
function sample(seed: number, rows: number, d: number, w: Float64Array, a: number, b: number) {
  const rng = makeRng(seed);
  const vecs = Array.from({ length: rows }, () => {
    const idx = [...new Set(Array.from({ length: 4 }, () => rng.int(d)))].sort((x, y) => x - y);
    return { indices: Int32Array.from(idx), values: Float64Array.from(idx, () => rng.next() * 2 - 1) };
  });
  const X = csrFromRows(vecs, d);
  const y = Int32Array.from(vecs, (v) => {
    let s = 0;
    for (let k = 0; k < v.indices.length; k++) s += w[v.indices[k]!]! * v.values[k]!;
    return rng.next() < sigmoid(a * s + b) ? 1 : 0;
  });
  return { X, y };
}

describe('Platt scaling of a federated model', () => {
  const d = 12;
  const w = Float64Array.from({ length: d + 1 }, (_, j) => (j === d ? 0 : ((j * 7) % 5) - 2));

  it('recovers the scale and intercept the labels were drawn with', () => {
    const { X, y } = sample(3, 20_000, d, w, 2, -1);
    const c = plattFit(w, X, y);
    expect(c.scale).toBeGreaterThan(1.85);
    expect(c.scale).toBeLessThan(2.15);
    expect(c.intercept).toBeGreaterThan(-1.15);
    expect(c.intercept).toBeLessThan(-0.85);
  });

  it('depends only on the direction: any positive rescaling and any bias give the same calibrated model', () => {
    const { X, y } = sample(5, 2_000, d, w, 1.5, 0.5);
    const base = applyPlatt(w, plattFit(w, X, y));
    fc.assert(
      fc.property(fc.double({ min: 0.05, max: 20, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true }), (k, bias) => {
        const scaled = Float64Array.from(w, (v, j) => (j === d ? bias : v * k));
        const cal = applyPlatt(scaled, plattFit(scaled, X, y));
        for (let j = 0; j <= d; j++) expect(cal[j]!).toBeCloseTo(base[j]!, 2);
      }),
      { numRuns: 50 },
    );
  });

  it('never raises the log loss on the slice it was fitted on (beyond its tiny ridge)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.double({ min: 0.01, max: 10, noNaN: true }), fc.double({ min: -2, max: 2, noNaN: true }), (seed, k, bias) => {
        const { X, y } = sample(seed, 300, d, w, 1, 0.3);
        const model = Float64Array.from(w, (v, j) => (j === d ? bias : v * k));
        const before = evaluateParams(model, X, y).logLoss;
        const after = evaluateParams(applyPlatt(model, plattFit(model, X, y)), X, y).logLoss;
        expect(after).toBeLessThanOrEqual(before + 1e-3);
      }),
      { numRuns: 60 },
    );
  });

  it('refuses parameters or labels of the wrong shape, saying what it expected', () => {
    const { X, y } = sample(1, 10, d, w, 1, 0);
    expect(() => plattFit(new Float64Array(d), X, y)).toThrow(`calibration params: expected ${d + 1} parameters, got ${d}`);
    expect(() => plattFit(w, X, y.slice(1))).toThrow('calibration labels: expected 10 labels for 10 rows (at least one), got 9');
  });
});
