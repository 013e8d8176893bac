import { base58btc } from 'multiformats/bases/base58';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { AuthError, ValidationError } from '../core/errors.js';

/** Multicodec prefix of an Ed25519 public key (0xed, varint-encoded) used by did:key. */
const ED25519_PREFIX = new Uint8Array([0xed, 0x01]);
const PKH_PATTERN = /^did:pkh:eip155:(\d+):(0x[0-9a-fA-F]{40})$/;

export type Did = string;
export type DidKey = { method: 'key'; did: Did; publicKey: Uint8Array };
export type DidPkh = { method: 'pkh'; did: Did; chainId: number; address: `0x${string}` };
export type ParsedDid = DidKey | DidPkh;

export function didKeyFromPublicKey(publicKey: Uint8Array): Did {
  if (publicKey.length !== 32) throw new ValidationError('did.invalid', `expected a 32-byte Ed25519 public key, got ${publicKey.length} bytes`);
  const bytes = new Uint8Array(34);
  bytes.set(ED25519_PREFIX, 0);
  bytes.set(publicKey, 2);
  return `did:key:${base58btc.encode(bytes)}`;
}

export function didPkh(chainId: number, address: string): Did {
  return `did:pkh:eip155:${chainId}:${address}`;
}

const parsedCache = new Map<string, ParsedDid>();

/** Parses a DID; results are cached because every verification parses its author again. */
export function parseDid(did: string, field = 'author'): ParsedDid {
  const cached = parsedCache.get(did);
  if (cached) return cached;
  const parsed = parseDidUncached(did, field);
  if (parsedCache.size > 100_000) parsedCache.clear();
  parsedCache.set(did, parsed);
  return parsed;
}

function parseDidUncached(did: string, field: string): ParsedDid {
  if (did.startsWith('did:key:z')) {
    let bytes: Uint8Array;
    try {
      bytes = base58btc.decode(did.slice('did:key:'.length));
    } catch (cause) {
      throw new ValidationError('did.invalid', `${field}: expected a did:key with base58btc multibase, got ${JSON.stringify(did).slice(0, 80)}`, { field }, { cause });
    }
    if (base58btc.encode(bytes) !== did.slice('did:key:'.length)) {
      throw new ValidationError('did.nonCanonical', `${field}: expected a did:key in the one base58btc spelling of its key, got ${did.slice(0, 80)}`, { field });
    }
    if (bytes.length !== 34 || bytes[0] !== 0xed || bytes[1] !== 0x01) {
      throw new ValidationError('did.unsupportedKey', `${field}: expected an Ed25519 did:key (multicodec 0xed01, 32 bytes), got ${bytes.length} bytes with prefix 0x${bytes[0]?.toString(16)}`, { field });
    }
    return { method: 'key', did, publicKey: bytes.slice(2) };
  }
  const m = PKH_PATTERN.exec(did);
  if (m) return { method: 'pkh', did, chainId: Number(m[1]), address: m[2] as `0x${string}` };
  throw new ValidationError('did.invalid', `${field}: expected did:key:z… (Ed25519) or did:pkh:eip155:<chain>:<0x address>, got ${JSON.stringify(did).slice(0, 80)}`, {
    field,
    expected: 'did:key or did:pkh:eip155',
    got: did.slice(0, 80),
  });
}

/** Two did:pkh name the same account whatever the address's letter case (checksummed or not). */
export function sameDid(a: Did, b: Did): boolean {
  if (a === b) return true;
  if (a.startsWith('did:pkh:') && b.startsWith('did:pkh:')) return a.toLowerCase() === b.toLowerCase();
  return false;
}

/** Canonical form for use as a map key: did:pkh addresses lower-cased, did:key unchanged. */
export function canonicalDid(did: Did): Did {
  return did.startsWith('did:pkh:') ? did.toLowerCase() : did;
}

/** The 32 bytes of a did:key's Ed25519 public key (parseDid caches the parse). */
export function publicKeyBytes(did: Did): Uint8Array {
  const parsed = parseDid(did);
  if (parsed.method !== 'key') throw new AuthError('did.notKey', `expected a did:key signer, got ${did}`);
  return parsed.publicKey;
}

const keyObjectCache = new Map<Did, KeyObject>();

/** node:crypto KeyObject for a did:key, cached: building it costs more than a verify. */
export function publicKeyObject(did: Did): KeyObject {
  let key = keyObjectCache.get(did);
  if (!key) {
    key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKeyBytes(did)).toString('base64url') }, format: 'jwk' });
    if (keyObjectCache.size > 100_000) keyObjectCache.clear();
    keyObjectCache.set(did, key);
  }
  return key;
}
