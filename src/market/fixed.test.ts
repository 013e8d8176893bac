import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../core/errors.js';
import {
  EXP_ERR_ULPS,
  LN2_FIXED,
  LN_ERR_ULPS,
  ONE,
  apportion,
  bitLength,
  ceilDiv,
  expCeil,
  expFixed,
  expFloor,
  floorDiv,
  lnCeil,
  lnFixed,
  lnFloor,
  lnInteger,
  logSumExp,
  softmaxFixed,
} from './fixed.js';
import { LN_INV1, LN_INV2, LN_LOG1, LN_LOG2, NEG_EXP_FINE, POS_EXP, negExpBlock } from './fixed-tables.js';
import { expPrecise, expSeries, ln2Series, lnPrecise, lnSeries } from './precise.js';
import { EXP_VECTORS, LN2_X128_REF, LN_VECTORS } from '../../test/support/market-vectors.js';

const GUARD = 96n; // references run at 64 + 96 = 160 fraction bits
const refExp = (x: bigint): bigint => (expPrecise(x << GUARD, 64n + GUARD) + (1n << (GUARD - 1n))) >> GUARD;
const refLn = (x: bigint): bigint => (lnPrecise(x << GUARD, 64n + GUARD) + (1n << (GUARD - 1n))) >> GUARD;
const abs = (v: bigint): bigint => (v < 0n ? -v : v);
const toFloat = (x: bigint): number => Number(x) / 2 ** 64;
/** A fixed-point number from a seeded integer: `units` / 2^20 with 44 more random low bits. */
const fixedIn = (min: number, max: number) =>
  fc
    .tuple(fc.integer({ min: min * 2 ** 20, max: max * 2 ** 20 }), fc.bigInt({ min: 0n, max: (1n << 44n) - 1n }))
    .map(([hi, lo]) => (BigInt(hi) << 44n) + lo);
const seeded = { seed: 20261125, numRuns: 1000 };

describe('constants and reference', () => {
  it('ln 2 literals match an independent 100-digit decimal value and the series', () => {
    // the series truncates each term, so run it with 32 guard bits
    expect(abs((ln2Series(160n) >> 32n) - LN2_X128_REF)).toBeLessThanOrEqual(1n);
    expect(LN2_FIXED).toBe((LN2_X128_REF + (1n << 63n)) >> 64n);
  });

  it('the 160-bit series reproduce the decimal vectors exactly', () => {
    for (const [x, e] of EXP_VECTORS) expect(abs(refExp(x) - e)).toBeLessThanOrEqual(1n);
    for (const [y, l] of LN_VECTORS) expect(abs(refLn(y) - l)).toBeLessThanOrEqual(1n);
  });
});

describe('lookup tables', () => {
  // Built at load from geometric sequences and running atanh sums; here rebuilt entry by entry
  // with the plain series at 160 bits, an independent route that must give the same rounding.
  const round = (v: bigint, shift: bigint) => (v + (1n << (shift - 1n))) >> shift;
  it('exp tables match exp series entry by entry', () => {
    for (let j = 0; j < 256; j += 5) {
      expect(NEG_EXP_FINE[j]).toBe(round(expSeries(-(BigInt(j) << 144n), 160n), 96n));
      expect(POS_EXP[j]).toBe(round(expSeries(BigInt(j) << 152n, 160n), 96n));
    }
    for (const n of [0, 1, 7, 20, 45]) {
      const block = negExpBlock(n);
      for (const i of [0, 1, 128, 255]) {
        const want = round(expPrecise(-((BigInt(n * 256 + i) << 192n) >> 8n), 192n), 64n);
        expect(abs(block[i]! - want)).toBeLessThanOrEqual(1n);
      }
    }
  });

  it('ln tables match the atanh series entry by entry', () => {
    for (let j = 0; j < 256; j += 3) expect(LN_LOG1[j]).toBe(round(lnSeries((1n << 224n) / LN_INV1[j]!, 160n), 96n));
    for (let j = 0; j < 258; j += 7) expect(LN_LOG2[j]).toBe(round(lnSeries((1n << 224n) / LN_INV2[j]!, 160n), 96n));
  });
});

describe('expFixed', () => {
  it('matches the decimal vectors within the error bound', () => {
    for (const [x, e] of EXP_VECTORS) {
      const bound = EXP_ERR_ULPS * (1n + e / ONE);
      expect(abs(expFixed(x) - e), `exp(${toFloat(x)})`).toBeLessThanOrEqual(bound);
    }
    expect(expFixed(0n)).toBe(ONE);
    expect(expFixed(-50n * ONE)).toBe(0n);
  });

  it('is within EXP_ERR_ULPS of the 160-bit reference on x ≤ 0, and floor/ceil bracket it', () => {
    fc.assert(
      fc.property(fixedIn(-47, 0), (x) => {
        const ref = refExp(x);
        expect(abs(expFixed(x) - ref)).toBeLessThanOrEqual(EXP_ERR_ULPS);
        expect(expFloor(x)).toBeLessThanOrEqual(ref);
        expect(expCeil(x)).toBeGreaterThanOrEqual(ref);
      }),
      seeded,
    );
  });

  it('has relative error ≤ 1e-12 against Math.exp on [-16, 40]', () => {
    fc.assert(
      fc.property(fixedIn(-16, 40), (x) => {
        const want = Math.exp(toFloat(x));
        expect(Math.abs(toFloat(expFixed(x)) / want - 1)).toBeLessThanOrEqual(1e-12);
      }),
      seeded,
    );
  });

  it('has relative error ≤ EXP_ERR_ULPS·2^-64 on x > 0 against the reference', () => {
    fc.assert(
      fc.property(fixedIn(0, 60), (x) => {
        const ref = refExp(x);
        expect(abs(expFixed(x) - ref) * ONE).toBeLessThanOrEqual(EXP_ERR_ULPS * ref + ONE);
      }),
      { ...seeded, numRuns: 500 },
    );
  });
});

describe('lnFixed', () => {
  it('matches the decimal vectors within the error bound', () => {
    for (const [y, l] of LN_VECTORS) expect(abs(lnFixed(y) - l), `ln(${toFloat(y)})`).toBeLessThanOrEqual(LN_ERR_ULPS);
    expect(lnFixed(ONE)).toBe(0n);
    expect(() => lnFixed(0n)).toThrow(ValidationError);
  });

  it('is within LN_ERR_ULPS of the reference over 2^-24 .. 2^164, and floor/ceil bracket it', () => {
    const positive = fc
      .tuple(fc.bigInt({ min: 1n << 40n, max: (1n << 64n) - 1n }), fc.integer({ min: -40, max: 100 }))
      .map(([m, shift]) => (shift >= 0 ? m << BigInt(shift) : m >> BigInt(-shift)));
    fc.assert(
      fc.property(positive, (y) => {
        const ref = refLn(y);
        expect(abs(lnFixed(y) - ref)).toBeLessThanOrEqual(LN_ERR_ULPS);
        expect(lnFloor(y)).toBeLessThanOrEqual(ref);
        expect(lnCeil(y)).toBeGreaterThanOrEqual(ref);
      }),
      seeded,
    );
  });

  it('has relative error ≤ 1e-12 against Math.log where |ln y| ≥ 1e-3', () => {
    fc.assert(
      fc.property(fixedIn(-27, 27), (x) => {
        const y = expFixed(x);
        fc.pre(y > 0n);
        const want = Math.log(toFloat(y));
        fc.pre(Math.abs(want) >= 1e-3);
        expect(Math.abs(toFloat(lnFixed(y)) / want - 1)).toBeLessThanOrEqual(1e-12);
      }),
      seeded,
    );
  });

  it('lnInteger(n) equals lnFixed(n · 2^64) bit for bit', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 1n << 70n }), (n) => {
        expect(lnInteger(n)).toBe(lnFixed(n << 64n));
      }),
      seeded,
    );
    for (const n of [1n, 2n, (1n << 32n) - 1n, 1n << 32n, (1n << 64n) - 1n, 1n << 64n]) expect(lnInteger(n)).toBe(lnFixed(n << 64n));
  });

  it('inverts expFixed', () => {
    fc.assert(
      fc.property(fixedIn(-20, 40), (x) => {
        const y = expFixed(x);
        // exp's absolute error becomes a relative one of ulps/y, which ln turns back into ulps.
        expect(abs(lnFixed(y) - x)).toBeLessThanOrEqual((EXP_ERR_ULPS + 1n) * (ONE / y + 1n) + LN_ERR_ULPS);
      }),
      seeded,
    );
  });
});

describe('logSumExp and softmax', () => {
  const vectorOf = fc.array(fixedIn(-60, 60), { minLength: 1, maxLength: 12 });

  it('bounds contain the reference and the value matches Math within 1e-12 (relative)', () => {
    fc.assert(
      fc.property(vectorOf, (xs) => {
        const lse = logSumExp(xs);
        let max = xs[0]!;
        for (const x of xs) if (x > max) max = x;
        let sum = 0n;
        for (const x of xs) sum += refExp(x - max);
        const ref = max + refLn(sum);
        expect(lse.lo).toBeLessThanOrEqual(ref);
        expect(lse.hi).toBeGreaterThanOrEqual(ref);
        const fmax = toFloat(max);
        const want = fmax + Math.log(xs.reduce((s, x) => s + Math.exp(toFloat(x) - fmax), 0));
        expect(Math.abs(toFloat(lse.value) - want)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(want)));
      }),
      { ...seeded, numRuns: 500 },
    );
  });

  it('softmax entries are floors that sum to ONE minus fewer than K ulps', () => {
    fc.assert(
      fc.property(vectorOf, (xs) => {
        const p = softmaxFixed(xs);
        const sum = p.reduce((s, v) => s + v, 0n);
        expect(sum).toBeLessThanOrEqual(ONE);
        expect(ONE - sum).toBeLessThan(BigInt(xs.length) + 1n);
      }),
      seeded,
    );
  });
});

describe('integer helpers', () => {
  it('apportion sums exactly to the scale and stays within 1 of the exact share', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: 1n << 70n }), { minLength: 1, maxLength: 20 }), fc.bigInt({ min: 1n, max: 10n ** 15n }), (w, scale) => {
        fc.pre(w.some((v) => v > 0n));
        const parts = apportion(w, scale);
        expect(parts.reduce((s, v) => s + v, 0n)).toBe(scale);
        const total = w.reduce((s, v) => s + v, 0n);
        parts.forEach((p, i) => expect(abs(p * total - w[i]! * scale)).toBeLessThan(total));
      }),
      { ...seeded, numRuns: 500 },
    );
  });

  it('floorDiv / ceilDiv / bitLength agree with their definitions', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(1n << 100n), max: 1n << 100n }), fc.bigInt({ min: 1n, max: 1n << 70n }), (a, b) => {
        const f = floorDiv(a, b);
        const c = ceilDiv(a, b);
        expect(f * b <= a && a < (f + 1n) * b).toBe(true);
        expect((c - 1n) * b < a && a <= c * b).toBe(true);
        if (a > 0n) expect(bitLength(a)).toBe(a.toString(2).length);
      }),
      seeded,
    );
  });
});
