import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { toHex } from '../core/encoding.js';
import { Sha256, sha256 } from './sha256.js';

const nodeHash = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return toHex(new Uint8Array(h.digest()));
};
// Lengths around the 55/56/64-byte padding boundaries matter most.
const bytes = fc.uint8Array({ minLength: 0, maxLength: 300 });

describe('SHA-256', () => {
  it('FIPS 180-4 examples', () => {
    const enc = new TextEncoder();
    expect(toHex(sha256(enc.encode('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(toHex(sha256(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(toHex(sha256(enc.encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('matches node:crypto for any split of any message, and clones keep the prefix (property)', () => {
    fc.assert(
      fc.property(bytes, bytes, fc.integer({ min: 0, max: 300 }), (a, b, cut) => {
        const c = Math.min(cut, a.length);
        expect(toHex(sha256(a.subarray(0, c), a.subarray(c), b))).toBe(nodeHash(a, b));
        const prefix = new Sha256().update(a);
        const first = prefix.clone().update(b).digest();
        expect(toHex(prefix.clone().update(b).digest())).toBe(toHex(first));
        expect(toHex(first)).toBe(nodeHash(a, b));
        expect(toHex(prefix.digestWith(b))).toBe(nodeHash(a, b)); // one-block fast path or its fallback
        expect(toHex(prefix.digestWith(b))).toBe(nodeHash(a, b)); // and the prefix is left as it was
      }),
      { numRuns: 300 },
    );
  });
});
