/**
 * Shamir secret sharing of byte strings over GF(2^16) (x^16 + x^12 + x^3 + x + 1), symbol by symbol:
 * a secret of 2m bytes is m field elements, each with its own random polynomial of degree
 * threshold − 1, so a share is as long as the secret and any sub-range of a share is a share of that
 * sub-range. A dealer with several secrets shares their concatenation in one pass and holders reveal
 * them one at a time.
 *
 * Why not a prime field: SecAgg secrets are 16-byte seeds, and 2^16 lets multiplication be two table
 * look-ups — no BigInt, no modular inverse (the inverse is a negated logarithm). x-coordinates are
 * 1..65535 (SecAgg uses a participant's position in the session + 1).
 *
 * `reconstruct` interpolates at 0 from the first `threshold` shares and checks that up to
 * `maxChecks` extra shares lie on the same polynomials — one lying holder among > threshold shares
 * is detected (ShareMismatch) even without commitments.
 */
import { HindsightError, ValidationError, expectedGot } from '../core/errors.js';
import type { RandomBytes } from './random-bytes.js';

const ORDER = 65535;
const POLY = 0x1100b;
/** EXP has two periods so that EXP[LOG[a] + LOG[b]] needs no reduction. */
const EXP = new Uint16Array(2 * ORDER);
const LOG = new Uint16Array(ORDER + 1);
{
  let v = 1;
  for (let i = 0; i < ORDER; i++) {
    EXP[i] = EXP[i + ORDER] = v;
    LOG[v] = i;
    v <<= 1;
    if (v & 0x10000) v ^= POLY;
  }
  if (v !== 1) throw new Error('GF(2^16): the reduction polynomial is not primitive');
}

export type Share = { x: number; y: Uint8Array };

export class ShareMismatch extends HindsightError {}

/** a·b in GF(2^16). */
export function gfMul(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : EXP[LOG[a]! + LOG[b]!]!;
}

/** a^-1 in GF(2^16). */
export function gfInv(a: number): number {
  if (a === 0) throw new RangeError('inverse of 0 in GF(2^16)');
  return EXP[(ORDER - LOG[a]!) % ORDER]!;
}

function validateXs(xs: readonly number[], threshold: number): void {
  if (!Number.isInteger(threshold) || threshold < 1) throw expectedGot('fl.shamir.invalid', 'threshold', 'an integer ≥ 1', threshold);
  if (xs.length < threshold) throw expectedGot('fl.shamir.invalid', 'holders', `at least threshold = ${threshold} holders`, xs.length);
  const seen = new Set<number>();
  for (const x of xs) {
    if (!Number.isInteger(x) || x < 1 || x > ORDER) throw expectedGot('fl.shamir.invalid', 'x', 'an integer in [1, 65535]', x);
    if (seen.has(x)) throw expectedGot('fl.shamir.invalid', 'x', 'distinct share coordinates', x);
    seen.add(x);
  }
}

function symbols(bytes: Uint8Array, what: string): Uint16Array {
  if (bytes.length % 2 !== 0) throw expectedGot('fl.shamir.invalid', what, 'an even number of bytes', bytes.length);
  const out = new Uint16Array(bytes.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = bytes[2 * i]! | (bytes[2 * i + 1]! << 8);
  return out;
}

function toBytes(sym: Uint16Array): Uint8Array {
  const out = new Uint8Array(2 * sym.length);
  for (let i = 0; i < sym.length; i++) {
    out[2 * i] = sym[i]! & 0xff;
    out[2 * i + 1] = sym[i]! >>> 8;
  }
  return out;
}

/**
 * Multiplication by a fixed x as two 256-entry tables: y·x = LO[y & 0xff] ^ HI[y >> 8], because
 * multiplying by a constant is GF(2)-linear. They stay in L1 cache, unlike the 384 KB EXP/LOG
 * tables, and are refilled in place: allocating typed arrays costs more than filling them.
 */
const LO = new Uint16Array(256);
const HI = new Uint16Array(256);

function fillTimesTables(x: number): void {
  let basis = x; // x·2^i, i = 0..15
  for (let i = 0; i < 16; i++) {
    const table = i < 8 ? LO : HI;
    const bit = 1 << (i % 8);
    for (let b = bit; b < 2 * bit; b++) table[b] = table[b ^ bit]! ^ basis;
    basis <<= 1;
    if (basis & 0x10000) basis ^= POLY;
  }
}

/**
 * Splits `secret` (an even number of bytes) into one share per x in `xs`; any `threshold` reconstruct
 * it. The shares are views of one buffer.
 */
export function split(secret: Uint8Array, xs: readonly number[], threshold: number, random: RandomBytes): Uint8Array[] {
  validateXs(xs, threshold);
  const m = symbols(secret, 'secret').length;
  // coefficients[k·m + s]: coefficient of x^k in the polynomial of symbol s; k = 0 is the secret.
  const coefficients = new Uint16Array(threshold * m);
  coefficients.set(symbols(secret, 'secret'));
  if (threshold > 1) coefficients.set(symbols(random(2 * m * (threshold - 1)), 'random'), m);
  const out = new Uint8Array(2 * m * xs.length);
  xs.forEach((x, h) => {
    fillTimesTables(x);
    for (let s = 0, o = 2 * m * h; s < m; s++, o += 2) {
      let acc = coefficients[(threshold - 1) * m + s]!;
      for (let k = threshold - 2; k >= 0; k--) acc = LO[acc & 0xff]! ^ HI[acc >>> 8]! ^ coefficients[k * m + s]!;
      out[o] = acc & 0xff;
      out[o + 1] = acc >>> 8;
    }
  });
  return xs.map((_, h) => out.subarray(2 * m * h, 2 * m * (h + 1)));
}

/** Logarithms of the Lagrange basis at `at` for nodes xs: f(at) = Σ_j λ_j f(x_j), λ_j = Π_{m≠j} (at − x_m)/(x_j − x_m). */
function lagrangeLogs(xs: readonly number[], at: number): Int32Array {
  const logs = new Int32Array(xs.length);
  xs.forEach((xj, j) => {
    let log = 0;
    for (let m = 0; m < xs.length; m++) {
      if (m === j) continue;
      log += LOG[at ^ xs[m]!]! - LOG[xj ^ xs[m]!]!; // subtraction is XOR in characteristic 2
    }
    logs[j] = ((log % ORDER) + ORDER) % ORDER;
  });
  return logs;
}

/** Lagrange basis values at `at` (0 = the secret) for nodes xs. */
export function lagrangeAt(xs: readonly number[], at: number): number[] {
  if (xs.includes(at)) throw expectedGot('fl.shamir.invalid', 'evaluation point', 'a point other than the nodes', at);
  return [...lagrangeLogs(xs, at)].map((l) => EXP[l]!);
}

function interpolate(base: readonly Share[], at: number, m: number): Uint16Array {
  const logs = lagrangeLogs(
    base.map((s) => s.x),
    at,
  );
  const out = new Uint16Array(m);
  base.forEach((share, j) => {
    const y = symbols(share.y, 'share');
    const l = logs[j]!;
    for (let s = 0; s < m; s++) if (y[s] !== 0) out[s]! ^= EXP[LOG[y[s]!]! + l]!;
  });
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
  const secret = interpolate(base, 0, len / 2);
  // One extra share already catches any single wrong share (t + 1 points with one error do not lie
  // on a polynomial of degree t − 1).
  for (const extra of shares.slice(threshold, threshold + maxChecks)) {
    const expected = toBytes(interpolate(base, extra.x, len / 2));
    if (expected.some((b, i) => b !== extra.y[i])) {
      throw new ShareMismatch('fl.shamir.mismatch', `shares are inconsistent: share at x=${extra.x} is not on the polynomial through the others`, {
        x: extra.x,
      });
    }
  }
  return toBytes(secret);
}
