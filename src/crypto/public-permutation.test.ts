import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PublicPermutation } from './public-permutation.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('PublicPermutation (fixed-key AES-128 and H(x) = π(x) ⊕ x)', () => {
  it('π is AES-128: FIPS-197 appendix C.1 vector', () => {
    const key = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
    const pi = new PublicPermutation(key);
    expect(hex(pi.permute(Buffer.from('00112233445566778899aabbccddeeff', 'hex')))).toBe('69c4e0d86a7b0430d8cdb78070b4c55a');
  });

  it('mmo is π(x) ⊕ x block by block, the same on a reused object as on a fresh cipher, aligned or not (property)', () => {
    const key = Uint8Array.from({ length: 16 }, (_, i) => i * 17);
    const pi = new PublicPermutation(key);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 3 }), fc.uint8Array({ minLength: 131, maxLength: 131 }), (blocks, shift, bytes) => {
        const x = bytes.subarray(shift, shift + 16 * blocks);
        const e = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false).update(x);
        const expected = Uint8Array.from(e, (b, i) => b ^ x[i]!);
        const out = pi.mmo(x);
        expect(hex(out)).toBe(hex(expected));
        expect(out.byteOffset % 4).toBe(0);
      }),
    );
  });

  it('rejects a key that is not 16 bytes and input that is not whole blocks', () => {
    expect(() => new PublicPermutation(new Uint8Array(32))).toThrow(/expected a 16-byte AES-128 key, got 32 bytes/);
    const pi = new PublicPermutation(new Uint8Array(16));
    expect(() => pi.mmo(new Uint8Array(20))).toThrow(/expected whole 16-byte blocks, got 20 bytes/);
    expect(pi.mmo(new Uint8Array(0)).length).toBe(0);
  });
});
