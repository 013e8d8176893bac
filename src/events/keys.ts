import { createPrivateKey, randomBytes, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { ValidationError } from '../core/errors.js';
import { crypto_sign_verify_detached } from 'sodium-native';
import { didKeyFromPublicKey, publicKeyBytes, publicKeyObject, type Did } from './did.js';
import { decodeBase64UrlCanonical } from './canonical-text.js';

/**
 * Whatever signs events as `did`. An Ed25519 did:key needs only `sign`; an Ethereum key spells its
 * signature itself (`sigText`, EIP-191 hex), and a delegated session key adds its `delegation` (its
 * own did:key, the CACAO and its CID) to every envelope it signs (eth-keys.ts).
 */
export type Signer = {
  did: Did;
  sign(bytes: Uint8Array): Uint8Array;
  sigText?(signingBytes: Uint8Array): string;
  readonly delegation?: { signer: Did; cap: string; cacao: Record<string, unknown> };
};

const KeyFileSchema = z.strictObject({
  type: z.literal('ed25519'),
  did: z.string(),
  /** 32-byte Ed25519 seed, base64url. */
  privateKey: z.string(),
});
export type KeyFile = z.infer<typeof KeyFileSchema>;

/** An Ed25519 signing key and its did:key. The private part never leaves this object except to a 0600 file. */
export class Ed25519Signer implements Signer {
  readonly did: Did;
  readonly #key: KeyObject;
  readonly #seed: string;

  private constructor(key: KeyObject) {
    const jwk = key.export({ format: 'jwk' });
    this.#key = key;
    this.#seed = jwk.d!;
    this.did = didKeyFromPublicKey(new Uint8Array(Buffer.from(jwk.x!, 'base64url')));
  }

  /**
   * A fresh key from OS randomness. Not generateKeyPairSync: the constructor exports the key as JWK,
   * which node 20 does while holding the key's mutex, and a garbage collection during that export
   * can finalize the generator job, whose destructor takes the same mutex — a deadlock (x25519.ts).
   */
  static generate(): Ed25519Signer {
    return Ed25519Signer.fromSeed(new Uint8Array(randomBytes(32)));
  }

  /** Deterministic key from a 32-byte seed (tests and simulations). */
  static fromSeed(seed: Uint8Array): Ed25519Signer {
    if (seed.length !== 32) throw new ValidationError('key.invalid', `expected a 32-byte Ed25519 seed, got ${seed.length} bytes`);
    const d = Buffer.from(seed).toString('base64url');
    // node derives x itself when only d is given via PKCS8; build the PKCS8 DER by hand (fixed 16-byte prefix).
    const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(d, 'base64url')]);
    return new Ed25519Signer(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
  }

  sign(bytes: Uint8Array): Uint8Array {
    return new Uint8Array(cryptoSign(null, bytes, this.#key));
  }

  toKeyFile(): KeyFile {
    return { type: 'ed25519', did: this.did, privateKey: this.#seed };
  }

  static fromKeyFile(file: KeyFile): Ed25519Signer {
    const seed = decodeBase64UrlCanonical(file.privateKey);
    if (!seed) throw new ValidationError('key.nonCanonical', 'key file: expected privateKey as canonical base64url (no padding, unused bits zero), got another spelling', { field: 'privateKey' });
    const signer = Ed25519Signer.fromSeed(seed);
    if (signer.did !== file.did) {
      throw new ValidationError('key.mismatch', `key file: expected did ${file.did} to match its private key, got ${signer.did}`);
    }
    return signer;
  }
}

/**
 * The Ed25519 check every signed event goes through. OpenSSL (node:crypto) defines the verdict;
 * libsodium answers first because it takes about half the time (OpenSSL 3.0 uses 32-bit field
 * arithmetic for Ed25519). libsodium's check is OpenSSL's equation — [S]B = R + [h]A, compared by
 * R's encoding, h hashed from the same bytes — with more refusals (S or the key not canonical, R or
 * the key of small order), so its yes is OpenSSL's yes, and only its no is asked again of OpenSSL.
 * The set of accepted signatures, which every node and every replay must agree on, stays OpenSSL's.
 */
export function verifyEd25519(did: Did, bytes: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  if (crypto_sign_verify_detached(signature, bytes, publicKeyBytes(did))) return true;
  return cryptoVerify(null, bytes, publicKeyObject(did), signature);
}

/** Writes a key file readable by its owner only (mode 0600); refuses to overwrite. */
export function saveKey(signer: Ed25519Signer, path: string): void {
  if (existsSync(path)) throw new ValidationError('key.exists', `key file ${path} already exists; refusing to overwrite a key`);
  writeFileSync(path, `${JSON.stringify(signer.toKeyFile())}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
}

export function loadKey(path: string): Ed25519Signer {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new ValidationError('key.unreadable', `key file ${path}: expected a JSON key file, got ${(cause as Error).message}`, { field: 'key' }, { cause });
  }
  const parsed = KeyFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ValidationError('key.invalid', `key file ${path}: expected {type:"ed25519", did, privateKey}, got ${parsed.error.issues[0]?.message}`, { field: 'key' });
  }
  return Ed25519Signer.fromKeyFile(parsed.data);
}
