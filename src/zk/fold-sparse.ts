/**
 * The verifier's pass over a folded batch's inputs, sparse: hashed text features are mostly zero
 * (≈ 150 of 1,024 for the spam model), so every step reads each item's non-zero features once —
 * the range check, the Fiat–Shamir challenge and the fold X = Σ_j rho^j·x_j mod r — instead of
 * three dense passes with a BigInt conversion and a modular reduction per feature.
 *
 * The definitions are those of batch-fold.ts (which delegates here); fold-sparse.test.ts checks
 * them against a direct dense reading of the same formulas on random inputs.
 */
import { createHash } from 'node:crypto';
import { FIELD_R, toField } from '../statement/field.js';
import type { InputSpec } from '../statement/layout.js';

/** One item's non-zero features in index order, and its width. */
export type SparseInput = { width: number; index: number[]; value: bigint[] };

/** The non-zero features of each item, unchecked (the prover's own inputs). */
export function sparseInputs(xs: readonly (readonly (number | bigint)[])[]): SparseInput[] {
  return xs.map((x) => {
    const index: number[] = [];
    const value: bigint[] = [];
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (v === 0 || v === 0n) continue;
      index.push(i);
      value.push(typeof v === 'bigint' ? v : BigInt(v));
    }
    return { width: x.length, index, value };
  });
}

/**
 * The non-zero features of each item, checked against the key's input spec (width, integers,
 * range); a message naming the first offending feature if one is out. Zero is always in range,
 * so only the non-zero features need a check.
 */
export function checkedSparseInputs(spec: InputSpec, xs: readonly (readonly (number | bigint)[])[]): SparseInput[] | string {
  const lo = spec.signed ? -(1n << BigInt(spec.bits - 1)) : 0n;
  const hi = spec.signed ? (1n << BigInt(spec.bits - 1)) - 1n : (1n << BigInt(spec.bits)) - 1n;
  const out: SparseInput[] = [];
  for (let m = 0; m < xs.length; m++) {
    const x = xs[m]!;
    if (x.length !== spec.count) return `inputs[${m}]: expected ${spec.count} features, got ${x.length}`;
    const index: number[] = [];
    const value: bigint[] = [];
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (v === 0n || v === 0) continue;
      if (typeof v === 'number' && !Number.isInteger(v)) return `inputs[${m}][${i}]: expected an integer, got ${v}`;
      const b = typeof v === 'bigint' ? v : BigInt(v);
      if (b < lo || b > hi) return `inputs[${m}][${i}]: expected an integer in [${lo}, ${hi}], got ${b}`;
      index.push(i);
      value.push(b);
    }
    out.push({ width: x.length, index, value });
  }
  return out;
}

/**
 * The Fiat–Shamir challenge: sha256 over the model hash, the digest, the commitment, every slot's
 * non-zero features in order (`width:i=v,…;`) and the claimed scores (`s,…;` per slot, signed
 * decimals), reduced mod r. The claimed scores are in it because rho is also the point at which
 * they are compared with the proven ones: it must not exist before they are fixed.
 */
export function sparseChallenge(modelHash: bigint, xs: readonly SparseInput[], digest: bigint, commitment: bigint, scores: readonly (readonly bigint[])[]): bigint {
  const h = createHash('sha256');
  h.update(`hindsight-fold/2;${modelHash};${digest};${commitment};${xs.length};`);
  for (const x of xs) {
    let line = `${x.width}:`;
    for (let k = 0; k < x.index.length; k++) line += `${x.index[k]}=${x.value[k]},`;
    h.update(`${line};`);
  }
  h.update(`scores:${scores.length};`);
  for (const row of scores) h.update(`${row.join(',')};`);
  return BigInt(`0x${h.digest('hex')}`) % FIELD_R;
}

/**
 * X = Σ_j rho^j·x_j mod r over n features. Each feature's sum is taken over the integers and
 * reduced once at the end (a product rho^j·v stays a few bits over 254, the sum of a batch's
 * items a few more), which equals reducing at every step.
 */
export function sparseFold(n: number, xs: readonly SparseInput[], rho: bigint): bigint[] {
  const X = new Array<bigint>(n).fill(0n);
  let pow = 1n;
  const r = rho % FIELD_R;
  for (const x of xs) {
    for (let k = 0; k < x.index.length; k++) {
      const i = x.index[k]!;
      if (i < n) X[i] = X[i]! + pow * x.value[k]!;
    }
    pow = (pow * r) % FIELD_R;
  }
  for (let i = 0; i < n; i++) {
    const v = X[i]!;
    if (v !== 0n) X[i] = toField(v);
  }
  return X;
}

/** Σ_k at^k·values[k] mod r (Horner; signed values taken as field elements). */
export function fieldEval(values: readonly bigint[], at: bigint): bigint {
  let acc = 0n;
  for (let k = values.length - 1; k >= 0; k--) acc = toField(acc * at + values[k]!);
  return acc;
}

/**
 * Σ_i point^i·X_i mod r for X = Σ_j rho^j·x_j over n features, without forming X: it equals
 * Σ_j rho^j·(Σ_i point^i·x_j[i]), so each item costs its non-zero features (small integers times
 * a precomputed power, summed over the integers) and one reduction.
 */
export function sparseFoldEval(n: number, xs: readonly SparseInput[], rho: bigint, point: bigint): bigint {
  const at = toField(point);
  const powers = new Array<bigint>(n);
  let p = 1n;
  for (let i = 0; i < n; i++) {
    powers[i] = p;
    p = (p * at) % FIELD_R;
  }
  const r = toField(rho);
  let acc = 0n;
  let weight = 1n;
  for (const x of xs) {
    let inner = 0n;
    for (let k = 0; k < x.index.length; k++) {
      const i = x.index[k]!;
      if (i < n) inner += powers[i]! * x.value[k]!;
    }
    if (inner !== 0n) acc = (acc + toField(inner) * weight) % FIELD_R;
    weight = (weight * r) % FIELD_R;
  }
  return acc;
}
