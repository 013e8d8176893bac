import { describe, expect, it } from 'vitest';
import { sha256Bytes, toHex } from '../../core/encoding.js';
import { PairKeys } from './pair-keys.js';
import { SessionCrypto } from './common.js';
import { generateKeyPair, sharedSecret } from '../../crypto/x25519.js';

const session = (label: string) => sha256Bytes(new TextEncoder().encode(label));

describe('PairKeys', () => {
  it('agrees the X25519 secret once per peer and returns it on later calls', () => {
    const bobPair = generateKeyPair();
    const alice = new PairKeys();
    const bob = new PairKeys(bobPair);
    const carol = new PairKeys();
    const ab = alice.agree(bob.publicKey);
    expect(toHex(ab)).toBe(toHex(bob.agree(alice.publicKey)));
    expect(toHex(ab)).toBe(toHex(sharedSecret(bobPair, alice.publicKey))); // plain X25519, no extra derivation
    expect(alice.agree(bob.publicKey)).toBe(ab); // the kept secret, not a new agreement
    expect(alice.agree(Uint8Array.from(bob.publicKey))).toBe(ab); // keyed by the bytes, not the array
    expect(toHex(alice.agree(carol.publicKey))).not.toBe(toHex(ab));
    expect(alice.peers).toBe(2);
  });

  it('refuses a session it has already served, and keeps serving new ones', () => {
    const keys = new PairKeys();
    keys.claim(session('task/1'));
    keys.claim(session('task/2'));
    expect(() => keys.claim(session('task/1'))).toThrow(expect.objectContaining({ code: 'fl.secagg.sessionReused' }));
    expect(() => keys.claim(session('task/1'))).toThrow(/expected a session these keys have not served, got [0-9a-f]{16}… a second time/);
    keys.claim(session('task/3'));
  });

  it('rejects a malformed peer key and remembers nothing for it', () => {
    const keys = new PairKeys();
    expect(() => keys.agree(new Uint8Array(31))).toThrow(/expected 32 bytes, got 31/);
    expect(() => keys.agree(new Uint8Array(32))).toThrow(/large order/);
    expect(keys.peers).toBe(0);
  });

  it('one agreed secret yields unrelated pair seeds in different sessions (what makes reuse safe)', () => {
    const a = new PairKeys();
    const b = new PairKeys();
    const dh = a.agree(b.publicKey);
    const seeds = Array.from({ length: 20 }, (_, r) => toHex(new SessionCrypto(session(`task/${r}`)).pairSeed(dh)));
    expect(new Set(seeds).size).toBe(20);
    // Same session, same secret: the same seed (both endpoints must derive it alike).
    expect(toHex(new SessionCrypto(session('task/3')).pairSeed(b.agree(a.publicKey)))).toBe(seeds[3]);
  });
});
