/**
 * Shamir secret sharing of 16-byte blocks over the prime field F_p, p = 2^26 + 15: SecAgg shares its
 * mask seeds this way, so that a dropped client's masks can be rebuilt from a threshold of holders.
 *
 * Layout: a 16-byte block, read as a 128-bit little-endian integer, is cut into five limbs of 26 bits
 * (the last has 24), each < 2^26 < p, and each limb gets its own random polynomial of degree
 * threshold − 1 with the same x-coordinates. A share of a block is the five values f_i(x), each
 * < p < 2^27, as u32 little-endian: 20 bytes. A secret of several blocks is shared block by block in
 * one pass, and any block-aligned sub-range of a share is a share of that sub-range (SecAgg deals a
 * self-mask seed and several pair seeds at once and holders reveal them one at a time).
 *
 * Why this p: p² < 2^53, so a product of two field elements is an exact double and is reduced with
 * one multiply by 1/p, a floor and one correction step — no BigInt in the hot path — and p > 2^26
 * lets five limbs cover 128 bits (a prime below 2^26 would need six 24-bit limbs: 24-byte shares).
 * x-coordinates are 1..65535 (SecAgg uses a participant's position in the session + 1).
 *
 * `reconstruct` interpolates at 0 from the first `threshold` shares and checks that up to
 * `maxChecks` extra shares lie on the same polynomials — one lying holder among > threshold shares
 * is detected (ShareMismatch) even without commitments — and that every limb it rebuilds fits its
 * 26 (or 24) bits, which shares of one sharing always satisfy.
 */
import { HindsightError, ValidationError, expectedGot } from '../core/errors.js';
import type { RandomBytes } from './random-bytes.js';

/** The field modulus, 2^26 + 15 (prime: checked by trial division in shamir.test.ts). */
export const P = 67_108_879;
/** Secrets are shared in blocks of this many bytes… */
export const SECRET_BLOCK_BYTES = 16;
/** …cut into this many limbs of LIMB_BITS (the last holds the remaining 24 bits)… */
export const LIMBS = 5;
export const LIMB_BITS = 26;
/** …and a share of one block is LIMBS field elements as u32 little-endian. */
export const SHARE_BLOCK_BYTES = 4 * LIMBS;

const INV_P = 1 / P;
const LIMB = 2 ** LIMB_BITS;
const LAST_LIMB = 2 ** (8 * SECRET_BLOCK_BYTES - LIMB_BITS * (LIMBS - 1));
/** Coefficients are drawn as u32 below the largest multiple of p that fits, then reduced: exactly uniform. */
const SAMPLE_LIMIT = Math.floor(2 ** 32 / P) * P;

export type Share = { x: number; y: Uint8Array };

export class ShareMismatch extends HindsightError {}

/**
 * v mod p for an integer 0 ≤ v < 2^53. v·(1/p) is within one of v/p after rounding, so the floor is
 * off by at most one and one correction fixes it; q·p ≤ v + p < 2^53 keeps the subtraction exact.
 * About twice as fast as `v % p`, which V8 runs as fmod on doubles.
 */
function reduce(v: number): number {
  const r = v - Math.floor(v * INV_P) * P;
  return r < 0 ? r + P : r >= P ? r - P : r;
}

/** a·b mod p for a, b in [0, p): the product is < p² < 2^53, exact. */
export function fieldMul(a: number, b: number): number {
  return reduce(a * b);
}

/** a^-1 mod p by Fermat (a^(p−2)); a must be non-zero mod p. */
export function fieldInv(a: number): number {
  if (a % P === 0) throw expectedGot('fl.shamir.invalid', 'inverse in F_p', 'a non-zero element', a);
  let base = ((a % P) + P) % P;
  let result = 1;
  for (let e = P - 2; e > 0; e = Math.floor(e / 2)) {
    if (e % 2 === 1) result = reduce(result * base);
    base = reduce(base * base);
  }
  return result;
}

function validateXs(xs: readonly number[], threshold: number): void {
  if (!Number.isInteger(threshold) || threshold < 1) throw expectedGot('fl.shamir.invalid', 'threshold', 'an integer ≥ 1', threshold);
  if (xs.length < threshold) throw expectedGot('fl.shamir.invalid', 'holders', `at least threshold = ${threshold} holders`, xs.length);
  const seen = new Set<number>();
  for (const x of xs) {
    if (!Number.isInteger(x) || x < 1 || x > 65535) throw expectedGot('fl.shamir.invalid', 'x', 'an integer in [1, 65535]', x);
    if (seen.has(x)) throw expectedGot('fl.shamir.invalid', 'x', 'distinct share coordinates', x);
    seen.add(x);
  }
}

/** Writes the limbs of every 16-byte block of `secret`, block after block, to `out` from index 0. */
function secretLimbs(secret: Uint8Array, out: Float64Array): void {
  for (let b = 0, k = 0; b < secret.length; b += SECRET_BLOCK_BYTES) {
    // acc holds < LIMB_BITS + 8 bits: exact in a double, where 32-bit bit operations would overflow.
    let acc = 0;
    let scale = 1;
    for (let i = 0; i < SECRET_BLOCK_BYTES; i++) {
      acc += secret[b + i]! * scale;
      scale *= 256;
      if (scale >= LIMB) {
        out[k++] = acc % LIMB;
        acc = Math.floor(acc / LIMB);
        scale /= LIMB;
      }
    }
    out[k++] = acc;
  }
}

/** Inverse of secretLimbs; throws ShareMismatch for a limb out of its range (not a sharing of bytes). */
function limbsToBytes(limbs: Float64Array): Uint8Array {
  const out = new Uint8Array((limbs.length / LIMBS) * SECRET_BLOCK_BYTES);
  for (let b = 0, k = 0; b < out.length; b += SECRET_BLOCK_BYTES, k += LIMBS) {
    let acc = 0;
    let bits = 0;
    let at = b;
    for (let l = 0; l < LIMBS; l++) {
      const v = limbs[k + l]!;
      const bound = l === LIMBS - 1 ? LAST_LIMB : LIMB;
      if (v >= bound) {
        throw new ShareMismatch('fl.shamir.mismatch', `shares are inconsistent: reconstructed limb ${l} of block ${b / SECRET_BLOCK_BYTES}: expected < ${bound}, got ${v}`, { limb: l });
      }
      acc += v * 2 ** bits;
      bits += l === LIMBS - 1 ? 24 : LIMB_BITS;
      while (bits >= 8) {
        out[at++] = acc % 256;
        acc = Math.floor(acc / 256);
        bits -= 8;
      }
    }
  }
  return out;
}

/** The field elements of a share (u32 little-endian), each checked to be < p. */
function shareElements(share: Share): Float64Array {
  const y = share.y;
  if (y.length % SHARE_BLOCK_BYTES !== 0) throw expectedGot('fl.shamir.invalid', `share ${share.x}`, `a multiple of ${SHARE_BLOCK_BYTES} bytes`, y.length);
  const view = new DataView(y.buffer, y.byteOffset, y.length);
  const out = new Float64Array(y.length / 4);
  for (let i = 0; i < out.length; i++) {
    const v = view.getUint32(4 * i, true);
    if (v >= P) throw expectedGot('fl.shamir.invalid', `share ${share.x} element ${i}`, `a field element < ${P}`, v);
    out[i] = v;
  }
  return out;
}

/** Writes `count` uniform elements of F_p (the polynomials' random coefficients) to `out` from `at`. */
function randomElements(count: number, random: RandomBytes, out: Float64Array, at: number): void {
  let filled = 0;
  while (filled < count) {
    const missing = count - filled;
    // Rejection keeps ≈ 98.4 % of draws; over-draw slightly so one call is almost always enough.
    const bytes = random(4 * (missing + 4 + (missing >> 5)));
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    for (let i = 0; i + 4 <= bytes.length && filled < count; i += 4) {
      const v = view.getUint32(i, true);
      if (v < SAMPLE_LIMIT) out[at + filled++] = v % P;
    }
  }
}

/**
 * Scratch for split's coefficients and Horner sums, grown as needed: typed arrays beyond 64 bytes
 * live outside V8's heap and cost microseconds each to allocate and collect, and SecAgg splits once
 * per client per round. Safe to share: split is synchronous and calls nothing that re-enters it.
 */
let scratch = new Float64Array(0);

/**
 * Splits `secret` (a multiple of 16 bytes) into one share per x in `xs` (20 bytes per 16-byte block);
 * any `threshold` of them reconstruct it. The shares are views of one buffer.
 */
export function split(secret: Uint8Array, xs: readonly number[], threshold: number, random: RandomBytes): Uint8Array[] {
  validateXs(xs, threshold);
  if (secret.length % SECRET_BLOCK_BYTES !== 0) {
    throw expectedGot('fl.shamir.invalid', 'secret', `a multiple of ${SECRET_BLOCK_BYTES} bytes`, secret.length);
  }
  const m = (secret.length / SECRET_BLOCK_BYTES) * LIMBS;
  if (scratch.length < (threshold + 1) * m) scratch = new Float64Array((threshold + 1) * m);
  // coefficients[k·m + s]: coefficient of x^k in the polynomial of limb s; k = 0 is the secret.
  const coefficients = scratch;
  secretLimbs(secret, coefficients);
  if (threshold > 1) randomElements(m * (threshold - 1), random, coefficients, m);
  const acc = scratch.subarray(threshold * m, (threshold + 1) * m);
  const bytesPerShare = 4 * m;
  const out = new Uint8Array(bytesPerShare * xs.length);
  const view = new DataView(out.buffer);
  xs.forEach((x, h) => {
    // Horner, one power at a time across all limbs: acc·x + c < 2^27·2^16 + 2^27, exact.
    acc.set(coefficients.subarray((threshold - 1) * m, threshold * m));
    for (let k = threshold - 2; k >= 0; k--) {
      const base = k * m;
      for (let s = 0; s < m; s++) acc[s] = reduce(acc[s]! * x + coefficients[base + s]!);
    }
    for (let s = 0, o = bytesPerShare * h; s < m; s++, o += 4) view.setUint32(o, acc[s]!, true);
  });
  coefficients.fill(0, 0, (threshold + 1) * m); // no secret limbs or coefficients left lying in the scratch
  return xs.map((_, h) => out.subarray(bytesPerShare * h, bytesPerShare * (h + 1)));
}

/**
 * Lagrange basis at `at` for nodes xs: f(at) = Σ_j λ_j f(x_j), λ_j = Π_{m≠j} (at − x_m)/(x_j − x_m).
 * Memoized per node set and point, since a server rebuilds many secrets from the same holders.
 */
const basisMemo = new Map<string, Float64Array>();

function lagrange(xs: readonly number[], at: number): Float64Array {
  const key = `${at}:${xs.join(',')}`;
  let basis = basisMemo.get(key);
  if (basis) return basis;
  basis = new Float64Array(xs.length);
  for (let j = 0; j < xs.length; j++) {
    let num = 1;
    let den = 1;
    for (let m = 0; m < xs.length; m++) {
      if (m === j) continue;
      num = reduce(num * (at - xs[m]! + P));
      den = reduce(den * (xs[j]! - xs[m]! + P));
    }
    basis[j] = reduce(num * fieldInv(den));
  }
  if (basisMemo.size >= 1024) basisMemo.clear(); // bounded: node sets of one session repeat, across sessions they do not
  basisMemo.set(key, basis);
  return basis;
}

/** Lagrange basis values at `at` (0 = the secret) for nodes xs. */
export function lagrangeAt(xs: readonly number[], at: number): number[] {
  if (xs.includes(at)) throw expectedGot('fl.shamir.invalid', 'evaluation point', 'a point other than the nodes', at);
  return [...lagrange(xs, at)];
}

/** Σ_j λ_j y_j for every element position, given the elements of each base share. */
function interpolate(ys: readonly Float64Array[], basis: Float64Array, m: number): Float64Array {
  const out = new Float64Array(m);
  ys.forEach((y, j) => {
    const l = basis[j]!;
    // Each reduced product is < p, so the sum of up to 2^26 of them stays exact before reducing.
    for (let s = 0; s < m; s++) out[s]! += reduce(l * y[s]!);
  });
  for (let s = 0; s < m; s++) out[s] = reduce(out[s]!);
  return out;
}

/**
 * The secret from ≥ threshold shares. Extra shares are checked against the polynomials through the
 * first `threshold`; a mismatch throws ShareMismatch (someone lied or a share was corrupted).
 */
export function reconstruct(shares: readonly Share[], threshold: number, maxChecks = 1): Uint8Array {
  validateXs(
    shares.map((s) => s.x),
    threshold,
  );
  const len = shares[0]!.y.length;
  for (const s of shares) {
    if (s.y.length !== len) throw new ValidationError('fl.shamir.invalid', `share ${s.x}: expected ${len} bytes like the others, got ${s.y.length}`);
  }
  const base = shares.slice(0, threshold);
  const xs = base.map((s) => s.x);
  const ys = base.map(shareElements);
  const m = len / 4;
  // One extra share already catches any single wrong share (t + 1 points with one error do not lie
  // on a polynomial of degree t − 1).
  for (const extra of shares.slice(threshold, threshold + maxChecks)) {
    const expected = interpolate(ys, lagrange(xs, extra.x), m);
    const actual = shareElements(extra);
    if (expected.some((v, i) => v !== actual[i])) {
      throw new ShareMismatch('fl.shamir.mismatch', `shares are inconsistent: share at x=${extra.x} is not on the polynomial through the others`, {
        x: extra.x,
      });
    }
  }
  return limbsToBytes(interpolate(ys, lagrange(xs, 0), m));
}
