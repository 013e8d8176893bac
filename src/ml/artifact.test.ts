import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogRegWeights, MlpWeights, ModelArtifact } from './artifact-types.js';
import {
  canonicalArtifactJson, checkAgreement, chooseScaleBits, fixedPredict, fixedProba, fixedScores, loadArtifact, modelFromArtifact,
  modelHashOf, parseArtifact, quantizeFeatures, quantizedDense, roundHalfAway, saveArtifact, toArtifact,
} from './artifact.js';
import { csrFromRows, denseToSparse, csrRow } from './features/sparse.js';
import { trainLogReg } from './models/logreg.js';
import { trainMlp } from './models/mlp.js';
import { trainNaiveBayes } from './models/naive-bayes.js';
import { makeRng } from './rng.js';
import { poseidonModelHash } from './commitment/model-hash.js';
import { fieldHex } from '../statement/model-hash-text.js';

/** Straight-from-the-contract reference: dense bigint loops, explicit floor division. */
function referenceScores(a: ModelArtifact, x: bigint[]): bigint[] {
  const S = 1n << BigInt(a.scaleBits);
  const affine = (M: number[][], b: number[], v: bigint[]) => M.map((row, r) => row.reduce((acc, w, j) => acc + BigInt(w) * v[j], BigInt(b[r]) * S));
  const floorDiv = (n: bigint, d: bigint) => (n >= 0n ? n / d : -((-n + d - 1n) / d));
  if (a.arch.kind === 'logreg') {
    const w = a.weights as LogRegWeights;
    return affine(w.W, w.b, x);
  }
  const w = a.weights as MlpWeights;
  const h = affine(w.W1, w.b1, x).map((v) => {
    const q = floorDiv(v, S);
    return q > 0n ? q : 0n;
  });
  return affine(w.W2, w.b2, h);
}

const spec = (n: number) => ({ kind: 'dense' as const, size: n });

const artifactArb = fc
  .record({
    kind: fc.constantFrom('logreg-bin', 'logreg', 'mlp'),
    inputs: fc.integer({ min: 1, max: 8 }),
    hidden: fc.integer({ min: 1, max: 5 }),
    classes: fc.integer({ min: 2, max: 4 }),
    scaleBits: fc.integer({ min: 0, max: 20 }),
    weightBits: fc.constantFrom(4, 8, 16, 32),
    seed: fc.integer(),
  })
  .map(({ kind, inputs, hidden, classes, scaleBits, weightBits, seed }): ModelArtifact => {
    const rng = makeRng(seed);
    const lim = 2 ** (weightBits - 1);
    const w = () => rng.int(2 * lim) - lim;
    const mat = (r: number, c: number) => Array.from({ length: r }, () => Array.from({ length: c }, w));
    const vec = (n: number) => Array.from({ length: n }, w);
    const K = kind === 'logreg-bin' ? 2 : classes;
    const base = { format: 'hindsight-model/1' as const, name: 'r', featurizer: spec(inputs), labels: Array.from({ length: K }, (_, i) => `c${i}`), scaleBits, weightBits };
    if (kind === 'mlp') return { ...base, arch: { kind: 'mlp', inputs, hidden, classes: K }, weights: { W1: mat(hidden, inputs), b1: vec(hidden), W2: mat(K, hidden), b2: vec(K) } };
    const rows = kind === 'logreg-bin' ? 1 : K;
    return { ...base, arch: { kind: 'logreg', inputs, classes: K, binary: kind === 'logreg-bin' }, weights: { W: mat(rows, inputs), b: vec(rows) } };
  });

describe('fixed-point inference', () => {
  it('matches the contract reference bit for bit (sparse and dense inputs, number and bigint paths)', () => {
    fc.assert(
      fc.property(artifactArb, fc.integer(), fc.constantFrom(2 ** 4, 2 ** 12, 2 ** 31), (a, seed, range) => {
        const rng = makeRng(seed);
        const dense = Array.from({ length: a.arch.inputs }, () => (rng.next() < 0.3 ? 0 : rng.int(2 * range) - range));
        const ref = referenceScores(a, dense.map(BigInt));
        expect(fixedScores(a, dense)).toEqual(ref);
        expect(fixedScores(a, denseToSparse(dense))).toEqual(ref);
        expect(fixedScores(a, dense.map(BigInt))).toEqual(ref);
        const pred = fixedPredict(a, dense);
        if (a.arch.kind === 'logreg' && a.arch.binary) expect(pred).toBe(ref[0] > 0n ? 1 : 0);
        else expect(ref.every((s, k) => (k < pred ? s < ref[pred] : s <= ref[pred]))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('MLP rescale is floor division: a pre-activation just below 2^F gives h = 0', () => {
    const a: ModelArtifact = {
      format: 'hindsight-model/1', name: 'floor', featurizer: spec(1), labels: ['a', 'b'], scaleBits: 4, weightBits: 16,
      arch: { kind: 'mlp', inputs: 1, hidden: 1, classes: 2 },
      weights: { W1: [[1]], b1: [0], W2: [[0], [1]], b2: [0, 0] },
    };
    expect(fixedScores(a, [15])).toEqual([0n, 0n]); // floor(15/16) = 0
    expect(fixedScores(a, [16])).toEqual([0n, 1n]); // floor(16/16) = 1
    expect(fixedScores(a, [-17])).toEqual([0n, 0n]); // ReLU of floor(−17/16) = −2
  });

  it('rounds half away from zero for weights and inputs', () => {
    expect([2.5, -2.5, 0.49, -0.5].map(roundHalfAway)).toEqual([3, -3, 0, -1]);
    const q = quantizeFeatures({ scaleBits: 2 }, { indices: Int32Array.of(0, 3), values: Float64Array.of(0.125, -0.375) });
    expect(Array.from(q.values)).toEqual([1, -2]);
  });
});

describe('toArtifact', () => {
  const rng = makeRng(3);
  const rows = Array.from({ length: 400 }, () => denseToSparse(Array.from({ length: 6 }, () => rng.next() * 2)));
  const X = csrFromRows(rows, 6);
  const y = Int32Array.from(rows, (r) => {
    const v = Array.from({ length: 6 }, (_, j) => r.values[r.indices.indexOf(j)] ?? 0);
    return v[0] + v[1] > v[2] + v[3] ? (v[4] > 1 ? 2 : 1) : 0;
  });

  for (const [name, model] of [
    ['logreg', trainLogReg(X, y, { seed: 1, epochs: 20 })],
    ['mlp', trainMlp(X, y, { seed: 1, hidden: 8, epochs: 20 })],
    ['naive-bayes', trainNaiveBayes(X, y)],
  ] as const) {
    it(`${name}: weights fit weightBits, fixed point agrees with float, probabilities close`, () => {
      for (const weightBits of [8, 16]) {
        const a = toArtifact(model, { name, featurizer: spec(6), labels: ['a', 'b', 'c'], weightBits });
        expect(a.scaleBits).toBe(chooseScaleBits(model, weightBits));
        const all = JSON.stringify(a.weights).match(/-?\d+/g)!.map(Number);
        expect(Math.max(...all.map(Math.abs))).toBeLessThan(2 ** (weightBits - 1));
        const rep = checkAgreement(model, a, X, y);
        expect(rep.rate).toBeGreaterThan(weightBits === 16 ? 0.99 : 0.9);
        if (weightBits === 16) {
          const x = csrRow(X, 0);
          const pf = model.predictProba(x), pq = fixedProba(a, quantizeFeatures(a, x));
          pf.forEach((p, k) => expect(Math.abs(p - pq[k])).toBeLessThan(0.01));
        }
      }
    });
  }

  it('modelFromArtifact inverts the quantization up to 2^-F', () => {
    const m = trainLogReg(X, y, { seed: 2 });
    const a = toArtifact(m, { name: 'x', featurizer: spec(6), labels: ['a', 'b', 'c'] });
    const back = modelFromArtifact(a);
    const x = csrRow(X, 5);
    expect(Math.abs(back.predictProba(x)[1] - m.predictProba(x)[1])).toBeLessThan(0.01);
    expect(toArtifact(back, { name: 'x', featurizer: spec(6), labels: ['a', 'b', 'c'], scaleBits: a.scaleBits })).toEqual(a);
  });
});

describe('artifact files and hash', () => {
  const a: ModelArtifact = {
    format: 'hindsight-model/1', name: 'tiny', featurizer: spec(2), labels: ['ham', 'spam'], scaleBits: 8, weightBits: 8,
    arch: { kind: 'logreg', inputs: 2, classes: 2, binary: true }, weights: { W: [[100, -3]], b: [7] },
  };

  it('saves canonical JSON (sorted keys) and loads it back with the same hash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hs-art-'));
    const path = join(dir, 'm.json');
    const hash = await saveArtifact(path, a);
    expect(hash).toBe(await modelHashOf(a));
    const text = readFileSync(path, 'utf8');
    expect(text).toBe(canonicalArtifactJson(a));
    expect(text.indexOf('"arch"')).toBeLessThan(text.indexOf('"featurizer"'));
    expect(await modelHashOf(loadArtifact(path))).toBe(hash);
  });

  it('hashes to the Poseidon weight commitment: a fixed test vector, blind to names, labels and key order', async () => {
    const hash = await modelHashOf(a);
    expect(hash).toBe('0x1efdcf2a8e38f50e68eb974cad260afb0a29ecdc7796927b2c46693ec1af977b');
    expect(hash).toBe(fieldHex(await poseidonModelHash(a)));
    const { weights, name, ...rest } = a;
    expect(await modelHashOf({ weights, name: 'renamed', ...rest, labels: ['no', 'yes'] })).toBe(hash);
    expect(await modelHashOf({ ...a, weights: { W: [[100, -2]], b: [7] } })).not.toBe(hash);
    expect(await modelHashOf({ ...a, scaleBits: 7 })).not.toBe(hash);
    const mlp: ModelArtifact = {
      format: 'hindsight-model/1', name: 'm', featurizer: spec(2), labels: ['a', 'b', 'c'], scaleBits: 4, weightBits: 8,
      arch: { kind: 'mlp', inputs: 2, hidden: 2, classes: 3 }, weights: { W1: [[1, -2], [3, 4]], b1: [0, -1], W2: [[5, 6], [-7, 8], [9, -10]], b2: [1, 2, 3] },
    };
    expect(await modelHashOf(mlp)).toBe('0x23da040d4fcd012fde665eaada17e8ed28c6488acb64b99b2b2f31fb57cc225b');
  });

  it('rejects malformed artifacts with the field that is wrong', () => {
    const bad = (patch: object) => () => parseArtifact(JSON.stringify({ ...a, ...patch }), 'm.json');
    expect(bad({ weights: { W: [[1, 2, 3]], b: [0] } })).toThrow(/weights\.W\[0\]: expected 2 columns/);
    expect(bad({ weights: { W: [[128, 0]], b: [0] } })).toThrow(/expected a signed integer in \[-128, 127\]/);
    expect(bad({ weights: { W: [[1.5, 0]], b: [0] } })).toThrow(/m\.json: weights/);
    expect(bad({ labels: ['only'] })).toThrow(/labels: expected 2 labels/);
    expect(bad({ format: 'other' })).toThrow(/format/);
    expect(() => parseArtifact('{', 'm.json')).toThrow(/m\.json: expected JSON/);
  });

  it('quantizedDense gives the circuit input vector', () => {
    expect(quantizedDense(a, { indices: Int32Array.of(1), values: Float64Array.of(-5) })).toEqual([0n, -5n]);
  });
});
