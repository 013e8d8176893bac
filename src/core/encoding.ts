import * as dagCbor from '@ipld/dag-cbor';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import { create as createDigest } from 'multiformats/hashes/digest';
import { createHash } from 'node:crypto';
import { ValidationError } from './errors.js';
import { encodeCanonicalSubset } from './canonical-cbor.js';

/**
 * Canonical bytes of a value: DAG-CBOR (sorted map keys, no floats NaN/Inf, no undefined). A text
 * string that starts with U+FEFF is refused: the decoder drops that mark, so such a value would not
 * come back from its own bytes, and a stored event would no longer match its signature on replay.
 * The values events carry take a faster encoder (canonical-cbor.ts) that gives the same bytes.
 */
export function encode(value: unknown): Uint8Array {
  const fast = encodeCanonicalSubset(value);
  if (fast) return fast;
  const bom = pathOfLeadingBom(value);
  if (bom !== null) {
    throw new ValidationError('encoding.invalid', `${bom}: expected text that does not start with U+FEFF (decoding drops it), got one that does`, { field: bom });
  }
  try {
    return dagCbor.encode(value);
  } catch (cause) {
    throw new ValidationError('encoding.invalid', `value is not DAG-CBOR encodable: ${(cause as Error).message}`, {}, { cause });
  }
}

/** Where the first string starting with U+FEFF sits (as a dotted path), or null; iterative, so depth costs no stack. */
function pathOfLeadingBom(root: unknown): string | null {
  const stack: [unknown, string][] = [[root, 'value']];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (value.charCodeAt(0) === 0xfeff) return path;
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (typeof item === 'string' || (item !== null && typeof item === 'object')) stack.push([item, `${path}[${i}]`]);
      }
    } else if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array) && CID.asCID(value) === null) {
      for (const [key, child] of Object.entries(value)) {
        if (key.charCodeAt(0) === 0xfeff) return `${path}.${key}`;
        stack.push([child, `${path}.${key}`]);
      }
    }
  }
  return null;
}

export function decode<T = unknown>(bytes: Uint8Array): T {
  try {
    return dagCbor.decode(bytes) as T;
  } catch (cause) {
    throw new ValidationError('encoding.invalid', `bytes are not valid DAG-CBOR: ${(cause as Error).message}`, {}, { cause });
  }
}

/** sha2-256 with node:crypto (synchronous, several times faster than the async WebCrypto path). */
export function sha256Bytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}

/** CIDv1, dag-cbor codec, sha2-256 multihash, of already-encoded bytes. */
export function cidOfBytes(bytes: Uint8Array): CID {
  return CID.createV1(dagCbor.code, createDigest(sha256.code, sha256Bytes(bytes)));
}

export function cidOf(value: unknown): CID {
  return cidOfBytes(encode(value));
}

/** The base32 string form of a value's CID ("bafyrei..."). */
export function cidString(value: unknown): string {
  return cidOfBytes(encode(value)).toString();
}

export function parseCid(text: string, field = 'cid'): CID {
  try {
    return CID.parse(text);
  } catch (cause) {
    throw new ValidationError('cid.invalid', `${field}: expected a CID string, got ${JSON.stringify(text).slice(0, 80)}`, {
      field,
      expected: 'CID',
      got: text.slice(0, 80),
    }, { cause });
  }
}

/** A node blob's content address: `sha256-` and the hex SHA-256 of its bytes (models, sealed data chunks). */
export function blobIdOf(bytes: Uint8Array): string {
  return `sha256-${toHex(sha256Bytes(bytes))}`;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function fromHex(hex: string): Uint8Array {
  const clean = hex.startsWith('0x') ? hex.slice(2) : hex;
  // Lowercase only: the one spelling of the bytes, as toHex writes them.
  if (clean.length % 2 !== 0 || !/^[0-9a-f]*$/.test(clean)) {
    throw new ValidationError('hex.invalid', `expected an even-length lowercase hex string, got ${JSON.stringify(hex).slice(0, 80)}`);
  }
  return new Uint8Array(Buffer.from(clean, 'hex'));
}

export { CID };
