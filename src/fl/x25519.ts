/**
 * X25519 (RFC 7748) key agreement. Public keys come from @noble/curves; the shared secret is
 * computed by node:crypto's native X25519 (≈25× faster than the pure-JS ladder, which dominates
 * SecAgg client time). Both implement the same function: x25519.test.ts checks them against each
 * other and against the RFC 7748 §6.1 vector; `nobleSharedSecret` is kept for cross-checks and
 * non-Node clients.
 */
import { createPrivateKey, createPublicKey, diffieHellman } from 'node:crypto';
import { x25519 } from '@noble/curves/ed25519.js';

export type KeyPair = { secretKey: Uint8Array; publicKey: Uint8Array };

const b64u = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  return x25519.getPublicKey(secretKey);
}

export function keyPairFromSecret(secretKey: Uint8Array): KeyPair {
  return { secretKey, publicKey: publicKeyOf(secretKey) };
}

/** X25519(secretKey, peerPublicKey); throws on an all-zero result (small-order peer key). */
export function sharedSecret(own: KeyPair, peerPublicKey: Uint8Array): Uint8Array {
  if (peerPublicKey.length !== 32) throw new RangeError(`X25519 public key: expected 32 bytes, got ${peerPublicKey.length}`);
  const privateKey = createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: b64u(own.secretKey), x: b64u(own.publicKey) }, format: 'jwk' });
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: b64u(peerPublicKey) }, format: 'jwk' });
  return new Uint8Array(diffieHellman({ privateKey, publicKey }));
}

export function nobleSharedSecret(secretKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
  return x25519.getSharedSecret(secretKey, peerPublicKey);
}
