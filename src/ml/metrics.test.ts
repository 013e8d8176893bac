import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { accuracy, brier, calibrationBuckets, confusionMatrix, evaluate, expectedCalibrationError, f1, logLoss, macroF1 } from './metrics.js';

const P = (...rows: number[][]) => rows.map((r) => Float64Array.from(r));

describe('metrics', () => {
  it('scores perfect, uniform and wrong predictions as the definitions say', () => {
    const y = [0, 1, 2];
    const perfect = P([1, 0, 0], [0, 1, 0], [0, 0, 1]);
    const uniform = P([1 / 3, 1 / 3, 1 / 3], [1 / 3, 1 / 3, 1 / 3], [1 / 3, 1 / 3, 1 / 3]);
    expect(accuracy(perfect, y)).toBe(1);
    expect(logLoss(perfect, y)).toBeCloseTo(0, 12);
    expect(brier(perfect, y)).toBe(0);
    expect(logLoss(uniform, y)).toBeCloseTo(Math.log(3), 12);
    expect(brier(uniform, y)).toBeCloseTo(2 / 3, 12);
    const wrong = P([0, 1, 0], [1, 0, 0], [1, 0, 0]);
    expect(accuracy(wrong, y)).toBe(0);
    expect(brier(wrong, y)).toBe(2);
    expect(logLoss(wrong, y)).toBeCloseTo(-Math.log(1e-15), 6);
  });

  it('F1 from the confusion matrix', () => {
    // y:    1 1 1 0 0 0 ; pred: 1 1 0 1 0 0  → tp=2 fp=1 fn=1 → F1(1) = 4/6; F1(0): tp=2 fp=1 fn=1 → 4/6
    const y = [1, 1, 1, 0, 0, 0];
    const p = P([0.2, 0.8], [0.4, 0.6], [0.7, 0.3], [0.1, 0.9], [0.9, 0.1], [0.6, 0.4]);
    expect(confusionMatrix(p, y)).toEqual([[2, 1], [1, 2]]);
    expect(f1(p, y)).toBeCloseTo(2 / 3, 12);
    expect(macroF1(p, y)).toBeCloseTo(2 / 3, 12);
    expect(evaluate(p, y).f1).toBeCloseTo(2 / 3, 12);
  });

  it('ECE is 0 when each bucket’s confidence equals its accuracy and grows with overconfidence', () => {
    // Four items at confidence 0.75, three correct.
    const y = [0, 0, 0, 1];
    const p = P([0.75, 0.25], [0.75, 0.25], [0.75, 0.25], [0.75, 0.25]);
    expect(expectedCalibrationError(p, y)).toBeCloseTo(0, 12);
    const over = P([0.99, 0.01], [0.99, 0.01], [0.99, 0.01], [0.99, 0.01]);
    expect(expectedCalibrationError(over, y)).toBeCloseTo(0.24, 12);
    const buckets = calibrationBuckets(p, y, { bins: 4 });
    expect(buckets).toHaveLength(4);
    expect(buckets[3]).toEqual({ lo: 0.75, hi: 1, count: 4, meanConfidence: 0.75, accuracy: 0.75 });
    const cls = calibrationBuckets(p, y, { bins: 4, mode: 'class', cls: 1 });
    expect(cls[1].count).toBe(4);
    expect(cls[1].accuracy).toBe(0.25);
  });

  it('invariants on random predictions: ranges and bucket counts', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: 0.001, max: 1, noNaN: true }), fc.double({ min: 0.001, max: 1, noNaN: true }), fc.integer({ min: 0, max: 1 })), { minLength: 1, maxLength: 50 }), (rows) => {
        const probs = rows.map(([a, b]) => Float64Array.of(a / (a + b), b / (a + b)));
        const y = rows.map((r) => r[2]);
        const e = evaluate(probs, y);
        expect(e.accuracy).toBeGreaterThanOrEqual(0);
        expect(e.accuracy).toBeLessThanOrEqual(1);
        expect(e.brier).toBeGreaterThanOrEqual(0);
        expect(e.brier).toBeLessThanOrEqual(2);
        expect(e.logLoss).toBeGreaterThanOrEqual(0);
        expect(e.ece).toBeGreaterThanOrEqual(0);
        expect(e.ece).toBeLessThanOrEqual(1);
        expect(calibrationBuckets(probs, y).reduce((s, b) => s + b.count, 0)).toBe(rows.length);
      }),
    );
  });

  it('rejects mismatched lengths', () => {
    expect(() => accuracy(P([1, 0]), [0, 1])).toThrow(/expected 2 predictions/);
  });
});
