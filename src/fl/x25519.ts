/**
 * X25519 (RFC 7748) key agreement. Fresh key pairs and shared secrets use node:crypto's native
 * X25519 (an order of magnitude faster than the pure-JS ladder; SecAgg clients run 2k agreements per
 * round); public keys of given secrets (the server's check of a reconstructed key) come from
 * @noble/curves. Both implement the same function: x25519.test.ts
 * checks them against each other and against the RFC 7748 §6.1 vector; `nobleSharedSecret` is kept
 * for cross-checks and non-Node clients. Imported key objects are cached: a client reuses its own
 * private key for all its neighbours, and a public key is parsed once however many peers use it.
 */
import { type KeyObject, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync } from 'node:crypto';
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

/**
 * A fresh key pair from node:crypto's native generator (≈15× faster than deriving the public key with
 * the pure-JS ladder). Bit 255 of the secret is cleared — X25519 ignores it (RFC 7748 clamping) — so
 * the secret is a 255-bit value that Shamir-shares as one element of F_(2^255−19); the ~2^-250 case
 * of a value ≥ p is redrawn.
 */
export function generateKeyPair(): KeyPair {
  for (;;) {
    const { privateKey } = generateKeyPairSync('x25519');
    const jwk = privateKey.export({ format: 'jwk' });
    const secretKey = new Uint8Array(Buffer.from(jwk.d!, 'base64url'));
    secretKey[31]! &= 0x7f;
    let top = true; // is the value ≥ 2^255 − 19, i.e. 0x7fff…ffed or above?
    for (let i = 31; i >= 1 && top; i--) top = secretKey[i] === (i === 31 ? 0x7f : 0xff);
    if (top && secretKey[0]! >= 0xed) continue;
    const pair = { secretKey, publicKey: new Uint8Array(Buffer.from(jwk.x!, 'base64url')) };
    privateObjects.set(pair, privateKey);
    return pair;
  }
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
