import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { accumulate, accumulateMmoStreams } from './ring-add.js';

const bytesOf = (v: Uint32Array) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);

/** The reference: scalar sums mod 2^32. */
function reference(target: Uint32Array, terms: Uint32Array[], signs: (1 | -1)[]): Uint32Array {
  const out = Uint32Array.from(target);
  terms.forEach((t, j) => {
    for (let i = 0; i < out.length; i++) out[i] = (out[i]! + signs[j]! * t[i]!) >>> 0;
  });
  return out;
}

describe('accumulate (WebAssembly SIMD sums in Z_2^32)', () => {
  it('wraps modulo 2^32 both ways', () => {
    const target = Uint32Array.of(0xffffffff, 0, 5, 0x80000000, 1);
    accumulate(target, 1, () => ({ bytes: bytesOf(Uint32Array.of(1, 1, 2, 0x80000000, 0)), sign: 1 }));
    expect([...target]).toEqual([0, 1, 7, 0, 1]);
    accumulate(target, 1, () => ({ bytes: bytesOf(Uint32Array.of(1, 2, 7, 1, 1)), sign: -1 }));
    expect([...target]).toEqual([0xffffffff, 0xffffffff, 0, 0xffffffff, 0]);
  });

  it('equals scalar sums for any length (not only multiples of four lanes), terms and signs (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }).chain((n) =>
          fc.tuple(fc.uint32Array({ minLength: n, maxLength: n }), fc.array(fc.tuple(fc.uint32Array({ minLength: n, maxLength: n }), fc.boolean()), { maxLength: 6 })),
        ),
        ([target, terms]) => {
          const signs = terms.map(([, plus]) => (plus ? 1 : -1) as 1 | -1);
          const expected = reference(target, terms.map(([t]) => t), signs);
          const got = Uint32Array.from(target);
          accumulate(got, terms.length, (j) => ({ bytes: bytesOf(terms[j]![0]), sign: signs[j]! }));
          expect([...got]).toEqual([...expected]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('works on views with an offset and on vectors larger than the initial memory', () => {
    const backing = Uint32Array.from({ length: 11 }, (_, i) => i);
    const view = backing.subarray(3, 10); // byteOffset 12
    accumulate(view, 1, () => ({ bytes: bytesOf(Uint32Array.from({ length: 7 }, () => 100)), sign: 1 }));
    expect([...backing]).toEqual([0, 1, 2, 103, 104, 105, 106, 107, 108, 109, 10]);
    const n = 100_003; // 400 kB: the module's memory has to grow
    const big = Uint32Array.from({ length: n }, (_, i) => i);
    const term = Uint32Array.from({ length: n }, (_, i) => 3 * i + 1);
    accumulate(big, 2, () => ({ bytes: bytesOf(term), sign: 1 }));
    expect(big[0]).toBe(2);
    expect(big[n - 1]).toBe((n - 1 + 2 * (3 * (n - 1) + 1)) >>> 0);
  });

  it('rejects a term of the wrong length and leaves the target as it was', () => {
    const target = Uint32Array.of(1, 2, 3);
    expect(() =>
      accumulate(target, 2, (j) => ({ bytes: j === 0 ? bytesOf(Uint32Array.of(9, 9, 9)) : new Uint8Array(8), sign: 1 })),
    ).toThrow(/expected a term of 12 bytes, got 8/);
    expect([...target]).toEqual([1, 2, 3]);
  });
});

describe('accumulateMmoStreams (counter blocks, a permutation, feed-forward sums)', () => {
  /** A stand-in for π (any blockwise function will do for the sums): each byte times 7 plus its place in the block. */
  const toyPermute = (blocks: Uint8Array) => blocks.map((b, i) => (b * 7 + (i % 16)) & 0xff);

  /** The reference: S(k) built block by block in JS and summed with scalar arithmetic. */
  function stream(key: Uint8Array, n: number): Uint32Array {
    const blocks = new Uint8Array(16 * Math.ceil(n / 4));
    const view = new DataView(blocks.buffer);
    for (let c = 0; 16 * c < blocks.length; c++) {
      blocks.set(key, 16 * c);
      view.setUint32(16 * c, (view.getUint32(16 * c, true) ^ c) >>> 0, true);
    }
    const image = toyPermute(blocks);
    const out = new Uint8Array(blocks.length);
    for (let i = 0; i < out.length; i++) out[i] = image[i]! ^ blocks[i]!;
    return new Uint32Array(out.buffer, 0, n);
  }

  it('equals the JS reference for any length, key count and signs (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }).chain((n) => fc.tuple(fc.uint32Array({ minLength: n, maxLength: n }), fc.array(fc.tuple(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.boolean()), { maxLength: 35 }))),
        ([target, keys]) => {
          const signs = keys.map(([, plus]) => (plus ? 1 : -1) as 1 | -1);
          const expected = reference(target, keys.map(([k]) => stream(k, target.length)), signs);
          const got = Uint32Array.from(target);
          accumulateMmoStreams(got, keys.map(([k]) => k), signs, toyPermute);
          expect([...got]).toEqual([...expected]);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('splits many long streams over several permutation calls (each below 128 KiB) with the same result', () => {
    const n = 10_000; // 40 kB per stream: three per call
    const target = Uint32Array.from({ length: n }, (_, i) => i * 2654435761);
    const keys = Array.from({ length: 7 }, (_, j) => Uint8Array.from({ length: 16 }, (_, i) => i * j + 1));
    const signs = keys.map((_, j) => (j % 3 ? 1 : -1) as 1 | -1);
    const expected = reference(target, keys.map((k) => stream(k, n)), signs);
    const sizes: number[] = [];
    accumulateMmoStreams(target, keys, signs, (blocks) => (sizes.push(blocks.length), toyPermute(blocks)));
    expect(sizes).toEqual([120_000, 120_000, 40_000]);
    expect([...target]).toEqual([...expected]);
  });

  it('rejects bad keys, signs and permutation output, leaving the target as it was', () => {
    const target = Uint32Array.of(1, 2, 3, 4, 5);
    const key = new Uint8Array(16);
    expect(() => accumulateMmoStreams(target, [key, new Uint8Array(15)], [1, 1], toyPermute)).toThrow(/expected 16-byte keys, got 15 bytes/);
    expect(() => accumulateMmoStreams(target, [key], [], toyPermute)).toThrow(/expected one sign per key \(1\), got 0/);
    expect(() => accumulateMmoStreams(target, [key], [1], (b) => b.subarray(1))).toThrow(/expected 32 bytes from the permutation, got 31/);
    expect([...target]).toEqual([1, 2, 3, 4, 5]);
  });
});
