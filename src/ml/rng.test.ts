import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { deriveSeed, makeRng, permutation } from './rng.js';

describe('rng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = makeRng(42), b = makeRng(42), c = makeRng(43);
    const sa = Array.from({ length: 20 }, () => a.next());
    const sb = Array.from({ length: 20 }, () => b.next());
    const sc = Array.from({ length: 20 }, () => c.next());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
    expect(sa.every((v) => v >= 0 && v < 1)).toBe(true);
  });

  it('permutation is a permutation of 0..n-1', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer(), (n, seed) => {
        const p = Array.from(permutation(n, seed)).sort((x, y) => x - y);
        expect(p).toEqual(Array.from({ length: n }, (_, i) => i));
      }),
    );
  });

  it('int stays in range and normal has roughly unit variance', () => {
    const r = makeRng(7);
    let sum = 0, sq = 0, outOfRange = 0;
    for (let i = 0; i < 20000; i++) {
      const k = r.int(5);
      if (!(k >= 0 && k < 5 && Number.isInteger(k))) outOfRange++;
      const z = r.normal();
      sum += z;
      sq += z * z;
    }
    expect(outOfRange).toBe(0);
    expect(Math.abs(sum / 20000)).toBeLessThan(0.05);
    expect(Math.abs(sq / 20000 - 1)).toBeLessThan(0.05);
  });

  it('derived seeds separate streams', () => {
    expect(deriveSeed(1, 'a')).not.toBe(deriveSeed(1, 'b'));
    expect(deriveSeed(1, 'a')).toBe(deriveSeed(1, 'a'));
  });
});
