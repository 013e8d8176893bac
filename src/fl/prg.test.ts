import { createCipheriv, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { toHex } from '../core/encoding.js';
import { SessionHash, addExpandedMasks, addVectors, expandMask } from './prg.js';

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
    expect(() => new SessionHash(session.subarray(1), 'x')).toThrow(RangeError);
  });

  it('expandMask is the AES-CTR keystream (zero IV) as little-endian uint32, AES-128 or AES-256 by key length', () => {
    // 4,097 elements: a partial last block and counters past one byte (prg.ts computes CTR as ECB over counters).
    for (const len of [16, 32]) {
      for (const n of [10, 4097, 3]) {
        const key = Uint8Array.from({ length: len }, (_, i) => i * 3 + n);
        const stream = createCipheriv(`aes-${len * 8}-ctr`, key, Buffer.alloc(16)).update(Buffer.alloc(4 * n));
        const mask = expandMask(key, n);
        expect(mask.length).toBe(n);
        expect(Buffer.from(mask.buffer, mask.byteOffset, mask.byteLength).equals(stream)).toBe(true);
      }
    }
    expect(() => expandMask(new Uint8Array(24), 4)).toThrow(/16 or 32 bytes/);
  });

  it('expandMask is deterministic per key, differs across keys; masks cancel; the fused add equals add of the expansion (property)', () => {
    const k1 = new Uint8Array(16).fill(1);
    const a = expandMask(k1, 1000);
    expect([...expandMask(k1, 10)]).toEqual([...a.slice(0, 10)]); // a prefix of the same stream
    expect([...expandMask(new Uint8Array(16).fill(2), 10)]).not.toEqual([...a.slice(0, 10)]);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint32Array({ minLength: 1, maxLength: 300 }), fc.boolean(), (key, x, plus) => {
        const sign = plus ? 1 : -1;
        const fused = Uint32Array.from(x);
        addExpandedMasks(fused, [key], [sign]);
        const plain = Uint32Array.from(x);
        addVectors(plain, [expandMask(key, x.length)], [sign]);
        expect([...fused]).toEqual([...plain]);
        addVectors(plain, [expandMask(key, x.length)], [plus ? -1 : 1]);
        expect([...plain]).toEqual([...x]);
      }),
      { numRuns: 100 },
    );
  });

  it('adding many masks in one call equals adding them one by one, for any count and signs (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.boolean()), { maxLength: 7 }), fc.uint32Array({ minLength: 1, maxLength: 200 }), (masks, x) => {
        const keys = masks.map(([k]) => k);
        const signs = masks.map(([, plus]) => (plus ? 1 : -1) as 1 | -1);
        const together = Uint32Array.from(x);
        addExpandedMasks(together, keys, signs);
        const single = Uint32Array.from(x);
        keys.forEach((k, j) => addExpandedMasks(single, [k], [signs[j]!]));
        expect([...together]).toEqual([...single]);
      }),
      { numRuns: 100 },
    );
  });
});
