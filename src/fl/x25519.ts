/**
 * X25519 (RFC 7748) key agreement. Public keys come from @noble/curves; the shared secret is
 * computed by node:crypto's native X25519 (an order of magnitude faster than the pure-JS ladder,
 * and SecAgg clients run 2k of them per round). Both implement the same function: x25519.test.ts
 * checks them against each other and against the RFC 7748 §6.1 vector; `nobleSharedSecret` is kept
 * for cross-checks and non-Node clients. Imported key objects are cached: a client reuses its own
 * private key for all its neighbours, and a public key is parsed once however many peers use it.
 */
import { type KeyObject, createPrivateKey, createPublicKey, diffieHellman } from 'node:crypto';
import { x25519 } from '@noble/curves/ed25519.js';

export type KeyPair = { readonly secretKey: Uint8Array; readonly publicKey: Uint8Array };

const b64u = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');

export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  return x25519.getPublicKey(secretKey);
}

const privateObjects = new WeakMap<KeyPair, KeyObject>();
const publicObjects = new Map<string, KeyObject>();

export function keyPairFromSecret(secretKey: Uint8Array): KeyPair {
  return { secretKey, publicKey: publicKeyOf(secretKey) };
}

function privateObject(own: KeyPair): KeyObject {
  let key = privateObjects.get(own);
  if (!key) {
    key = createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: b64u(own.secretKey), x: b64u(own.publicKey) }, format: 'jwk' });
    privateObjects.set(own, key);
  }
  return key;
}

function publicObject(publicKey: Uint8Array): KeyObject {
  const x = b64u(publicKey);
  let key = publicObjects.get(x);
  if (!key) {
    key = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x }, format: 'jwk' });
    if (publicObjects.size >= 20_000) publicObjects.clear();
    publicObjects.set(x, key);
  }
  return key;
}

/** X25519(own secret, peer public key). */
export function sharedSecret(own: KeyPair, peerPublicKey: Uint8Array): Uint8Array {
  if (peerPublicKey.length !== 32) throw new RangeError(`X25519 public key: expected 32 bytes, got ${peerPublicKey.length}`);
  return new Uint8Array(diffieHellman({ privateKey: privateObject(own), publicKey: publicObject(peerPublicKey) }));
}

export function nobleSharedSecret(secretKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
  return x25519.getSharedSecret(secretKey, peerPublicKey);
}
