import { createCipheriv, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { toHex } from '../core/encoding.js';
import { ValidationError } from '../core/errors.js';
import { SessionHash, addExpandedMasks, addVectors, expandMask } from './prg.js';
import { PublicPermutation } from './public-permutation.js';

describe('mask PRG and session hashing', () => {
  it('SessionHash is SHA-256 of (label padded to 32 bytes ‖ session ‖ message) and separates labels and sessions', () => {
    const session = new Uint8Array(32).fill(7);
    const msg = new Uint8Array(40).fill(9);
    const block = new Uint8Array(64);
    block.set(new TextEncoder().encode('hindsight/secagg/pair-seed'));
    block.set(session, 32);
    const expected = toHex(new Uint8Array(createHash('sha256').update(block).update(msg).digest()));
    const h = new SessionHash(session, 'pair-seed');
    expect(toHex(h.digest(msg))).toBe(expected);
    expect(toHex(h.digest(msg))).toBe(expected); // the prefix state is reused, not consumed
    expect(toHex(h.digest(msg.subarray(0, 20)))).toBe(toHex(new Uint8Array(createHash('sha256').update(block).update(msg.subarray(0, 20)).digest())));
    expect(toHex(new SessionHash(session, 'share-enc').digest(msg))).not.toBe(expected);
    expect(toHex(new SessionHash(new Uint8Array(32).fill(8), 'pair-seed').digest(msg))).not.toBe(expected);
    expect(() => new SessionHash(session.subarray(1), 'x')).toThrow(ValidationError);
  });

  it('expandMask is H(seed ⊕ ⟨c⟩) block after block, H(x) = AES_K(x) ⊕ x, as little-endian uint32 (independent check)', () => {
    const key = Uint8Array.from({ length: 16 }, (_, i) => 255 - i);
    const pi = new PublicPermutation(key);
    // 4,097 elements: a partial last block and counters past one byte.
    for (const n of [10, 4097, 3]) {
      const seed = Uint8Array.from({ length: 16 }, (_, i) => i * 3 + n);
      const expected = Buffer.alloc(16 * Math.ceil(n / 4));
      for (let c = 0; 16 * c < expected.length; c++) {
        const x = Buffer.from(seed);
        x.writeUInt32LE((x.readUInt32LE(0) ^ c) >>> 0, 0);
        const e = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false).update(x);
        for (let i = 0; i < 16; i++) expected[16 * c + i] = e[i]! ^ x[i]!;
      }
      const mask = expandMask(pi, seed, n);
      expect(mask.length).toBe(n);
      expect(Buffer.from(mask.buffer, mask.byteOffset, mask.byteLength).equals(expected.subarray(0, 4 * n))).toBe(true);
    }
    expect(() => expandMask(pi, new Uint8Array(32), 4)).toThrow(/mask seed: expected 16 bytes, got 32/);
    expect(() => addExpandedMasks(new Uint32Array(4), pi, [new Uint8Array(16)], [])).toThrow(/expected one sign per seed \(1\), got 0/);
  });

  it('expandMask is deterministic per seed, differs across seeds and permutations; masks cancel; the fused add equals add of the expansion (property)', () => {
    const pi = new PublicPermutation(new Uint8Array(16).fill(9));
    const k1 = new Uint8Array(16).fill(1);
    const a = expandMask(pi, k1, 1000);
    expect([...expandMask(pi, k1, 10)]).toEqual([...a.slice(0, 10)]); // a prefix of the same stream
    expect([...expandMask(pi, new Uint8Array(16).fill(2), 10)]).not.toEqual([...a.slice(0, 10)]);
    expect([...expandMask(new PublicPermutation(new Uint8Array(16).fill(8)), k1, 10)]).not.toEqual([...a.slice(0, 10)]);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint32Array({ minLength: 1, maxLength: 300 }), fc.boolean(), (key, x, plus) => {
        const sign = plus ? 1 : -1;
        const fused = Uint32Array.from(x);
        addExpandedMasks(fused, pi, [key], [sign]);
        const plain = Uint32Array.from(x);
        addVectors(plain, [expandMask(pi, key, x.length)], [sign]);
        expect([...fused]).toEqual([...plain]);
        addVectors(plain, [expandMask(pi, key, x.length)], [plus ? -1 : 1]);
        expect([...plain]).toEqual([...x]);
      }),
      { numRuns: 100 },
    );
  });

  it('adding many masks in one call equals adding them one by one, for any count (past one 16-key chunk) and signs (property)', () => {
    const pi = new PublicPermutation(new Uint8Array(16).fill(3));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.boolean()), { maxLength: 40 }), fc.uint32Array({ minLength: 1, maxLength: 200 }), (masks, x) => {
        const keys = masks.map(([k]) => k);
        const signs = masks.map(([, plus]) => (plus ? 1 : -1) as 1 | -1);
        const together = Uint32Array.from(x);
        addExpandedMasks(together, pi, keys, signs);
        const single = Uint32Array.from(x);
        keys.forEach((k, j) => addExpandedMasks(single, pi, [k], [signs[j]!]));
        expect([...together]).toEqual([...single]);
      }),
      { numRuns: 100 },
    );
  });
});
