import { z } from 'zod';
import { ValidationError } from '../core/errors.js';
import type { LogRegWeights, MlpWeights, ModelArtifact, NetWeights } from './artifact-types.js';
import { validateFeaturizerSpec } from './features/featurizer.js';
import { checkNetWeights, netPlan } from './net.js';

/**
 * Checks that a value is a well-formed ModelArtifact: the shape (zod), then what zod cannot say —
 * weight matrix sizes match the architecture, featurizer dimension = inputs, labels = classes, and
 * every weight/bias is an integer inside the declared signed weightBits range.
 */
const intArray = z.array(z.number().int());
const featurizerSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('hashed-ngrams'),
    buckets: z.number().int(),
    ngrams: z.array(z.number().int()),
    lowercase: z.boolean(),
    transform: z.enum(['log1p', 'binary', 'tf-l2']),
  }),
  z.object({ kind: z.literal('dense'), size: z.number().int() }),
]);
const artifactSchema = z.object({
  format: z.literal('hindsight-model/1'),
  name: z.string(),
  arch: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('logreg'), inputs: z.number().int().positive(), classes: z.number().int().min(2), binary: z.boolean() }),
    z.object({ kind: z.literal('mlp'), inputs: z.number().int().positive(), hidden: z.number().int().positive(), classes: z.number().int().min(2) }),
    z.object({
      kind: z.literal('net'),
      inputs: z.number().int().positive(),
      shape: z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()]),
      classes: z.number().int().min(2),
      layers: z.array(z.discriminatedUnion('op', [
        z.strictObject({ op: z.literal('dense'), outputs: z.number().int().positive(), relu: z.boolean() }),
        z.strictObject({ op: z.literal('conv'), channels: z.number().int().positive(), kernel: z.number().int().positive(), stride: z.number().int().positive(), relu: z.boolean() }),
        z.strictObject({ op: z.literal('pool'), mode: z.enum(['max', 'avg']), size: z.number().int().positive(), stride: z.number().int().positive() }),
      ])).min(1).max(64),
    }),
  ]),
  featurizer: featurizerSchema,
  labels: z.array(z.string()),
  scaleBits: z.number().int().min(0).max(32),
  weightBits: z.number().int().min(2).max(32),
  weights: z.union([
    z.object({ W: z.array(intArray), b: intArray }),
    z.object({ W1: z.array(intArray), b1: intArray, W2: z.array(intArray), b2: intArray }),
    z.object({ layers: z.array(z.object({ W: z.array(intArray), b: intArray })) }),
  ]),
});

function fail(source: string, field: string, expected: string, got: string): never {
  throw new ValidationError('artifact.invalid', `${source}: ${field}: expected ${expected}, got ${got}`, { field, expected, got, file: source });
}

function checkMatrix(source: string, field: string, m: number[][], rows: number, cols: number, limit: number): void {
  if (m.length !== rows) fail(source, field, `${rows} rows`, `${m.length}`);
  m.forEach((row, r) => {
    if (row.length !== cols) fail(source, `${field}[${r}]`, `${cols} columns`, `${row.length}`);
    checkRange(source, `${field}[${r}]`, row, limit);
  });
}

function checkRange(source: string, field: string, v: number[], limit: number): void {
  for (let i = 0; i < v.length; i++) {
    if (v[i] > limit - 1 || v[i] < -limit) fail(source, `${field}[${i}]`, `a signed integer in [${-limit}, ${limit - 1}]`, String(v[i]));
  }
}

export function validateArtifact(value: unknown, source = '<artifact>'): ModelArtifact {
  const parsed = artifactSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail(source, issue.path.join('.') || '(root)', 'a valid model artifact', issue.message);
  }
  const a = value as ModelArtifact;
  try {
    validateFeaturizerSpec(a.featurizer);
  } catch (e) {
    fail(source, 'featurizer', 'a valid featurizer spec', (e as Error).message);
  }
  const dim = a.featurizer.kind === 'dense' ? a.featurizer.size : a.featurizer.buckets;
  if (dim !== a.arch.inputs) fail(source, 'arch.inputs', `the featurizer dimension ${dim}`, String(a.arch.inputs));
  if (a.labels.length !== a.arch.classes) fail(source, 'labels', `${a.arch.classes} labels`, String(a.labels.length));
  const limit = 2 ** (a.weightBits - 1);
  if (a.arch.kind === 'logreg') {
    if (!('W' in a.weights)) fail(source, 'weights', 'logreg weights {W, b}', 'mlp weights');
    if (a.arch.binary && a.arch.classes !== 2) fail(source, 'arch.binary', 'binary only with 2 classes', `${a.arch.classes} classes`);
    const rows = a.arch.binary ? 1 : a.arch.classes;
    const w = a.weights as LogRegWeights;
    checkMatrix(source, 'weights.W', w.W, rows, a.arch.inputs, limit);
    if (w.b.length !== rows) fail(source, 'weights.b', `${rows} biases`, String(w.b.length));
    checkRange(source, 'weights.b', w.b, limit);
  } else if (a.arch.kind === 'net') {
    if (!('layers' in a.weights)) fail(source, 'weights', 'net weights {layers: [{W, b}]}', 'other weights');
    try {
      netPlan(a.arch);
    } catch (e) {
      fail(source, 'arch', 'a valid net architecture', (e as Error).message);
    }
    checkNetWeights(a.arch, a.weights as NetWeights, a.weightBits, source);
  } else {
    if (!('W1' in a.weights)) fail(source, 'weights', 'mlp weights {W1, b1, W2, b2}', 'logreg weights');
    const w = a.weights as MlpWeights;
    checkMatrix(source, 'weights.W1', w.W1, a.arch.hidden, a.arch.inputs, limit);
    checkMatrix(source, 'weights.W2', w.W2, a.arch.classes, a.arch.hidden, limit);
    if (w.b1.length !== a.arch.hidden) fail(source, 'weights.b1', `${a.arch.hidden} biases`, String(w.b1.length));
    if (w.b2.length !== a.arch.classes) fail(source, 'weights.b2', `${a.arch.classes} biases`, String(w.b2.length));
    checkRange(source, 'weights.b1', w.b1, limit);
    checkRange(source, 'weights.b2', w.b2, limit);
  }
  return a;
}
