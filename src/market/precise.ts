/**
 * Slow, high-precision exp/ln on bigint (plain Taylor / atanh series at a caller-chosen number of
 * fraction bits). Used once at module load to build the lookup tables of `fixed.ts`, and by tests as
 * an independent reference that is far more precise than a float. Never in a hot path.
 */
import { expectedGot } from '../core/errors.js';

/** exp(x) for |x| ≤ 1, x and result at scale 2^bits (Taylor series until the terms vanish). */
export function expSeries(x: bigint, bits: bigint): bigint {
  const one = 1n << bits;
  if (x > one || x < -one) throw expectedGot('market.outOfDomain', `expSeries x (at 2^${bits})`, '|x| ≤ 1', x);
  let sum = one;
  let term = one;
  for (let n = 1n; ; n++) {
    term = (term * x) / (one * n);
    if (term === 0n) return sum;
    sum += term;
  }
}

/** ln(y) for y in [1/2, 2], y and result at scale 2^bits: 2·atanh((y−1)/(y+1)). */
export function lnSeries(y: bigint, bits: bigint): bigint {
  const one = 1n << bits;
  if (y < one / 2n || y > 2n * one) throw expectedGot('market.outOfDomain', `lnSeries y (at 2^${bits})`, 'y in [1/2, 2]', y);
  const s = ((y - one) << bits) / (y + one);
  const s2 = (s * s) >> bits;
  let sum = s;
  let power = s;
  for (let n = 3n; ; n += 2n) {
    power = (power * s2) >> bits;
    if (power === 0n) return 2n * sum;
    sum += power / n;
  }
}

/** ln 2 at scale 2^bits via 2·atanh(1/3). */
export function ln2Series(bits: bigint): bigint {
  const one = 1n << bits;
  // ln 2 = ln(2) computed as lnSeries at y = 2 (s = 1/3, converges fast enough).
  return lnSeries(2n * one, bits);
}

/** ln(x) for any x > 0 at scale 2^bits: x = 2^k · m with m in [1, 2). */
export function lnPrecise(x: bigint, bits: bigint): bigint {
  if (x <= 0n) throw expectedGot('market.outOfDomain', 'lnPrecise x', 'x > 0', x);
  const one = 1n << bits;
  let k = 0n;
  let m = x;
  while (m >= 2n * one) {
    m >>= 1n;
    k++;
  }
  while (m < one) {
    m <<= 1n;
    k--;
  }
  return k * ln2Series(bits) + lnSeries(m, bits);
}

/** exp(x) for any x at scale 2^bits: exp(x) = exp(x/2^s)^(2^s) with |x/2^s| ≤ 1. */
export function expPrecise(x: bigint, bits: bigint): bigint {
  // Work with 32 guard bits so halving and squaring do not lose the requested precision.
  const guard = 32n;
  const hi = bits + guard;
  const oneHi = 1n << hi;
  let s = 0n;
  let y = x << guard;
  while (y > oneHi || y < -oneHi) {
    y /= 2n;
    s++;
  }
  let r = expSeries(y, hi);
  for (let i = 0n; i < s; i++) r = (r * r) >> hi;
  return r >> guard;
}
