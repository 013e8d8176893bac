/**
 * Byte randomness for secret material (keys, mask seeds, Shamir coefficients). Production code uses
 * the OS CSPRNG; tests and the reproducible demo pass a seeded stream (AES-256-CTR keystream of a
 * hashed seed) so runs repeat bit for bit.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { sha256Bytes } from '../core/encoding.js';

export type RandomBytes = (length: number) => Uint8Array;

export const secureRandomBytes: RandomBytes = (length) => new Uint8Array(randomBytes(length));

/** Deterministic byte stream from a seed; never use for real keys. */
export function seededRandomBytes(seed: string | number): RandomBytes {
  const key = sha256Bytes(new TextEncoder().encode(`hindsight/fl/seeded-random/${seed}`));
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  let zeros = new Uint8Array(0);
  return (length) => {
    if (zeros.length < length) zeros = new Uint8Array(length);
    // A view of the keystream, not a copy: node gives each update's output a buffer of its own.
    const out = cipher.update(zeros.subarray(0, length));
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  };
}
