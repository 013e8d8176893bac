/**
 * X25519 (RFC 7748) key agreement through node:crypto's native implementation (≈ 40× faster than the
 * pure-JS ladder of @noble/curves, which is kept for cross-checks: x25519.test.ts).
 *
 * A party keeps its own private key as a KeyObject and parses each peer's 32-byte public key when it
 * agrees with it. Parsed peer keys are deliberately not shared between parties: in the in-process
 * simulation every client and the server pay for their own parsing, as they would on their own
 * machines (a process-wide cache made the simulation look cheaper than a deployment).
 */
import { type KeyObject, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync } from 'node:crypto';
import { x25519 } from '@noble/curves/ed25519.js';
import { ValidationError, InternalError } from '../core/errors.js';

export type KeyPair = { readonly publicKey: Uint8Array; readonly privateKey: KeyObject };

const b64u = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');

/** DER SubjectPublicKeyInfo of an X25519 key: this prefix (OID 1.3.101.110), then the 32 raw bytes. */
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

/**
 * A fresh key pair from node:crypto's generator (OS randomness). The public key comes DER-encoded
 * out of the generator itself, not by exporting the KeyObject afterwards: node 20 exports JWK while
 * holding the key's mutex, and a garbage collection then can finalize the finished generator job,
 * whose destructor takes the same mutex — the process deadlocked that way (a main thread stuck in
 * ~KeyGenJob under ExportJWKEdKey, caught with gdb in 1 of ~20 `bench fl` runs).
 */
export function generateKeyPair(): KeyPair {
  // Node encodes only the part given an encoding (the private key stays a KeyObject); @types/node has no overload for that.
  const { privateKey, publicKey } = generateKeyPairSync('x25519', { publicKeyEncoding: { type: 'spki', format: 'der' } }) as unknown as { privateKey: KeyObject; publicKey: Buffer };
  if (publicKey.length !== 44 || !publicKey.subarray(0, 12).equals(SPKI_PREFIX)) {
    throw new InternalError('internal.invariant', `X25519 key generation: expected a 44-byte SPKI with the X25519 prefix, got ${publicKey.length} bytes`);
  }
  return { privateKey, publicKey: new Uint8Array(publicKey.subarray(12)) };
}

/** The key pair of a given 32-byte secret (test vectors). */
export function keyPairFromSecret(secretKey: Uint8Array): KeyPair {
  const publicKey = x25519.getPublicKey(secretKey);
  return { publicKey, privateKey: createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: b64u(secretKey), x: b64u(publicKey) }, format: 'jwk' }) };
}

/** X25519(own secret, peer public key). Rejects peer keys of small order (all-zero output). */
export function sharedSecret(own: KeyPair, peerPublicKey: Uint8Array): Uint8Array {
  if (peerPublicKey.length !== 32) throw new ValidationError('fl.x25519.invalidKey', `X25519 public key: expected 32 bytes, got ${peerPublicKey.length}`);
  try {
    const peer = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: b64u(peerPublicKey) }, format: 'jwk' });
    return new Uint8Array(diffieHellman({ privateKey: own.privateKey, publicKey: peer }));
  } catch (cause) {
    throw new ValidationError('fl.x25519.invalidKey', 'X25519 public key: expected a point of large order, got one the agreement rejects', {}, { cause });
  }
}

export function nobleSharedSecret(secretKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
  return x25519.getSharedSecret(secretKey, peerPublicKey);
}
