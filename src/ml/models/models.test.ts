import { describe, expect, it } from 'vitest';
import { csrFromRows, denseToSparse, type CsrMatrix } from '../features/sparse.js';
import { accuracy, logLoss } from '../metrics.js';
import { makeRng } from '../rng.js';
import { trainLogReg } from './logreg.js';
import { trainMlp } from './mlp.js';
import { predictProbaAll, type Classifier } from './model.js';
import { trainNaiveBayes } from './naive-bayes.js';

/** K Gaussian-ish blobs of non-negative "counts" in D dims: class k is heavy on features k·D/K… */
function blobs(n: number, K: number, D: number, seed: number): { X: CsrMatrix; y: Int32Array } {
  const rng = makeRng(seed);
  const rows = [], y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = rng.int(K);
    y[i] = k;
    const v = new Float64Array(D);
    for (let j = 0; j < D; j++) v[j] = rng.next() < 0.15 ? 1 : 0;
    const block = Math.floor(D / K);
    for (let t = 0; t < 4; t++) v[k * block + rng.int(block)] += 1;
    rows.push(denseToSparse(v));
  }
  return { X: csrFromRows(rows, D), y };
}

/** XOR-like data no linear model can separate: label = (a xor b) over two indicator features. */
function xor(n: number, seed: number): { X: CsrMatrix; y: Int32Array } {
  const rng = makeRng(seed);
  const rows = [], y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const a = rng.int(2), b = rng.int(2);
    y[i] = a ^ b;
    rows.push(denseToSparse([a, b, 1 - a, 1 - b]));
  }
  return { X: csrFromRows(rows, 4), y };
}

const trainers: [string, (X: CsrMatrix, y: Int32Array, seed: number) => Classifier][] = [
  ['logreg', (X, y, seed) => trainLogReg(X, y, { seed })],
  ['mlp', (X, y, seed) => trainMlp(X, y, { seed, epochs: 8 })],
  ['naive-bayes', (X, y) => trainNaiveBayes(X, y)],
];

describe('classifiers', () => {
  const train = blobs(1500, 3, 60, 1), test = blobs(500, 3, 60, 2);
  for (const [name, fit] of trainers) {
    it(`${name}: learns a 3-class problem and returns distributions`, () => {
      const m = fit(train.X, train.y, 1);
      expect(m.classes).toBe(3);
      const probs = predictProbaAll(m, test.X);
      for (const p of probs) expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      expect(accuracy(probs, test.y)).toBeGreaterThan(0.9);
      expect(logLoss(probs, test.y)).toBeLessThan(Math.log(3) / 2);
    });

    it(`${name}: is deterministic for a seed`, () => {
      const a = predictProbaAll(fit(train.X, train.y, 7), test.X);
      const b = predictProbaAll(fit(train.X, train.y, 7), test.X);
      expect(a).toEqual(b);
    });
  }

  it('binary logreg and naive Bayes use one logit row; a different seed changes SGD models', () => {
    const bin = blobs(800, 2, 40, 3);
    const lr = trainLogReg(bin.X, bin.y, { seed: 1 });
    expect(lr.binary).toBe(true);
    expect(lr.rows).toBe(1);
    expect(trainNaiveBayes(bin.X, bin.y).rows).toBe(1);
    expect(Array.from(trainLogReg(bin.X, bin.y, { seed: 2 }).W)).not.toEqual(Array.from(lr.W));
    expect(Array.from(trainMlp(bin.X, bin.y, { seed: 2 }).W1)).not.toEqual(Array.from(trainMlp(bin.X, bin.y, { seed: 1 }).W1));
  });

  it('calibrated naive Bayes keeps its predictions and lowers log loss', () => {
    // Every feature copied 5 times: NB counts the same evidence 5× and becomes over-confident.
    const copies = (m: CsrMatrix): CsrMatrix => {
      const rows = [];
      for (let i = 0; i < m.rows; i++) {
        const v = new Float64Array(m.cols * 5);
        for (let t = m.indptr[i]; t < m.indptr[i + 1]; t++) for (let c = 0; c < 5; c++) v[c * m.cols + m.indices[t]] = m.values[t];
        rows.push(denseToSparse(v));
      }
      return csrFromRows(rows, m.cols * 5);
    };
    for (const K of [2, 3]) {
      const d0 = blobs(1200, K, 60, 11), t0 = blobs(400, K, 60, 12);
      const d = { X: copies(d0.X), y: d0.y }, t = { X: copies(t0.X), y: t0.y };
      const raw = trainNaiveBayes(d.X, d.y), cal = trainNaiveBayes(d.X, d.y, { calibrate: true });
      const pr = predictProbaAll(raw, t.X), pc = predictProbaAll(cal, t.X);
      expect(Array.from(pc, (p) => p.indexOf(Math.max(...p)))).toEqual(Array.from(pr, (p) => p.indexOf(Math.max(...p))));
      expect(logLoss(predictProbaAll(cal, d.X), d.y)).toBeLessThanOrEqual(logLoss(predictProbaAll(raw, d.X), d.y) + 1e-9);
      expect(logLoss(pc, t.y)).toBeLessThan(logLoss(pr, t.y));
    }
  });

  it('MLP label smoothing makes it less confident', () => {
    const sharp = predictProbaAll(trainMlp(train.X, train.y, { seed: 1, epochs: 8 }), test.X);
    const soft = predictProbaAll(trainMlp(train.X, train.y, { seed: 1, epochs: 8, labelSmoothing: 0.3 }), test.X);
    const meanMax = (ps: Float64Array[]) => ps.reduce((s, p) => s + Math.max(...p), 0) / ps.length;
    expect(meanMax(soft)).toBeLessThan(meanMax(sharp) - 0.05);
    expect(accuracy(soft, test.y)).toBeGreaterThan(0.9);
  });

  it('the MLP solves XOR where logistic regression cannot', () => {
    const d = xor(600, 4), t = xor(200, 5);
    const mlp = trainMlp(d.X, d.y, { seed: 3, hidden: 8, epochs: 30, learningRate: 0.2 });
    const lr = trainLogReg(d.X, d.y, { seed: 3 });
    expect(accuracy(predictProbaAll(mlp, t.X), t.y)).toBeGreaterThan(0.95);
    // A linear model gets at most 3 of the 4 XOR corners right.
    expect(accuracy(predictProbaAll(lr, t.X), t.y)).toBeLessThan(0.8);
  });

  it('rejects labels outside the class count and negative counts for naive Bayes', () => {
    const d = blobs(20, 2, 10, 1);
    expect(() => trainLogReg(d.X, d.y, { classes: 1 })).toThrow(/classes: expected/);
    const neg = csrFromRows([denseToSparse([-1, 1]), denseToSparse([1, 0])], 2);
    expect(() => trainNaiveBayes(neg, [0, 1])).toThrow(/non-negative/);
  });
});
