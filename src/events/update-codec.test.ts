import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { seededRandom } from '../../test/support/random.js';
import { addDequantized, decodeUpdate, dequantizeUpdate, encodeUpdate, quantizeUpdate } from './update-codec.js';

/** A seeded uniform source: the codec needs only next(). */
const uniform = (seed: number) => ({ next: seededRandom(seed) });

describe('binary update encoding', () => {
  it('round-trips ring32, int16 and int8 updates (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 1, maxLength: 200 }), fc.integer({ min: 0, max: 1000 }), (values, round) => {
        const rng = uniform(round);
        for (const kind of ['int16', 'int8'] as const) {
          const q = quantizeUpdate(kind, round, values, rng);
          const back = decodeUpdate(encodeUpdate(q), { round, length: values.length });
          expect(back).toEqual(q);
          const tol = (Math.max(...values.map(Math.abs)) / (kind === 'int16' ? 32767 : 127)) * 1.0001 + 1e-12;
          dequantizeUpdate(back).forEach((v, i) => expect(Math.abs(v - values[i]!)).toBeLessThanOrEqual(tol));
        }
        const ring = { kind: 'ring32' as const, round, scaleBits: 20, values: Uint32Array.from(values, (v) => Math.round(v * 2 ** 20)) };
        expect(decodeUpdate(encodeUpdate(ring), { round, length: values.length })).toEqual(ring);
      }),
      { numRuns: 50 },
    );
  });

  it('adds updates into a running sum exactly as dequantizing each and adding (ring32 as signed)', () => {
    const rng = uniform(7);
    const updates = [quantizeUpdate('int16', 1, [0.5, -0.25, 1e-3], rng), quantizeUpdate('int8', 1, [-1, 2, 0], rng), { kind: 'ring32' as const, round: 1, scaleBits: 4, values: Uint32Array.of(16, 0xfffffff0, 8) }];
    const sum = new Float64Array(3);
    for (const u of updates) addDequantized(sum, u);
    const expected = updates.map(dequantizeUpdate).reduce((acc, v) => acc.map((x, i) => x + v[i]!), new Float64Array(3));
    expect([...sum]).toEqual([...expected]);
    expect([...dequantizeUpdate(updates[2]!)]).toEqual([1, -1, 0.5]);
    expect(() => addDequantized(new Float64Array(2), updates[0]!)).toThrow(/sum length: expected 3 coordinates, got 2/);
  });

  it('is compact: 2 bytes per coordinate for int16 plus a 17-byte header', () => {
    expect(encodeUpdate(quantizeUpdate('int16', 1, new Float64Array(4097), uniform(1))).length).toBe(17 + 2 * 4097);
  });

  it('rejects stale rounds, wrong shapes, truncation and garbage with precise errors', () => {
    const bytes = encodeUpdate(quantizeUpdate('int8', 5, [0.1, -0.2, 0.3], uniform(1)));
    expect(() => decodeUpdate(bytes, { round: 6, length: 3 })).toThrow(/update round: expected 6, got 5 \(stale\)/);
    expect(() => decodeUpdate(bytes, { round: 5, length: 4 })).toThrow(/update length: expected 4 coordinates, got 3/);
    expect(() => decodeUpdate(bytes.slice(0, -1), { round: 5, length: 3 })).toThrow(/update size: expected 20 bytes, got 19/);
    expect(() => decodeUpdate(new TextEncoder().encode('[0.1,0.2,0.3]'), { round: 5, length: 3 })).toThrow(/expected bytes starting with "HFU1"/);
    const bad = bytes.slice();
    bad[4] = 9;
    expect(() => decodeUpdate(bad, { round: 5, length: 3 })).toThrow(/update kind: expected ring32 \(1\), int16 \(2\) or int8 \(3\), got 9/);
  });
});
