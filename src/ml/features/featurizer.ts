import { ValidationError, describe } from '../../core/errors.js';
import type { FeaturizerSpec } from '../artifact-types.js';
import { FNV_OFFSET, FNV_PRIME, fnv1aContinue } from './hash.js';
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

const WORD_CHAR = /^[\p{L}\p{N}]$/u;
const ASCII_WORD = new Uint8Array(128);
for (let c = 0; c < 128; c++) ASCII_WORD[c] = /[A-Za-z0-9]/.test(String.fromCharCode(c)) ? 1 : 0;
const wordCache = new Map<number, boolean>();

function isWordCodePoint(cp: number): boolean {
  if (cp < 128) return ASCII_WORD[cp] === 1;
  let w = wordCache.get(cp);
  if (w === undefined) wordCache.set(cp, (w = WORD_CHAR.test(String.fromCodePoint(cp))));
  return w;
}

function isSymbolCodePoint(cp: number): boolean {
  return cp === 33 /* ! */ || cp === 36 /* $ */ || cp === 37 /* % */ || cp === 0x20ac /* € */ || cp === 0xa3 /* £ */;
}

/**
 * Token boundaries, [start, end) pairs into `src`: the same tokens as the regex
 * /[\p{L}\p{N}]+|[!$%€£]/gu, found by a hand-written scan without string allocation (featurization
 * is the slowest step of training on text; this made it ≈ 1.5× faster). Returns the number of tokens written to `bounds`.
 */
function scanTokens(src: string, bounds: { buf: Int32Array }): number {
  let n = 0, i = 0;
  const len = src.length;
  const push = (s: number, e: number) => {
    if (2 * n + 2 > bounds.buf.length) {
      const bigger = new Int32Array(bounds.buf.length * 2);
      bigger.set(bounds.buf);
      bounds.buf = bigger;
    }
    bounds.buf[2 * n] = s;
    bounds.buf[2 * n + 1] = e;
    n++;
  };
  while (i < len) {
    const c = src.charCodeAt(i);
    const cp = c < 0xd800 || c > 0xdbff ? c : (src.codePointAt(i) as number);
    const width = cp > 0xffff ? 2 : 1;
    if (isWordCodePoint(cp)) {
      const start = i;
      i += width;
      while (i < len) {
        const d = src.charCodeAt(i);
        if (d < 128) {
          if (ASCII_WORD[d] === 0) break;
          i++;
          continue;
        }
        const dp = d < 0xd800 || d > 0xdbff ? d : (src.codePointAt(i) as number);
        if (!isWordCodePoint(dp)) break;
        i += dp > 0xffff ? 2 : 1;
      }
      push(start, i);
    } else {
      if (isSymbolCodePoint(cp)) push(i, i + width);
      i += width;
    }
  }
  return n;
}

export function tokenize(text: string, lowercase: boolean): string[] {
  const src = lowercase ? text.toLowerCase() : text;
  const bounds = { buf: new Int32Array(64) };
  const n = scanTokens(src, bounds);
  return Array.from({ length: n }, (_, t) => src.slice(bounds.buf[2 * t], bounds.buf[2 * t + 1]));
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
  const bounds = { buf: new Int32Array(1024) };
  let hashes = new Uint32Array(512);
  const one = (item: FeaturizerInput): SparseVector => {
    if (typeof item.text !== 'string') throw new ValidationError('featurizer.input', `text: expected a string, got ${describe(item.text)}`, { field: 'text' });
    const src = lowercase ? item.text.toLowerCase() : item.text;
    const nTokens = scanTokens(src, bounds);
    const tb = bounds.buf;
    if (hashes.length < nTokens) hashes = new Uint32Array(Math.max(nTokens, hashes.length * 2));
    for (let t = 0; t < nTokens; t++) hashes[t] = fnv1aContinue(FNV_OFFSET, src, tb[2 * t], tb[2 * t + 1]);
    let nTouched = 0;
    for (const n of ngrams) {
      for (let s = 0; s + n <= nTokens; s++) {
        let h = hashes[s];
        // n-gram = tokens joined by ' ': extend the first token's hash with ' ' + next token.
        for (let k = 1; k < n; k++) h = fnv1aContinue(Math.imul(h ^ 0x20, FNV_PRIME), src, tb[2 * (s + k)], tb[2 * (s + k) + 1]);
        const b = (h >>> 0) % buckets;
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
