import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { seededRandomBytes } from './random-bytes.js';
import { ShareMismatch, gfInv, gfMul, lagrangeAt, reconstruct, split } from './shamir.js';

const random = seededRandomBytes('shamir-test');

/** Schoolbook carry-less product reduced by x^16 + x^12 + x^3 + x + 1: an implementation independent of the tables. */
function slowMul(a: number, b: number): number {
  let p = 0;
  for (let i = 0; i < 16; i++) if ((b >> i) & 1) p ^= a << i;
  for (let bit = 30; bit >= 16; bit--) if ((p >> bit) & 1) p ^= 0x1100b << (bit - 16);
  return p;
}

/** Horner evaluation with slowMul, for known-answer checks of split. */
function slowEval(coefficients: number[], x: number): number {
  return coefficients.reduceRight((acc, c) => slowMul(acc, x) ^ c, 0);
}

describe('Shamir sharing over GF(2^16)', () => {
  it('table multiplication equals carry-less multiplication mod the field polynomial; inverses (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 }), (a, b) => {
        expect(gfMul(a, b)).toBe(slowMul(a, b));
        if (a !== 0) expect(gfMul(a, gfInv(a))).toBe(1);
      }),
      { numRuns: 2000 },
    );
    expect(() => gfInv(0)).toThrow(RangeError);
  });

  it('known answer: shares are f(x) = secret + c1·x + c2·x² symbol by symbol (little-endian symbols)', () => {
    const coefficientBytes = Uint8Array.of(0x34, 0x12, 0xcd, 0xab, 0x01, 0x80, 0xff, 0x7f); // c1 = [0x1234, 0xabcd], c2 = [0x8001, 0x7fff]
    const fixed = () => Uint8Array.from(coefficientBytes);
    const secret = Uint8Array.of(0xef, 0xbe, 0x0d, 0xf0); // [0xbeef, 0xf00d]
    const shares = split(secret, [1, 2, 0x8000], 3, fixed);
    [1, 2, 0x8000].forEach((x, k) => {
      const y0 = slowEval([0xbeef, 0x1234, 0x8001], x);
      const y1 = slowEval([0xf00d, 0xabcd, 0x7fff], x);
      expect([...shares[k]!]).toEqual([y0 & 0xff, y0 >> 8, y1 & 0xff, y1 >> 8]);
    });
    expect([...reconstruct(shares.map((y, k) => ({ x: [1, 2, 0x8000][k]!, y })), 3)]).toEqual([...secret]);
  });

  it('any threshold-subset reconstructs the secret; sub-ranges of shares are shares of sub-ranges (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 40 }), (t, extra, pick, halfLen) => {
        const secret = random(2 * halfLen);
        const xs = Array.from({ length: t + extra }, (_, k) => 1 + ((k * 7919 + pick) % 65535));
        fc.pre(new Set(xs).size === xs.length);
        const shares = split(secret, xs, t, random).map((y, k) => ({ x: xs[k]!, y }));
        const subset = [...shares].sort((a, b) => ((a.x * 31 + pick) % 101) - ((b.x * 31 + pick) % 101)).slice(0, t);
        expect([...reconstruct(subset, t)]).toEqual([...secret]);
        expect([...reconstruct(shares, t, extra)]).toEqual([...secret]); // all extras are consistent
        const cut = 2 * Math.floor(halfLen / 2);
        expect([...reconstruct(subset.map((s) => ({ x: s.x, y: s.y.subarray(cut) })), t)]).toEqual([...secret.subarray(cut)]);
      }),
      { numRuns: 60 },
    );
  });

  it('Lagrange basis at 0 sums to 1 (constant polynomial) and interpolates f(x) = x', () => {
    const xs = [3, 17, 400, 65535];
    const basis = lagrangeAt(xs, 0);
    expect(basis.reduce((a, b) => a ^ b, 0)).toBe(1);
    expect(basis.reduce((acc, l, j) => acc ^ gfMul(l, xs[j]!), 0)).toBe(0); // f(x) = x has f(0) = 0
    expect(lagrangeAt(xs, 5).reduce((acc, l, j) => acc ^ gfMul(l, xs[j]!), 0)).toBe(5);
    expect(() => lagrangeAt(xs, 17)).toThrow(/other than the nodes/);
  });

  it('a lying share is detected when there are more shares than the threshold', () => {
    const secret = random(16);
    const xs = [1, 2, 3, 4, 5];
    const shares = split(secret, xs, 3, random).map((y, k) => ({ x: xs[k]!, y }));
    const lied = shares.map((s) => (s.x === 4 ? { x: 4, y: s.y.map((b, i) => (i === 5 ? b ^ 1 : b)) } : s));
    expect(() => reconstruct(lied, 3)).toThrow(ShareMismatch);
    expect(() => reconstruct(lied, 3)).toThrow(/x=4/);
  });

  it('validates coordinates, lengths and thresholds', () => {
    expect(() => split(new Uint8Array(4), [1, 1], 2, random)).toThrow(/distinct/);
    expect(() => split(new Uint8Array(4), [1], 2, random)).toThrow(/at least threshold = 2 holders, got 1/);
    expect(() => split(new Uint8Array(4), [0, 1], 2, random)).toThrow(/\[1, 65535\]/);
    expect(() => split(new Uint8Array(3), [1, 2], 2, random)).toThrow(/even number of bytes/);
    expect(() => reconstruct([{ x: 1, y: new Uint8Array(2) }, { x: 2, y: new Uint8Array(4) }], 2)).toThrow(/expected 2 bytes/);
  });
});
