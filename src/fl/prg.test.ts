import { describe, expect, it } from 'vitest';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { fromHex, toHex } from '../core/encoding.js';
import { addMask, deriveKey, expandMask } from './prg.js';

describe('mask PRG', () => {
  it('deriveKey is HKDF-SHA256 (matches @noble/hashes) and separates labels and sessions', () => {
    const secret = fromHex('0b'.repeat(22));
    const session = fromHex('000102030405060708090a0b0c');
    const expected = hkdf(sha256, secret, session, new TextEncoder().encode('hindsight/secagg/pair-mask'), 32);
    expect(toHex(deriveKey(secret, session, 'pair-mask'))).toBe(toHex(expected));
    expect(toHex(deriveKey(secret, session, 'self-mask'))).not.toBe(toHex(expected));
    expect(toHex(deriveKey(secret, session.slice(1), 'pair-mask'))).not.toBe(toHex(expected));
  });

  it('expandMask is deterministic per key, differs across keys, and masks cancel', () => {
    const k1 = new Uint8Array(32).fill(1);
    const k2 = new Uint8Array(32).fill(2);
    const a = expandMask(k1, 1000);
    expect([...expandMask(k1, 1000)]).toEqual([...a]);
    expect([...expandMask(k1, 10)]).toEqual([...a.slice(0, 10)]); // a prefix of the same stream
    expect([...expandMask(k2, 10)]).not.toEqual([...a.slice(0, 10)]);
    const x = Uint32Array.from({ length: 1000 }, (_, i) => i * 7919);
    const y = Uint32Array.from(x);
    addMask(y, a, 1);
    addMask(y, a, -1);
    expect([...y]).toEqual([...x]);
  });
});
