/**
 * Shamir secret sharing over the prime field F_p, p = 2^255 − 19. Secrets (X25519 secret keys and
 * self-mask seeds) are sampled directly as field elements and encoded as 32 little-endian bytes, so
 * a secret and its shares are the same size as a key.
 *
 * A share is (x, y) with y = f(x) for a random polynomial f of degree threshold − 1 and f(0) = secret.
 * `reconstruct` interpolates at 0 from the first `threshold` shares and, when more are given, checks
 * that `maxChecks` extra shares lie on the same polynomial — one lying holder among > threshold
 * shares is detected (ShareMismatch) even without commitments.
 */
import { HindsightError, ValidationError, expectedGot } from '../core/errors.js';
import type { RandomBytes } from './random-bytes.js';

export const FIELD_P = (1n << 255n) - 19n;

export type Share = { x: number; y: bigint };

export class ShareMismatch extends HindsightError {}

export function mod(a: bigint): bigint {
  const r = a % FIELD_P;
  return r < 0n ? r + FIELD_P : r;
}

/** Inverse by the extended Euclidean algorithm (faster than Fermat for bigint). */
export function inverse(a: bigint): bigint {
  let [oldR, r] = [mod(a), FIELD_P];
  let [oldS, s] = [1n, 0n];
  if (oldR === 0n) throw new RangeError('inverse of 0 in F_p');
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return mod(oldS);
}

export function randomFieldElement(random: RandomBytes): bigint {
  for (;;) {
    const bytes = random(32);
    bytes[31]! &= 0x7f;
    const v = fieldFromBytes(bytes, false);
    if (v < FIELD_P) return v;
  }
}

export function fieldToBytes(v: bigint): Uint8Array {
  const out = new Uint8Array(32);
  let x = v;
  for (let i = 0; i < 32; i++) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

export function fieldFromBytes(bytes: Uint8Array, check = true): bigint {
  if (bytes.length !== 32) throw expectedGot('fl.shamir.invalid', 'field element', '32 bytes', bytes.length);
  let v = 0n;
  for (let i = 31; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  if (check && v >= FIELD_P) throw expectedGot('fl.shamir.invalid', 'field element', 'a value < 2^255 − 19', `0x${v.toString(16)}`);
  return v;
}

function validateXs(xs: readonly number[], threshold: number): void {
  if (!Number.isInteger(threshold) || threshold < 1) throw expectedGot('fl.shamir.invalid', 'threshold', 'an integer ≥ 1', threshold);
  if (xs.length < threshold) throw expectedGot('fl.shamir.invalid', 'holders', `at least threshold = ${threshold} holders`, xs.length);
  const seen = new Set<number>();
  for (const x of xs) {
    if (!Number.isInteger(x) || x < 1 || x > 2 ** 32) throw expectedGot('fl.shamir.invalid', 'x', 'an integer in [1, 2^32]', x);
    if (seen.has(x)) throw expectedGot('fl.shamir.invalid', 'x', 'distinct share coordinates', x);
    seen.add(x);
  }
}

/** Splits `secret` into one share per x in `xs`; any `threshold` of them reconstruct it. */
export function split(secret: bigint, xs: readonly number[], threshold: number, random: RandomBytes): Share[] {
  validateXs(xs, threshold);
  if (secret < 0n || secret >= FIELD_P) throw expectedGot('fl.shamir.invalid', 'secret', 'a field element', secret);
  const coefficients = [secret];
  for (let k = 1; k < threshold; k++) coefficients.push(randomFieldElement(random));
  return xs.map((x) => ({ x, y: evaluate(coefficients, BigInt(x)) }));
}

function evaluate(coefficients: readonly bigint[], x: bigint): bigint {
  let acc = 0n;
  for (let k = coefficients.length - 1; k >= 0; k--) acc = mod(acc * x + coefficients[k]!);
  return acc;
}

/** Lagrange basis values at `at` for nodes xs: f(at) = Σ λ_j f(x_j). */
export function lagrangeAt(xs: readonly number[], at: bigint): bigint[] {
  const bx = xs.map(BigInt);
  return bx.map((xj, j) => {
    let num = 1n;
    let den = 1n;
    bx.forEach((xm, m) => {
      if (m === j) return;
      num = mod(num * (at - xm));
      den = mod(den * (xj - xm));
    });
    return mod(num * inverse(den));
  });
}

const basisCache = new Map<string, bigint[]>();

function basisAtZero(xs: readonly number[]): bigint[] {
  const key = xs.join(',');
  let basis = basisCache.get(key);
  if (!basis) {
    basis = lagrangeAt(xs, 0n);
    if (basisCache.size > 10_000) basisCache.clear();
    basisCache.set(key, basis);
  }
  return basis;
}

/**
 * The secret from ≥ threshold shares. Extra shares are checked against the polynomial through the
 * first `threshold`; a mismatch throws ShareMismatch (someone lied or a share was corrupted).
 */
export function reconstruct(shares: readonly Share[], threshold: number, maxChecks = 1): bigint {
  validateXs(shares.map((s) => s.x), threshold);
  for (const s of shares) {
    if (s.y < 0n || s.y >= FIELD_P) throw new ValidationError('fl.shamir.invalid', `share ${s.x}: expected a field element, got ${s.y}`);
  }
  const base = shares.slice(0, threshold);
  const xs = base.map((s) => s.x);
  const secret = base.reduce((acc, s, j) => mod(acc + s.y * basisAtZero(xs)[j]!), 0n);
  // One extra share already catches any single wrong share (t + 1 points with one error do not lie
  // on a degree t − 1 polynomial); each further check costs O(t²) field operations.
  for (const extra of shares.slice(threshold, threshold + maxChecks)) {
    const basis = lagrangeAt(xs, BigInt(extra.x));
    const expected = base.reduce((acc, s, j) => mod(acc + s.y * basis[j]!), 0n);
    if (expected !== extra.y) {
      throw new ShareMismatch('fl.shamir.mismatch', `shares are inconsistent: share at x=${extra.x} is not on the polynomial through the others`, {
        x: extra.x,
      });
    }
  }
  return secret;
}
