import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packSegment, segmentLayout, unpackSegment, WORD_BITS } from './packing.js';

describe('packing', () => {
  it('round-trips any in-range values and every word stays below 2^248 (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.boolean(), fc.integer({ min: 1, max: 70 }), fc.integer(), (bits, signed, count, seed) => {
        const layout = segmentLayout({ name: 'v', count, bits, signed });
        const lo = signed ? -(2n ** BigInt(bits - 1)) : 0n;
        const span = 2n ** BigInt(bits);
        const values = Array.from({ length: count }, (_, i) => lo + ((BigInt(seed) * 2654435761n + BigInt(i) * 40503n) % span + span) % span);
        const words = packSegment(layout, values);
        expect(words.length).toBe(Math.ceil(count / Math.floor(WORD_BITS / bits)));
        words.forEach((w) => expect(w < 2n ** BigInt(WORD_BITS)).toBe(true));
        expect(unpackSegment(layout, words)).toEqual(values);
      }),
    );
  });

  it('rejects out-of-range and non-integer values with "expected …, got …"', () => {
    const layout = segmentLayout({ name: 'W', count: 2, bits: 8, signed: true });
    expect(() => packSegment(layout, [127, -129])).toThrow(/W\[1\]: expected an integer in \[-128, 127\]/);
    expect(() => packSegment(layout, [1.5, 0])).toThrow(/expected an integer/);
    expect(() => packSegment(layout, [1])).toThrow(/expected 2, got 1/);
  });
});
