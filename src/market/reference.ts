/**
 * High-precision LMSR reference for tests (never used by the game): C(q) at 2^REF_BITS micro-units
 * from the 128-bit series of precise.ts, accurate far below one micro-unit for any realistic b.
 */
import { expPrecise, lnPrecise } from './precise.js';

export const REF_BITS = 128n;
export const REF_ONE = 1n << REF_BITS;

/** C(q)·2^128 in micro-units; error ≪ 2^-40 micro-units for b < 2^60. */
export function referenceCost(q: readonly bigint[], b: bigint): bigint {
  let m = q[0]!;
  for (const v of q) if (v > m) m = v;
  let sum = 0n;
  for (const v of q) {
    const num = (v - m) << REF_BITS;
    sum += expPrecise(num / b, REF_BITS);
  }
  return (m << REF_BITS) + b * lnPrecise(sum, REF_BITS);
}

/** ln(num/den) at 2^128. */
export function referenceLn(num: bigint, den: bigint): bigint {
  return lnPrecise((num << REF_BITS) / den, REF_BITS);
}

/** A 2^128-scaled value as a float, for readable assertion messages. */
export function refToNumber(v: bigint): number {
  return Number(v >> 64n) / 2 ** 64;
}
