import { readFileSync, writeFileSync } from 'node:fs';
import { ValidationError, describe } from '../core/errors.js';
import type { FeaturizerSpec, LogRegWeights, MlpWeights, ModelArtifact, NetWeights } from './artifact-types.js';
import { netScores } from './net.js';
import type { CsrMatrix, SparseVector } from './features/sparse.js';
import { csrRow } from './features/sparse.js';
import { LinearModel } from './models/linear.js';
import { MlpModel } from './models/mlp.js';
import { argmax, sigmoid, softmax, type Classifier } from './models/model.js';
import { validateArtifact } from './artifact-schema.js';
import { modelHashHex } from './commitment/model-hash.js';

/**
 * Trained float models → canonical fixed-point artifacts (artifact-types.ts), and the exact integer
 * inference a ZK circuit reproduces bit for bit. Rounding: round half away from zero, for weights
 * and inputs alike. All integer arithmetic is exact (bigint, or doubles only while provably
 * < 2^53); the MLP rescale is floor division (an arithmetic right shift by scaleBits).
 */
export type ExportableModel = LinearModel | MlpModel;

export type ArtifactOptions = {
  name: string;
  featurizer: FeaturizerSpec;
  labels: string[];
  /** Signed bit width every weight and bias must fit in (default 16). */
  weightBits?: number;
  /** Fixed-point fraction bits F; default: the largest F ≤ maxScaleBits at which all weights fit. */
  scaleBits?: number;
  maxScaleBits?: number;
};

export function roundHalfAway(v: number): number {
  return v < 0 ? -Math.round(-v) : Math.round(v);
}

function maxAbsWeight(model: ExportableModel): number {
  let m = 0;
  const arrays = model instanceof LinearModel ? [model.W, model.b] : [model.W1, model.b1, model.W2, model.b2];
  for (const a of arrays) for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** Largest F in [0, maxScaleBits] such that round(|w|·2^F) ≤ 2^(weightBits−1) − 1 for every weight. */
export function chooseScaleBits(model: ExportableModel, weightBits: number, maxScaleBits = 16): number {
  const limit = 2 ** (weightBits - 1) - 1;
  const m = maxAbsWeight(model);
  for (let F = maxScaleBits; F > 0; F--) if (roundHalfAway(m * 2 ** F) <= limit) return F;
  return 0;
}

function quantizeAll(values: ArrayLike<number>, F: number, limit: number): number[] {
  const s = 2 ** F;
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.max(-limit, Math.min(limit, roundHalfAway(values[i] * s)));
  return out;
}

export function toArtifact(model: ExportableModel, options: ArtifactOptions): ModelArtifact {
  const weightBits = options.weightBits ?? 16;
  if (!Number.isInteger(weightBits) || weightBits < 2 || weightBits > 32) {
    throw new ValidationError('artifact.invalid', `weightBits: expected an integer in 2..32, got ${describe(weightBits)}`, { field: 'weightBits' });
  }
  const F = options.scaleBits ?? chooseScaleBits(model, weightBits, options.maxScaleBits);
  // Weights beyond the range are clipped (only possible when the caller fixes scaleBits).
  const limit = 2 ** (weightBits - 1) - 1;
  let artifact: ModelArtifact;
  if (model instanceof LinearModel) {
    const R = model.rows;
    const W: number[][] = [];
    for (let r = 0; r < R; r++) {
      const row = new Float64Array(model.inputs);
      for (let j = 0; j < model.inputs; j++) row[j] = model.weight(r, j);
      W.push(quantizeAll(row, F, limit));
    }
    const weights: LogRegWeights = { W, b: quantizeAll(model.b, F, limit) };
    artifact = {
      format: 'hindsight-model/1', name: options.name,
      arch: { kind: 'logreg', inputs: model.inputs, classes: model.classes, binary: model.binary },
      featurizer: options.featurizer, labels: options.labels, scaleBits: F, weightBits, weights,
    };
  } else {
    const { inputs: D, hidden: H, classes: K } = model;
    const W1: number[][] = [];
    for (let i = 0; i < H; i++) {
      const row = new Float64Array(D);
      for (let j = 0; j < D; j++) row[j] = model.W1[j * H + i];
      W1.push(quantizeAll(row, F, limit));
    }
    const W2: number[][] = [];
    for (let k = 0; k < K; k++) W2.push(quantizeAll(model.W2.subarray(k * H, (k + 1) * H), F, limit));
    const weights: MlpWeights = { W1, b1: quantizeAll(model.b1, F, limit), W2, b2: quantizeAll(model.b2, F, limit) };
    artifact = {
      format: 'hindsight-model/1', name: options.name,
      arch: { kind: 'mlp', inputs: D, hidden: H, classes: K },
      featurizer: options.featurizer, labels: options.labels, scaleBits: F, weightBits, weights,
    };
  }
  validateArtifact(artifact);
  return artifact;
}

/** Inputs at the artifact's scale: round(v·2^F), sparse (zeros stay implicit). */
export function quantizeFeatures(artifact: Pick<ModelArtifact, 'scaleBits'>, x: SparseVector): SparseVector {
  const s = 2 ** artifact.scaleBits;
  const values = new Float64Array(x.values.length);
  for (let i = 0; i < values.length; i++) values[i] = roundHalfAway(x.values[i] * s);
  return { indices: x.indices, values };
}

/** The dense integer input vector a circuit takes as its private input. */
export function quantizedDense(artifact: ModelArtifact, xInt: SparseVector): bigint[] {
  const out = new Array<bigint>(artifact.arch.inputs).fill(0n);
  for (let i = 0; i < xInt.indices.length; i++) out[xInt.indices[i]] = BigInt(xInt.values[i]);
  return out;
}

type IntInput = SparseVector | ArrayLike<number | bigint>;

function toSparseInt(x: IntInput): { indices: ArrayLike<number>; values: ArrayLike<number | bigint> } {
  if ('indices' in x && 'values' in x) return x;
  const indices: number[] = [], values: (number | bigint)[] = [];
  const dense = x as ArrayLike<number | bigint>;
  for (let j = 0; j < dense.length; j++) if (dense[j] !== 0 && dense[j] !== 0n) {
    indices.push(j);
    values.push(dense[j]);
  }
  return { indices, values };
}

/** Σ_j M[r][j]·x[j] + bias·2^F, exact: doubles while the running bound stays < 2^53, else bigint. */
function affine(M: number[][], bias: number[], x: { indices: ArrayLike<number>; values: ArrayLike<number | bigint> }, F: number): bigint[] {
  const out: bigint[] = [];
  const shift = 2 ** F;
  for (let r = 0; r < M.length; r++) {
    const row = M[r];
    let acc = bias[r] * shift, bound = Math.abs(acc);
    let exact = Number.isSafeInteger(acc);
    for (let t = 0; t < x.indices.length && exact; t++) {
      const v = x.values[t];
      if (typeof v === 'bigint') { exact = false; break; }
      const p = row[x.indices[t]] * v;
      acc += p;
      bound += Math.abs(p);
      if (bound >= Number.MAX_SAFE_INTEGER) exact = false;
    }
    if (exact) {
      out.push(BigInt(acc));
      continue;
    }
    let big = BigInt(bias[r]) << BigInt(F);
    for (let t = 0; t < x.indices.length; t++) big += BigInt(row[x.indices[t]]) * BigInt(x.values[t]);
    out.push(big);
  }
  return out;
}

/**
 * Integer scores exactly as artifact-types.ts defines them (scale 2^(2F)):
 *  logreg: W·x + b·2^F;  mlp: h = max(0, floor((W1·x + b1·2^F) / 2^F)), W2·h + b2·2^F.
 * `xInt` is the quantized input, sparse (quantizeFeatures) or dense.
 */
export function fixedScores(artifact: ModelArtifact, xInt: IntInput): bigint[] {
  const x = toSparseInt(xInt);
  const F = artifact.scaleBits;
  if (artifact.arch.kind === 'logreg') {
    const w = artifact.weights as LogRegWeights;
    return affine(w.W, w.b, x, F);
  }
  if (artifact.arch.kind === 'net') {
    const dense = new Array<bigint>(artifact.arch.inputs).fill(0n);
    for (let t = 0; t < x.indices.length; t++) dense[x.indices[t]!] = BigInt(x.values[t]!);
    return netScores(artifact.arch, artifact.weights as NetWeights, F, dense);
  }
  const w = artifact.weights as MlpWeights;
  const a = affine(w.W1, w.b1, x, F);
  const bigF = BigInt(F);
  const h = a.map((v) => (v > 0n ? v >> bigF : 0n)); // >> on bigint is floor division by 2^F
  const hIdx: number[] = [], hVal: bigint[] = [];
  h.forEach((v, i) => {
    if (v !== 0n) {
      hIdx.push(i);
      hVal.push(v);
    }
  });
  return affine(w.W2, w.b2, { indices: hIdx, values: hVal.map((v) => (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v)) }, F);
}

/** Predicted class index: argmax of the integer scores (binary: class 1 iff score > 0; ties → lowest index). */
export function fixedPredict(artifact: ModelArtifact, xInt: IntInput): number {
  const s = fixedScores(artifact, xInt);
  if (artifact.arch.kind === 'logreg' && artifact.arch.binary) return s[0] > 0n ? 1 : 0;
  let best = 0;
  for (let k = 1; k < s.length; k++) if (s[k] > s[best]) best = k;
  return best;
}

/** Probabilities from the integer scores: softmax(score / 2^(2F)) (binary: [1−σ, σ]). */
export function fixedProba(artifact: ModelArtifact, xInt: IntInput): Float64Array {
  const s = fixedScores(artifact, xInt);
  const denom = 2 ** (2 * artifact.scaleBits);
  const logits = s.map((v) => Number(v) / denom);
  if (artifact.arch.kind === 'logreg' && artifact.arch.binary) {
    const p = sigmoid(logits[0]);
    return Float64Array.of(1 - p, p);
  }
  return softmax(logits);
}

/** A Classifier that answers with the fixed-point model (what a proof would attest to). */
export function fixedClassifier(artifact: ModelArtifact): Classifier {
  return {
    // a net is a deeper MLP as far as Classifier consumers care (dense inputs, class probabilities)
    family: artifact.arch.kind === 'net' ? 'mlp' : artifact.arch.kind,
    inputs: artifact.arch.inputs,
    classes: artifact.arch.classes,
    predictProba: (x) => fixedProba(artifact, quantizeFeatures(artifact, x)),
  };
}

export type AgreementReport = { n: number; agree: number; rate: number; disagreements: number[]; floatAccuracy?: number; fixedAccuracy?: number };

/** Float model vs fixed-point artifact: how often their predicted classes agree on X (and accuracies given y). */
export function checkAgreement(model: Classifier, artifact: ModelArtifact, X: CsrMatrix, y?: ArrayLike<number>): AgreementReport {
  let agree = 0, floatOk = 0, fixedOk = 0;
  const disagreements: number[] = [];
  for (let i = 0; i < X.rows; i++) {
    const x = csrRow(X, i);
    const pf = argmax(model.predictProba(x));
    const pq = fixedPredict(artifact, quantizeFeatures(artifact, x));
    if (pf === pq) agree++;
    else disagreements.push(i);
    if (y) {
      if (pf === y[i]) floatOk++;
      if (pq === y[i]) fixedOk++;
    }
  }
  const n = X.rows;
  return { n, agree, rate: n ? agree / n : 1, disagreements, ...(y ? { floatAccuracy: floatOk / n, fixedAccuracy: fixedOk / n } : {}) };
}

/**
 * The model hash operators commit and trade under, and that proofs of the model's inference carry:
 * the Poseidon commitment of the artifact's architecture, scale and weights (commitment/model-hash.ts),
 * as 0x + 64 lowercase hex. Names, labels and the featurizer are not part of it.
 */
export function modelHashOf(artifact: ModelArtifact): Promise<string> {
  return modelHashHex(artifact);
}

function canonicalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalize);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = canonicalize((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** Canonical JSON: keys sorted at every level, no whitespace, one trailing newline. */
export function canonicalArtifactJson(artifact: ModelArtifact): string {
  return `${JSON.stringify(canonicalize(artifact))}\n`;
}

/** Writes the artifact as canonical JSON; returns its model hash. */
export async function saveArtifact(path: string, artifact: ModelArtifact): Promise<string> {
  validateArtifact(artifact);
  writeFileSync(path, canonicalArtifactJson(artifact));
  return modelHashOf(artifact);
}

export function parseArtifact(text: string, source = '<artifact>'): ModelArtifact {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ValidationError('artifact.invalid', `${source}: expected JSON, got ${(cause as Error).message}`, { file: source }, { cause });
  }
  return validateArtifact(value, source);
}

export function loadArtifact(path: string): ModelArtifact {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ValidationError('artifact.invalid', `${path}: expected a readable artifact file, got ${(cause as Error).message}`, { file: path }, { cause });
  }
  return parseArtifact(text, path);
}

/** The float model an artifact stands for (weights / 2^F), e.g. to fine-tune or to compare. */
export function modelFromArtifact(artifact: ModelArtifact): ExportableModel {
  const s = 2 ** artifact.scaleBits;
  if (artifact.arch.kind === 'logreg') {
    const { inputs: D, classes: K, binary } = artifact.arch;
    const w = artifact.weights as LogRegWeights;
    const R = w.W.length;
    const W = new Float64Array(D * R);
    for (let r = 0; r < R; r++) for (let j = 0; j < D; j++) W[j * R + r] = w.W[r][j] / s;
    return new LinearModel('logreg', D, K, binary, W, Float64Array.from(w.b, (v) => v / s));
  }
  if (artifact.arch.kind === 'net') {
    throw new ValidationError('artifact.invalid', 'artifact: expected a logreg or mlp artifact (a float model to fine-tune), got a net (import it again from ONNX instead)', { field: 'arch.kind' });
  }
  const { inputs: D, hidden: H, classes: K } = artifact.arch;
  const w = artifact.weights as MlpWeights;
  const W1 = new Float64Array(D * H);
  for (let i = 0; i < H; i++) for (let j = 0; j < D; j++) W1[j * H + i] = w.W1[i][j] / s;
  const W2 = new Float64Array(K * H);
  for (let k = 0; k < K; k++) for (let i = 0; i < H; i++) W2[k * H + i] = w.W2[k][i] / s;
  return new MlpModel(D, H, K, W1, Float64Array.from(w.b1, (v) => v / s), W2, Float64Array.from(w.b2, (v) => v / s));
}
