/**
 * Key derivation and mask expansion for secure aggregation.
 *
 * Every mask key is derived with HKDF-SHA256 from a secret (an X25519 shared secret or a self-mask
 * seed) bound to the session and a purpose label, so a key is never reused across rounds, pairs or
 * purposes. Masks are the AES-256-CTR keystream under that key (zero IV is safe because the key is
 * single-use), read as little-endian uint32 ring elements of Z_{2^32}. AES-CTR through node:crypto
 * is hardware accelerated: expanding a 64k-element mask takes well under a millisecond.
 */
import { createCipheriv, hkdfSync } from 'node:crypto';

const encoder = new TextEncoder();

/** HKDF-SHA256 (RFC 5869; node:crypto, native — prg.test.ts checks it against @noble/hashes). */
export function deriveKey(secret: Uint8Array, session: Uint8Array, label: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', secret, session, encoder.encode(`hindsight/secagg/${label}`), 32));
}

let zeros = Buffer.alloc(0);

/** `length` pseudo-random elements of Z_{2^32} from a 32-byte single-use key. */
export function expandMask(key: Uint8Array, length: number): Uint32Array {
  if (key.length !== 32) throw new RangeError(`expandMask: expected a 32-byte key, got ${key.length} bytes`);
  if (zeros.length < 4 * length) zeros = Buffer.alloc(4 * length);
  const stream = createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(zeros.subarray(0, 4 * length));
  // Copy into a fresh aligned buffer; element order is little-endian on every platform Node supports.
  const out = new Uint32Array(length);
  new Uint8Array(out.buffer).set(stream);
  return out;
}

/** target += sign · mask (mod 2^32), in place. */
export function addMask(target: Uint32Array, mask: Uint32Array, sign: 1 | -1): void {
  if (sign === 1) for (let i = 0; i < target.length; i++) target[i] = target[i]! + mask[i]!;
  else for (let i = 0; i < target.length; i++) target[i] = target[i]! - mask[i]!;
}
