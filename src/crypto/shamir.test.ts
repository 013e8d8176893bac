import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { seededRandomBytes } from './random-bytes.js';
import { LIMBS, LIMB_BITS, P, SHARE_BLOCK_BYTES, ShareMismatch, fieldInv, fieldMul, lagrangeAt, reconstruct, split } from './shamir.js';

const random = seededRandomBytes('shamir-test');
const p = BigInt(P);

/** A reference implementation in BigInt, independent of the double arithmetic under test. */
const ref = {
  mod: (a: bigint) => ((a % p) + p) % p,
  pow(a: bigint, e: bigint): bigint {
    let r = 1n;
    for (let b = ref.mod(a); e > 0n; e >>= 1n, b = (b * b) % p) if (e & 1n) r = (r * b) % p;
    return r;
  },
  inv: (a: bigint) => ref.pow(a, p - 2n),
  eval: (coefficients: bigint[], x: bigint) => coefficients.reduceRight((acc, c) => (acc * x + c) % p, 0n),
  /** The 26-bit limbs of a 16-byte little-endian block. */
  limbs(block: Uint8Array): bigint[] {
    let v = 0n;
    for (let i = block.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(block[i]!);
    return Array.from({ length: LIMBS }, (_, l) => (v >> BigInt(LIMB_BITS * l)) & ((1n << BigInt(LIMB_BITS)) - 1n));
  },
  /** Coefficients (constant first) of the polynomial of degree < xs.length through (xs, ys). */
  coefficients(xs: bigint[], ys: bigint[]): bigint[] {
    const out: bigint[] = xs.map(() => 0n);
    xs.forEach((xj, j) => {
      let basis = [1n]; // Π_{m≠j} (x − x_m) / (x_j − x_m), as coefficients
      xs.forEach((xm, m) => {
        if (m === j) return;
        const scale = ref.inv(ref.mod(xj - xm));
        basis = [...basis, 0n].map((_, k) => ref.mod(((k > 0 ? basis[k - 1]! : 0n) - xm * (basis[k] ?? 0n)) * scale));
      });
      basis.forEach((c, k) => (out[k] = ref.mod(out[k]! + ys[j]! * c)));
    });
    return out;
  },
  /** Lagrange interpolation at `at` through (xs, ys). */
  interpolate(xs: bigint[], ys: bigint[], at: bigint): bigint {
    let acc = 0n;
    xs.forEach((xj, j) => {
      let num = 1n;
      let den = 1n;
      xs.forEach((xm, m) => {
        if (m === j) return;
        num = ref.mod(num * (at - xm));
        den = ref.mod(den * (xj - xm));
      });
      acc = ref.mod(acc + ys[j]! * num * ref.inv(den));
    });
    return acc;
  },
};

/** Share bytes → field elements (u32 little-endian). */
const elements = (y: Uint8Array) => Array.from({ length: y.length / 4 }, (_, i) => BigInt(new DataView(y.buffer, y.byteOffset).getUint32(4 * i, true)));
const u32le = (values: number[]) => {
  const out = new Uint8Array(4 * values.length);
  values.forEach((v, i) => new DataView(out.buffer).setUint32(4 * i, v, true));
  return out;
};

describe('Shamir sharing over F_p, p = 2^26 + 15', () => {
  it('p is prime, lies in (2^26, 2^26.5) so limbs fit and p² < 2^53', () => {
    for (let d = 2; d * d <= P; d++) expect(P % d, `divisor ${d}`).not.toBe(0);
    expect(P).toBe(2 ** 26 + 15);
    expect(P > 2 ** LIMB_BITS).toBe(true);
    expect(p * p < 2n ** 53n).toBe(true);
  });

  it('field multiplication and inverses agree with BigInt (property, including the extremes)', () => {
    const el = fc.oneof(fc.integer({ min: 0, max: P - 1 }), fc.constantFrom(0, 1, 2, P - 2, P - 1, 2 ** 26, 2 ** 26 - 1));
    fc.assert(
      fc.property(el, el, (a, b) => {
        expect(BigInt(fieldMul(a, b))).toBe((BigInt(a) * BigInt(b)) % p);
        if (a !== 0) {
          expect(BigInt(fieldInv(a))).toBe(ref.inv(BigInt(a)));
          expect(fieldMul(a, fieldInv(a))).toBe(1);
        }
      }),
      { numRuns: 3000 },
    );
    expect(() => fieldInv(0)).toThrow(/expected a non-zero element, got 0/);
  });

  it('known answer: limbs are 26-bit slices of the block; shares are f_l(x) as u32 LE; coefficients by rejection from u32', () => {
    const secret = Uint8Array.from({ length: 16 }, (_, i) => (0xf1 * (i + 3)) & 0xff);
    const xs = [1, 2, 0x8000, 65535];
    // Coefficient draws: 5 limbs × 2 (threshold 3). The third draw (0xffffffff) is above 63·p and is
    // rejected; the rest are reduced mod p. The stream has spare words, as split over-draws.
    const draws = [7, P - 1, 0xffffffff, P, 3 * P + 5, 2 ** 31, 12345, 0, 63 * P - 1, 2 ** 26, 99, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    const accepted = draws.filter((v) => v < 63 * P).map((v) => BigInt(v) % p);
    const shares = split(secret, xs, 3, (n) => u32le(draws).subarray(0, n));
    const limbs = ref.limbs(secret);
    xs.forEach((x, h) => {
      expect(shares[h]).toHaveLength(SHARE_BLOCK_BYTES);
      const expected = limbs.map((c0, l) => ref.eval([c0, accepted[l]!, accepted[LIMBS + l]!], BigInt(x)));
      expect(elements(shares[h]!)).toEqual(expected);
    });
    // A fixed vector (computed with BigInt outside this suite), so a layout change cannot hide behind a matching change to the reference.
    expect(Buffer.from(shares[0]!).toString('hex')).toBe('13f5b502e8256202a6b6c500ebb87c0093fff100');
    expect([...reconstruct(xs.map((x, h) => ({ x, y: shares[h]! })).slice(1), 3)]).toEqual([...secret]);
  });

  it('any threshold-subset reconstructs; block-aligned sub-ranges of shares are shares of sub-ranges (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 6 }), (t, extra, pick, blocks) => {
        const secret = random(16 * blocks);
        const xs = Array.from({ length: t + extra }, (_, k) => 1 + ((k * 7919 + pick) % 65535));
        fc.pre(new Set(xs).size === xs.length);
        const shares = split(secret, xs, t, random).map((y, k) => ({ x: xs[k]!, y }));
        expect(shares.every((s) => s.y.length === SHARE_BLOCK_BYTES * blocks)).toBe(true);
        const subset = [...shares].sort((a, b) => ((a.x * 31 + pick) % 101) - ((b.x * 31 + pick) % 101)).slice(0, t);
        expect([...reconstruct(subset, t)]).toEqual([...secret]);
        expect([...reconstruct(shares, t, extra)]).toEqual([...secret]); // all extras are consistent
        const cut = Math.floor(blocks / 2);
        expect([...reconstruct(subset.map((s) => ({ x: s.x, y: s.y.subarray(SHARE_BLOCK_BYTES * cut) })), t)]).toEqual([...secret.subarray(16 * cut)]);
      }),
      { numRuns: 80 },
    );
  });

  it('any t − 1 shares are consistent with every candidate secret (property)', () => {
    // For t − 1 observed shares and any candidate secret s', there is exactly one choice of the
    // dealer's random coefficients that yields those shares with f(0) = s' (the polynomial through
    // (0, s') and the t − 1 points). Uniform coefficients therefore make every secret equally
    // likely given the shares. Checked by solving for those coefficients (BigInt) and replaying
    // split with them as its random draws for the candidate secret.
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 8 }), fc.integer({ min: 0, max: 1000 }), (t, pick) => {
        const xs = Array.from({ length: t }, (_, k) => 1 + ((k * 4099 + pick) % 65535));
        fc.pre(new Set(xs).size === xs.length);
        const seen = split(random(16), xs, t, random).slice(0, t - 1); // the adversary's t − 1 shares
        const candidate = random(16);
        const nodes = [0n, ...xs.slice(0, t - 1).map(BigInt)];
        const coefficients = ref.limbs(candidate).map((s0, l) => ref.coefficients(nodes, [s0, ...seen.map((y) => elements(y)[l]!)]));
        // split draws coefficient k of limb l as draw (k − 1)·LIMBS + l; all are < p, so none is rejected.
        const draws = Array.from({ length: (t - 1) * LIMBS }, (_, i) => Number(coefficients[i % LIMBS]![1 + Math.floor(i / LIMBS)]!));
        const replay = split(candidate, xs, t, (n) => u32le(draws.concat(Array(n).fill(0))).subarray(0, n));
        seen.forEach((y, k) => expect([...replay[k]!]).toEqual([...y]));
      }),
      { numRuns: 60 },
    );
  });

  it('Lagrange basis at 0 sums to 1 (constant polynomial) and interpolates f(x) = x', () => {
    const xs = [3, 17, 400, 65535];
    const basis = lagrangeAt(xs, 0);
    expect(basis.reduce((a, b) => (a + b) % P, 0)).toBe(1);
    expect(basis.reduce((acc, l, j) => (acc + fieldMul(l, xs[j]!)) % P, 0)).toBe(0); // f(x) = x has f(0) = 0
    expect(lagrangeAt(xs, 5).reduce((acc, l, j) => (acc + fieldMul(l, xs[j]!)) % P, 0)).toBe(5);
    expect(basis.map(BigInt)).toEqual(xs.map((_, j) => ref.interpolate(xs.map(BigInt), xs.map((__, m) => (m === j ? 1n : 0n)), 0n)));
    expect(() => lagrangeAt(xs, 17)).toThrow(/other than the nodes/);
  });

  it('a lying share is detected when there are more shares than the threshold', () => {
    const secret = random(32);
    const xs = [1, 2, 3, 4, 5];
    const shares = split(secret, xs, 3, random).map((y, k) => ({ x: xs[k]!, y }));
    for (const at of [0, 5, 23, 39]) {
      const lied = shares.map((s) => (s.x === 4 ? { x: 4, y: s.y.map((b, i) => (i === at ? b ^ 1 : b)) } : s));
      expect(() => reconstruct(lied, 3)).toThrow(ShareMismatch);
      expect(() => reconstruct(lied, 3)).toThrow(/x=4/);
      // With the liar among the first `threshold`, the extra honest share exposes the inconsistency.
      expect(() => reconstruct([lied[3]!, lied[0]!, lied[1]!, lied[2]!], 3)).toThrow(ShareMismatch);
    }
    // Without an extra share a lie goes unnoticed by Shamir alone (SecAgg's commitments catch it),
    // unless the rebuilt limb falls outside its 26 bits.
    expect(reconstruct(shares.slice(1, 4), 3)).toHaveLength(32);
  });

  it('validates coordinates, lengths, elements and thresholds', () => {
    expect(() => split(new Uint8Array(16), [1, 1], 2, random)).toThrow(/distinct/);
    expect(() => split(new Uint8Array(16), [1], 2, random)).toThrow(/at least threshold = 2 holders, got 1/);
    expect(() => split(new Uint8Array(16), [0, 1], 2, random)).toThrow(/\[1, 65535\]/);
    expect(() => split(new Uint8Array(8), [1, 2], 2, random)).toThrow(/secret: expected a multiple of 16 bytes, got 8/);
    expect(() => reconstruct([{ x: 1, y: new Uint8Array(20) }, { x: 2, y: new Uint8Array(40) }], 2)).toThrow(/expected 20 bytes/);
    expect(() => reconstruct([{ x: 1, y: new Uint8Array(16) }, { x: 2, y: new Uint8Array(16) }], 2)).toThrow(/a multiple of 20 bytes, got 16/);
    expect(() => reconstruct([{ x: 1, y: u32le([P, 0, 0, 0, 0]) }, { x: 2, y: new Uint8Array(20) }], 2)).toThrow(new RegExp(`expected a field element < ${P}, got ${P}`));
    // Two shares of a constant polynomial whose value is not a 26-bit limb.
    expect(() => reconstruct([{ x: 1, y: u32le([P - 1, 0, 0, 0, 0]) }, { x: 2, y: u32le([P - 1, 0, 0, 0, 0]) }], 2)).toThrow(/limb 0 of block 0: expected < 67108864, got 67108878/);
  });
});
