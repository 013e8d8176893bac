import fc from 'fast-check';
import { createPublicKey, verify as opensslVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { crypto_sign_verify_detached } from 'sodium-native';
import { didKeyFromPublicKey, publicKeyBytes } from './did.js';
import { Ed25519Signer, verifyEd25519 } from './keys.js';

/** OpenSSL's verdict alone: what defines a valid signature for every node and every replay. */
function openssl(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') }, format: 'jwk' });
  return signature.length === 64 && opensslVerify(null, message, key, signature);
}

/** L, the order of the Ed25519 base point, little-endian. */
const L = Uint8Array.from(Buffer.from('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010', 'hex'));

describe('verifyEd25519', () => {
  it("gives OpenSSL's verdict for valid signatures and for every single-byte change to signature, message or key (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 300 }), fc.constantFrom('sig', 'message', 'key', 'none'), fc.nat(), fc.integer({ min: 1, max: 255 }), (seed, message, target, at, flip) => {
        const signer = Ed25519Signer.fromSeed(seed);
        let signature = signer.sign(message);
        let key = publicKeyBytes(signer.did);
        let signed = message;
        if (target === 'sig') (signature = Uint8Array.from(signature)), (signature[at % 64]! ^= flip);
        if (target === 'message' && message.length > 0) (signed = Uint8Array.from(message)), (signed[at % message.length]! ^= flip);
        if (target === 'key') (key = Uint8Array.from(key)), (key[at % 32]! ^= flip);
        const expected = openssl(key, signed, signature);
        if (target === 'none') expect(expected).toBe(true);
        let did: string;
        try {
          did = didKeyFromPublicKey(key);
        } catch {
          return; // not a key a did:key can name
        }
        expect(verifyEd25519(did, signed, signature)).toBe(expected);
      }),
      { numRuns: 400 },
    );
  });

  it("keeps OpenSSL's yes where libsodium's stricter check says no (a small-order key), and both noes (S not reduced)", () => {
    // The identity point as the key, R the identity and S = 0: [0]B = R + [h]A for any message.
    const identity = new Uint8Array(32);
    identity[0] = 1;
    const trivial = new Uint8Array(64);
    trivial[0] = 1;
    const message = new TextEncoder().encode('any message at all');
    expect(crypto_sign_verify_detached(trivial, message, identity)).toBe(false);
    expect(openssl(identity, message, trivial)).toBe(true);
    expect(verifyEd25519(didKeyFromPublicKey(identity), message, trivial)).toBe(true);

    // S + L names the same scalar; both libraries refuse S ≥ L.
    const signer = Ed25519Signer.fromSeed(new Uint8Array(32).fill(7));
    const signature = signer.sign(message);
    const unreduced = Uint8Array.from(signature);
    let carry = 0;
    for (let i = 0; i < 32; i++) {
      const sum = unreduced[32 + i]! + L[i]! + carry;
      unreduced[32 + i] = sum & 0xff;
      carry = sum >> 8;
    }
    expect(verifyEd25519(signer.did, message, signature)).toBe(true);
    expect(openssl(publicKeyBytes(signer.did), message, unreduced)).toBe(false);
    expect(verifyEd25519(signer.did, message, unreduced)).toBe(false);
  });
});
