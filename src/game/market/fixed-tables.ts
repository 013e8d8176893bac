/**
 * Lookup tables for fixed.ts, built once at module load from the 160-bit series of precise.ts
 * (deterministic bigint arithmetic: every machine builds the same bits, in a few milliseconds).
 * With them exp and ln only need a degree-3 polynomial on an interval of width 2^-16.
 */
import { expSeries, lnSeries } from './precise.js';

const BUILD = 160n;
const ONE_BUILD = 1n << BUILD;

function roundShift(value: bigint, shift: bigint): bigint {
  return (value + (1n << (shift - 1n))) >> shift;
}

/** exp(x) for x ≤ 0 reads a = −x as a = i·2^-8 + j·2^-16 + t: these cover i < 46·256. */
export const NEG_EXP_LIMIT = 46;

/** NEG_EXP_COARSE[i] = round(exp(−i/256) · 2^128), i < 46·256 (2^128 keeps exp(−46) precise). */
export const NEG_EXP_COARSE: bigint[] = (() => {
  const fraction = Array.from({ length: 256 }, (_, i) => expSeries(-(BigInt(i) << (BUILD - 8n)), BUILD));
  const table = new Array<bigint>(NEG_EXP_LIMIT * 256);
  const eMinusOne = expSeries(-ONE_BUILD, BUILD);
  let whole = ONE_BUILD; // exp(−n) at 2^160
  for (let n = 0; n < NEG_EXP_LIMIT; n++) {
    for (let i = 0; i < 256; i++) table[n * 256 + i] = roundShift(whole * fraction[i]!, 2n * BUILD - 128n);
    whole = (whole * eMinusOne) >> BUILD;
  }
  return table;
})();

/** NEG_EXP_FINE[j] = round(exp(−j/65536) · 2^64), j < 256. */
export const NEG_EXP_FINE: bigint[] = Array.from({ length: 256 }, (_, j) =>
  roundShift(expSeries(-(BigInt(j) << (BUILD - 16n)), BUILD), BUILD - 64n),
);

/** POS_EXP[j] = round(exp(j/256) · 2^64), j < 256: for the (rare) positive arguments. */
export const POS_EXP: bigint[] = Array.from({ length: 256 }, (_, j) =>
  roundShift(expSeries(BigInt(j) << (BUILD - 8n), BUILD), BUILD - 64n),
);

/**
 * ln reduction in two steps, m in [1, 2) at 2^64:
 *   z1 = m·LN_INV1[j1] / 2^64 with LN_INV1[j1] = ceil(2^64 / (1 + j1/256)) → z1 in [1, 1 + 2^-8 + ε)
 *   z2 = z1·LN_INV2[j2] / 2^64 with LN_INV2[j2] = ceil(2^64 / (1 + j2/65536)) → z2 in [1, 1 + 2^-16 + ε)
 * and ln m = ln z2 + LN_LOG1[j1] + LN_LOG2[j2], LN_LOGn[j] = round(ln(2^64 / LN_INVn[j]) · 2^64).
 * The ceilings keep every z ≥ 1, so the indices never go negative; j2 can reach 256 at the edge.
 */
function reciprocalTable(bits: bigint, size: number): { inv: bigint[]; log: bigint[] } {
  const inv: bigint[] = [];
  const log: bigint[] = [];
  const base = 1n << bits;
  for (let j = 0n; j < BigInt(size); j++) {
    const num = 1n << (64n + bits);
    const den = base + j;
    const r = (num + den - 1n) / den; // ceil(2^64 / (1 + j/2^bits))
    inv.push(r);
    log.push(roundShift(lnSeries((1n << (64n + BUILD)) / r, BUILD), BUILD - 64n)); // ln(2^64/r), 2^64/r in (1/2, 1]
  }
  return { inv, log };
}

const level1 = reciprocalTable(8n, 256);
const level2 = reciprocalTable(16n, 258);
export const LN_INV1 = level1.inv;
export const LN_LOG1 = level1.log;
export const LN_INV2 = level2.inv;
export const LN_LOG2 = level2.log;
