import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromHex, toHex } from '../core/encoding.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { generateKeyPair, keyPairFromSecret, nobleSharedSecret, sharedSecret } from './x25519.js';

describe('X25519', () => {
  it('matches the RFC 7748 §6.1 test vector', () => {
    const alice = keyPairFromSecret(fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'));
    const bob = keyPairFromSecret(fromHex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb'));
    expect(toHex(alice.publicKey)).toBe('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
    expect(toHex(bob.publicKey)).toBe('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
    const expected = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
    expect(toHex(sharedSecret(alice, bob.publicKey))).toBe(expected);
    expect(toHex(sharedSecret(bob, alice.publicKey))).toBe(expected);
    expect(toHex(nobleSharedSecret(fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'), bob.publicKey))).toBe(expected);
  });

  it('native and @noble/curves agree and the agreement is symmetric (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (a, b) => {
        const ka = keyPairFromSecret(a);
        const kb = keyPairFromSecret(b);
        const s = sharedSecret(ka, kb.publicKey);
        expect(toHex(s)).toBe(toHex(sharedSecret(kb, ka.publicKey)));
        expect(toHex(s)).toBe(toHex(nobleSharedSecret(a, kb.publicKey)));
      }),
      { numRuns: 20 },
    );
  });

  it('generated pairs agree with each other; small-order and malformed peer keys are rejected', () => {
    for (let i = 0; i < 10; i++) {
      const a = generateKeyPair();
      const b = generateKeyPair();
      expect(a.publicKey).toHaveLength(32);
      expect(toHex(sharedSecret(a, b.publicKey))).toBe(toHex(sharedSecret(b, a.publicKey)));
      // The raw public key taken from the generator's DER is the one of its private key (noble's ladder).
      const secret = new Uint8Array(Buffer.from(a.privateKey.export({ format: 'jwk' }).d!, 'base64url'));
      expect(toHex(x25519.getPublicKey(secret))).toBe(toHex(a.publicKey));
    }
    const a = generateKeyPair();
    expect(() => sharedSecret(a, new Uint8Array(32))).toThrow(/large order/); // u = 0 has order 1
    expect(() => sharedSecret(a, new Uint8Array(31))).toThrow(/expected 32 bytes, got 31/);
  });
});
