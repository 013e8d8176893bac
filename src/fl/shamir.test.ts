import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { seededRandomBytes } from './random-bytes.js';
import { FIELD_P, ShareMismatch, fieldFromBytes, fieldToBytes, inverse, mod, randomFieldElement, reconstruct, split } from './shamir.js';

const random = seededRandomBytes('shamir-test');

describe('Shamir sharing over F_(2^255-19)', () => {
  it('any threshold-subset reconstructs the secret (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 1000 }), (t, extra, pick) => {
        const secret = randomFieldElement(random);
        const xs = Array.from({ length: t + extra }, (_, k) => 3 * k + 1);
        const shares = split(secret, xs, t, random);
        const subset = [...shares].sort((a, b) => ((a.x * 7919 + pick) % 101) - ((b.x * 7919 + pick) % 101)).slice(0, t);
        expect(reconstruct(subset, t)).toBe(secret);
        expect(reconstruct(shares, t)).toBe(secret); // all shares: extras are consistent
      }),
      { numRuns: 40 },
    );
  });

  it('a lying share is detected when there are more shares than the threshold', () => {
    const secret = randomFieldElement(random);
    const shares = split(secret, [1, 2, 3, 4, 5], 3, random);
    const lied = shares.map((s) => (s.x === 4 ? { x: 4, y: mod(s.y + 5n) } : s));
    expect(() => reconstruct(lied, 3)).toThrow(ShareMismatch);
    expect(() => reconstruct(lied, 3)).toThrow(/x=4/);
  });

  it('field helpers: byte round trip, inverse, range checks', () => {
    const v = randomFieldElement(random);
    expect(fieldFromBytes(fieldToBytes(v))).toBe(v);
    expect(mod(v * inverse(v))).toBe(1n);
    expect(() => fieldFromBytes(fieldToBytes(FIELD_P))).toThrow(/expected a value < 2\^255 − 19/);
    expect(() => split(1n, [1, 1], 2, random)).toThrow(/distinct/);
    expect(() => split(1n, [1], 2, random)).toThrow(/at least threshold = 2 holders, got 1/);
  });
});
