/**
 * Lookup tables for fixed.ts, built once at module load in deterministic bigint arithmetic at 192
 * bits (every machine builds the same bits, in a few milliseconds): geometric sequences for exp,
 * running sums of short atanh series for ln. With them exp and ln only need a degree-3 polynomial
 * on an interval of width 2^-16. fixed.test.ts checks them against independent references.
 */
import { expSeries } from './precise.js';

const BUILD = 192n;
const ONE_BUILD = 1n << BUILD;

/** [1, e^x, e^2x, …] at 2^192 (count terms), x at 2^192 with |x| ≤ 1; error ≪ 2^-160. */
function powers(x: bigint, count: number): bigint[] {
  const step = expSeries(x, BUILD);
  const out = [ONE_BUILD];
  for (let i = 1; i < count; i++) out.push((out[i - 1]! * step) >> BUILD);
  return out;
}

/** atanh(1/m) at 2^192 for an integer m ≥ 3: Σ 1/((2k+1)·m^(2k+1)). */
function atanhInverse(m: bigint): bigint {
  const m2 = m * m;
  let power = ONE_BUILD / m;
  let sum = power;
  for (let k = 3n; power > 0n; k += 2n) {
    power /= m2;
    sum += power / k;
  }
  return sum;
}

function roundShift(value: bigint, shift: bigint): bigint {
  return (value + (1n << (shift - 1n))) >> shift;
}

/** exp(x) for x ≤ 0 reads a = −x as a = i·2^-8 + j·2^-16 + t: these cover i < 46·256. */
export const NEG_EXP_LIMIT = 46;

const NEG_EXP_FRACTION = powers(-(ONE_BUILD >> 8n), 256);
const NEG_EXP_WHOLE = powers(-ONE_BUILD, NEG_EXP_LIMIT);
export const NEG_EXP_BLOCKS: (bigint[] | undefined)[] = new Array<bigint[] | undefined>(NEG_EXP_LIMIT);

/**
 * Block n of the coarse table: round(exp(−n − i/256) · 2^128) for i < 256 (2^128 keeps exp(−46)
 * precise). Blocks are built on first use — the values never depend on when — so loading the
 * module stays cheap; markets mostly touch the first few blocks.
 */
export function negExpBlock(n: number): bigint[] {
  let block = NEG_EXP_BLOCKS[n];
  if (block === undefined) {
    const whole = NEG_EXP_WHOLE[n]!;
    block = NEG_EXP_FRACTION.map((f) => roundShift(whole * f, 2n * BUILD - 128n));
    NEG_EXP_BLOCKS[n] = block;
  }
  return block;
}

/** NEG_EXP_FINE[j] = round(exp(−j/65536) · 2^64), j < 256. */
export const NEG_EXP_FINE: bigint[] = powers(-(ONE_BUILD >> 16n), 256).map((v) => roundShift(v, BUILD - 64n));

/** POS_EXP[j] = round(exp(j/256) · 2^64), j < 256: for the (rare) positive arguments. */
export const POS_EXP: bigint[] = powers(ONE_BUILD >> 8n, 256).map((v) => roundShift(v, BUILD - 64n));

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
  let lnRatio = 0n; // ln((base + j) / base) at 2^192, a running sum of ln((n+1)/n) = 2·atanh(1/(2n+1))
  for (let j = 0n; j < BigInt(size); j++) {
    const den = base + j;
    if (j > 0n) lnRatio += 2n * atanhInverse(2n * den - 1n);
    const r = ((1n << (64n + bits)) + den - 1n) / den; // ceil(2^64 / (1 + j/2^bits))
    inv.push(r);
    // ln(2^64/r) = ln(den/base) + ln(1 − d), d = (r·den − 2^(64+bits)) / (r·den) < 2^-63: ln(1−d) ≈ −d − d²/2
    const n = r * den;
    const d = ((n - (1n << (64n + bits))) << BUILD) / n;
    log.push(roundShift(lnRatio - d - ((d * d) >> (BUILD + 1n)), BUILD - 64n));
  }
  return { inv, log };
}

const level1 = reciprocalTable(8n, 256);
const level2 = reciprocalTable(16n, 258);
export const LN_INV1 = level1.inv;
export const LN_LOG1 = level1.log;
export const LN_INV2 = level2.inv;
export const LN_LOG2 = level2.log;
