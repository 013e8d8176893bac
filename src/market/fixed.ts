/**
 * Deterministic fixed-point exp / ln / log-sum-exp / softmax on bigint.
 *
 * Scale: binary, 64 fraction bits. A real number v is the bigint round(v · 2^64) (`ONE` = 2^64);
 * the integer part is unbounded (bigint). Binary rather than decimal because rescaling after a
 * product is a shift, which is what makes a trade cost a few microseconds.
 *
 * Accuracy (checked in fixed.test.ts against 160-bit series and against floats):
 *   expFixed(x): |error| ≤ EXP_ERR_ULPS ulps for x ≤ 0; relative ≤ EXP_ERR_ULPS·2^-64 for x > 0.
 *   lnFixed(x):  |error| ≤ LN_ERR_ULPS ulps for every x > 0.
 * The *Floor / *Ceil variants subtract / add those bounds, so they are guaranteed lower / upper
 * bounds of the exact real value: money code uses them to round in the market maker's favour.
 *
 * No floats, clock or randomness: same inputs give the same bits on every machine.
 */
import { expectedGot } from '../core/errors.js';
import { LN_INV1, LN_INV2, LN_LOG1, LN_LOG2, NEG_EXP_BLOCKS, NEG_EXP_FINE, negExpBlock, NEG_EXP_LIMIT, POS_EXP } from './fixed-tables.js';

export const FRAC_BITS = 64n;
export const ONE = 1n << FRAC_BITS;
/** round(ln 2 · 2^64) */
export const LN2_FIXED = 12786308645202655660n;
/** floor(ln 2 · 2^128): range reduction uses the extra bits so k·ln 2 stays exact to < 1 ulp. */
const LN2_X128 = 235865763225513294137944142764154484399n;
/** round(2^64 / ln 2) */
const INV_LN2_FIXED = 26613026195688644983n;

/**
 * Error bounds in ulps (2^-64) used for rounding. Summing the worst case of each step (table
 * rounding 0.5, each truncating shift < 1, polynomial truncation < 0.25) gives < 3 ulps for exp on
 * x ≤ 0 and < 7 for ln; 16 leaves margin. Measured maxima (fixed.test.ts, docs): 1 and 5.
 */
export const EXP_ERR_ULPS = 16n;
export const LN_ERR_ULPS = 16n;

/** Below this, exp(x)·2^64 < 0.2: the result is 0 (error < 1 ulp). */
const EXP_ZERO_BELOW = -BigInt(NEG_EXP_LIMIT) * ONE;
const MASK_48 = (1n << 48n) - 1n;
const SIXTH = ONE / 6n;
const HALF = ONE / 2n;
const THIRD = ONE / 3n;

/** exp(x) at scale 2^64; see the error bound above. */
export function expFixed(x: bigint): bigint {
  if (x > 0n) return expPositive(x);
  if (x === 0n) return ONE;
  if (x <= EXP_ZERO_BELOW) return 0n;
  // a = −x = i/2^8 + j/2^16 + t with t < 2^-16: exp(−a) = C[i]·F[j]·exp(−t), exp(−t) to degree 3
  // (truncation t^4/24 < 2^-68).
  const a = -x;
  const i = Number(a >> 56n);
  const coarse = (NEG_EXP_BLOCKS[i >> 8] ?? negExpBlock(i >> 8))[i & 255]!; // at 2^128
  const fine = NEG_EXP_FINE[Number((a >> 48n) & 255n)]!;
  const t = a & MASK_48;
  let p = HALF - ((SIXTH * t) >> FRAC_BITS);
  p = ONE - ((p * t) >> FRAC_BITS);
  p = ONE - ((p * t) >> FRAC_BITS);
  return (((coarse * fine) >> FRAC_BITS) * p) >> 128n;
}

/** exp(x) for x > 0: x = k·ln 2 + r (at 2^128 so large k stays exact), r = j/256 + t, degree 7. */
function expPositive(x: bigint): bigint {
  let k = (x * INV_LN2_FIXED) >> (2n * FRAC_BITS);
  let r128 = (x << FRAC_BITS) - k * LN2_X128;
  if (r128 < 0n) {
    k -= 1n;
    r128 += LN2_X128;
  } else if (r128 >= LN2_X128) {
    k += 1n;
    r128 -= LN2_X128;
  }
  const r = r128 >> FRAC_BITS;
  const t = r & MASK_56;
  let acc = EXP_COEF[7]!;
  for (let n = 6; n >= 0; n--) acc = EXP_COEF[n]! + ((acc * t) >> FRAC_BITS);
  return ((POS_EXP[Number(r >> 56n)]! * acc) >> FRAC_BITS) << k;
}
const MASK_56 = (1n << 56n) - 1n;
/** 1/n! at 2^64 for expPositive (degree 7 on [0, 2^-8): truncation < 2^-79). */
const EXP_COEF: bigint[] = [];
{
  let factorial = 1n;
  for (let n = 0n; n <= 7n; n++) {
    if (n > 0n) factorial *= n;
    EXP_COEF.push((ONE + factorial / 2n) / factorial);
  }
}

/** A guaranteed lower bound of exp(x) at 2^64. */
export function expFloor(x: bigint): bigint {
  const y = expFixed(x);
  const lower = y - EXP_ERR_ULPS * (1n + (y >> FRAC_BITS));
  return lower > 0n ? lower : 0n;
}

/** A guaranteed upper bound of exp(x) at 2^64. */
export function expCeil(x: bigint): bigint {
  const y = expFixed(x);
  return y + EXP_ERR_ULPS * (1n + (y >> FRAC_BITS));
}

const TWO_64 = 1n << 64n;
const TWO_32 = 1n << 32n;

/** Number of bits of a positive bigint. */
export function bitLength(x: bigint): number {
  let n = 0;
  let y = x;
  while (y >= TWO_64) {
    y >>= 64n;
    n += 64;
  }
  if (y >= TWO_32) {
    y >>= 32n;
    n += 32;
  }
  // y < 2^32 now: an exact small integer, so clz32 on it involves no float rounding.
  return n + 32 - Math.clz32(Number(y));
}

/** ln(x) at scale 2^64 for x > 0 given at scale 2^64; |error| ≤ LN_ERR_ULPS. */
export function lnFixed(x: bigint): bigint {
  if (x <= 0n) throw expectedGot('market.outOfDomain', 'lnFixed x', 'x > 0', x);
  if (x === ONE) return 0n;
  // x = 2^k · m with m in [1, 2) at 2^64.
  const k = bitLength(x) - 65;
  return lnMantissa(k >= 0 ? x >> BigInt(k) : x << BigInt(-k), k);
}

/** ln(2^k · m) for m in [1, 2) at 2^64: two table steps bring m to 1 + u with u < 2^-16 + ε. */
function lnMantissa(m: bigint, k: number): bigint {
  const j1 = Number(m >> 56n) - 256;
  const z1 = (m * LN_INV1[j1]!) >> FRAC_BITS;
  const j2 = Number((z1 - ONE) >> 48n);
  const u = ((z1 * LN_INV2[j2]!) >> FRAC_BITS) - ONE;
  // ln(1+u) = u − u²/2 + u³/3 (truncation u^4/4 < 2^-64 · 2^-2)
  let p = HALF - ((THIRD * u) >> FRAC_BITS);
  p = ONE - ((p * u) >> FRAC_BITS);
  const series = (p * u) >> FRAC_BITS;
  const result = series + LN_LOG1[j1]! + LN_LOG2[j2]!;
  return k === 0 ? result : result + ((BigInt(k) * LN2_X128) >> FRAC_BITS);
}

/** A guaranteed lower bound of ln(x) at 2^64. */
export function lnFloor(x: bigint): bigint {
  return lnFixed(x) - LN_ERR_ULPS;
}

/** A guaranteed upper bound of ln(x) at 2^64. */
export function lnCeil(x: bigint): bigint {
  return lnFixed(x) + LN_ERR_ULPS;
}

/** ln of a positive integer n (not scaled) at 2^64; same bits as lnFixed(n · 2^64), faster. */
export function lnInteger(n: bigint): bigint {
  if (n <= 0n || n >= TWO_64) return lnFixed(n << FRAC_BITS);
  // bits of n (< 64) from clz32 on exact 32-bit halves
  const bits = n < TWO_32 ? 32 - Math.clz32(Number(n)) : 64 - Math.clz32(Number(n >> 32n));
  return lnMantissa(n << BigInt(65 - bits), bits - 1);
}

export type LogSumExp = {
  /** ln Σ exp(x_i) at 2^64 (approximate, within `errorUlps`). */
  value: bigint;
  /** Guaranteed bounds: lo ≤ ln Σ exp(x_i + e_i) ≤ hi for any input errors e_i in [0, inputErrUlps]. */
  lo: bigint;
  hi: bigint;
  /** exp(x_i − max) at 2^64 (the max term is exactly ONE): softmax numerators. */
  weights: bigint[];
  /** Σ weights. */
  total: bigint;
  /** max_i x_i. */
  max: bigint;
};

/**
 * Log-sum-exp with the usual max shift: ln Σ exp(x_i) = max + ln Σ exp(x_i − max); the shifted
 * terms are ≤ 1 and the max term is exactly 1, so the sum is in [1, K] and ln is well conditioned.
 * `inputErrUlps` widens the bounds for inputs that are themselves floors of the true values.
 */
export function logSumExp(xs: readonly bigint[], inputErrUlps = 0n): LogSumExp {
  if (xs.length === 0) throw expectedGot('market.outOfDomain', 'logSumExp terms', 'at least one', 0);
  let max = xs[0]!;
  for (const x of xs) if (x > max) max = x;
  const weights = new Array<bigint>(xs.length);
  let total = 0n;
  for (let i = 0; i < xs.length; i++) {
    const w = expFixed(xs[i]! - max);
    weights[i] = w;
    total += w;
  }
  const value = max + lnFixed(total);
  const err = lseErrorUlps(xs.length, inputErrUlps);
  return { value, lo: value - err, hi: value + err, weights, total, max };
}

/**
 * Bound on |value − exact| in ulps: each term is off by ≤ EXP_ERR + inputErr ulps (exp' ≤ 1 on
 * x ≤ 0) and the sum is ≥ 1, so ln of the sum moves by ≤ K·(EXP_ERR + inputErr) ulps (+2 for the
 * second-order term), plus lnFixed's own error.
 */
export function lseErrorUlps(terms: number, inputErrUlps = 0n): bigint {
  return BigInt(terms) * (EXP_ERR_ULPS + inputErrUlps) + LN_ERR_ULPS + 2n;
}

/** softmax(x) at 2^64, each entry floored (Σ ≤ ONE, short by < K ulps). */
export function softmaxFixed(xs: readonly bigint[]): bigint[] {
  const { weights, total } = logSumExp(xs);
  return weights.map((w) => (w << FRAC_BITS) / total);
}

/**
 * Splits `scale` in proportion to non-negative `weights` so the parts sum to `scale` exactly:
 * floor each share, then give the leftover units to the largest remainders (ties: lower index).
 */
export function apportion(weights: readonly bigint[], scale: bigint): bigint[] {
  let total = 0n;
  for (const w of weights) total += w;
  if (total <= 0n) throw expectedGot('market.outOfDomain', 'apportion weights', 'a positive total', total);
  const parts = weights.map((w) => (w * scale) / total);
  const remainders = weights.map((w, i) => w * scale - parts[i]! * total);
  let left = scale;
  for (const p of parts) left -= p;
  const order = remainders.map((_, i) => i).sort((a, b) => (remainders[b]! > remainders[a]! ? 1 : remainders[b]! < remainders[a]! ? -1 : a - b));
  for (let n = 0; n < Number(left); n++) {
    const i = order[n]!;
    parts[i] = parts[i]! + 1n;
  }
  return parts;
}

/** floor(a / b) for b > 0 (bigint `/` truncates toward zero). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a < 0n && q * b !== a ? q - 1n : q;
}

/** ceil(a / b) for b > 0. */
export function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a > 0n && q * b !== a ? q + 1n : q;
}
