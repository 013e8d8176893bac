import { ValidationError, describe } from '../../core/errors.js';
import type { FeaturizerSpec } from '../artifact-types.js';
import { FNV_OFFSET, fnv1aContinue, ngramHash } from './hash.js';
import { csrFromRows, denseToSparse, type CsrMatrix, type SparseVector } from './sparse.js';

/**
 * Turns dataset items into sparse vectors, as the artifact's FeaturizerSpec says:
 *  - hashed-ngrams: tokens are maximal runs of letters/digits (Unicode) or one of ! $ % € £, after
 *    lowercasing if `lowercase`; every n-gram for n in `ngrams` is hashed (see hash.ts) into
 *    `buckets` counts; then `transform`: binary (1 if present), log1p (ln(1+count)), or tf-l2
 *    (counts / their L2 norm).
 *  - dense: the item's `features` array as is (length must be `size`).
 * Anyone holding the spec (the demo, an operator, a verifier) reproduces the same vector.
 */
export type FeaturizerInput = { text?: string; features?: readonly number[] };

export type Featurizer = {
  spec: FeaturizerSpec;
  /** Input dimension of models trained on these features. */
  dim: number;
  transform(item: FeaturizerInput): SparseVector;
  transformAll(items: readonly FeaturizerInput[]): CsrMatrix;
};

const TOKEN = /[\p{L}\p{N}]+|[!$%€£]/gu;

export function tokenize(text: string, lowercase: boolean): string[] {
  return (lowercase ? text.toLowerCase() : text).match(TOKEN) ?? [];
}

export function validateFeaturizerSpec(spec: FeaturizerSpec): void {
  if (spec.kind === 'hashed-ngrams') {
    if (!Number.isInteger(spec.buckets) || spec.buckets < 2 || spec.buckets > 1 << 20) {
      throw new ValidationError('featurizer.invalid', `buckets: expected an integer in [2, 2^20], got ${describe(spec.buckets)}`, { field: 'buckets' });
    }
    if (!Array.isArray(spec.ngrams) || spec.ngrams.length === 0 || spec.ngrams.some((n) => !Number.isInteger(n) || n < 1 || n > 5)) {
      throw new ValidationError('featurizer.invalid', `ngrams: expected a non-empty list of integers in 1..5, got ${describe(spec.ngrams)}`, { field: 'ngrams' });
    }
    if (!['log1p', 'binary', 'tf-l2'].includes(spec.transform)) {
      throw new ValidationError('featurizer.invalid', `transform: expected log1p, binary or tf-l2, got ${describe(spec.transform)}`, { field: 'transform' });
    }
  } else if (spec.kind === 'dense') {
    if (!Number.isInteger(spec.size) || spec.size < 1) {
      throw new ValidationError('featurizer.invalid', `size: expected a positive integer, got ${describe(spec.size)}`, { field: 'size' });
    }
  } else {
    throw new ValidationError('featurizer.invalid', `kind: expected hashed-ngrams or dense, got ${describe((spec as { kind: unknown }).kind)}`, { field: 'kind' });
  }
}

/** Default text featurizer: word unigrams + bigrams, 2^14 buckets, L2-normalized counts (best LR log loss on spam). */
export function hashedNgramSpec(overrides: Partial<Extract<FeaturizerSpec, { kind: 'hashed-ngrams' }>> = {}): FeaturizerSpec {
  return { kind: 'hashed-ngrams', buckets: 1 << 14, ngrams: [1, 2], lowercase: true, transform: 'tf-l2', ...overrides };
}

function makeHashed(spec: Extract<FeaturizerSpec, { kind: 'hashed-ngrams' }>): Featurizer {
  const { buckets, ngrams, lowercase, transform } = spec;
  const counts = new Float64Array(buckets);
  const touched = new Int32Array(buckets);
  const one = (item: FeaturizerInput): SparseVector => {
    if (typeof item.text !== 'string') throw new ValidationError('featurizer.input', `text: expected a string, got ${describe(item.text)}`, { field: 'text' });
    const tokens = tokenize(item.text, lowercase);
    const hashes = new Uint32Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) hashes[i] = fnv1aContinue(FNV_OFFSET, tokens[i]);
    let nTouched = 0;
    for (const n of ngrams) {
      for (let s = 0; s + n <= tokens.length; s++) {
        const b = (n === 1 ? hashes[s] : ngramHash(tokens, hashes, s, n)) % buckets;
        if (counts[b] === 0) touched[nTouched++] = b;
        counts[b]++;
      }
    }
    const indices = touched.slice(0, nTouched).sort();
    const values = new Float64Array(nTouched);
    let norm = 0;
    for (let i = 0; i < nTouched; i++) {
      const c = counts[indices[i]];
      counts[indices[i]] = 0;
      values[i] = transform === 'binary' ? 1 : transform === 'log1p' ? Math.log1p(c) : c;
      norm += c * c;
    }
    if (transform === 'tf-l2' && norm > 0) {
      const inv = 1 / Math.sqrt(norm);
      for (let i = 0; i < nTouched; i++) values[i] *= inv;
    }
    return { indices, values };
  };
  return {
    spec,
    dim: buckets,
    transform: one,
    transformAll: (items) => csrFromRows(items.map(one), buckets),
  };
}

function makeDense(spec: Extract<FeaturizerSpec, { kind: 'dense' }>): Featurizer {
  const one = (item: FeaturizerInput): SparseVector => {
    const f = item.features;
    if (!f || f.length !== spec.size) {
      throw new ValidationError('featurizer.input', `features: expected ${spec.size} numbers, got ${f ? `${f.length} numbers` : describe(f)}`, { field: 'features' });
    }
    return denseToSparse(f);
  };
  return { spec, dim: spec.size, transform: one, transformAll: (items) => csrFromRows(items.map(one), spec.size) };
}

/** item object → spec key → its vector. Weak: dropping a dataset frees its cached vectors. */
const vectorCache = new WeakMap<object, Map<string, SparseVector>>();

/**
 * `cache: true` memoizes each item's vector by object identity and spec, so retraining every
 * round on a growing history featurizes each item once. Cached vectors are shared: never mutate them.
 */
export function makeFeaturizer(spec: FeaturizerSpec, options: { cache?: boolean } = {}): Featurizer {
  validateFeaturizerSpec(spec);
  const base = spec.kind === 'hashed-ngrams' ? makeHashed(spec) : makeDense(spec);
  if (!options.cache) return base;
  const key = JSON.stringify(spec);
  const transform = (item: FeaturizerInput): SparseVector => {
    let perItem = vectorCache.get(item);
    if (!perItem) vectorCache.set(item, (perItem = new Map()));
    let v = perItem.get(key);
    if (!v) perItem.set(key, (v = base.transform(item)));
    return v;
  };
  return { ...base, transform, transformAll: (items) => csrFromRows(items.map(transform), base.dim) };
}

/** The natural featurizer for a dataset: hashed n-grams for text, the raw vector for features. */
export function featurizerSpecFor(dataset: { kind: 'text' | 'features'; featureSize?: number }, overrides: Partial<Extract<FeaturizerSpec, { kind: 'hashed-ngrams' }>> = {}): FeaturizerSpec {
  if (dataset.kind === 'features') return { kind: 'dense', size: dataset.featureSize ?? 0 };
  return hashedNgramSpec(overrides);
}
