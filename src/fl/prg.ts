/**
 * Session-bound hashing and mask expansion for secure aggregation.
 *
 * `SessionHash(session, label)` is SHA-256 over one 64-byte block (label ‖ session) followed by the
 * message. It serves as the key-derivation function for X25519 outputs (the hashed-DH KDF of NaCl
 * and libsodium's crypto_kx, in the random-oracle model) and for commitments: every key and
 * commitment is bound to its session and purpose, so none is reused across rounds, pairs or
 * purposes. The prefix block is absorbed once per party, so each derivation costs one compression.
 *
 * Masks are the AES-CTR keystream (AES-128 for the 16-byte seeds SecAgg uses, AES-256 for 32-byte
 * keys) under a single-use key — a zero IV is then safe — read as little-endian uint32 elements of
 * Z_{2^32}. AES-CTR through node:crypto is hardware accelerated.
 */
import { createCipheriv } from 'node:crypto';
import { accumulate } from './ring-add.js';
import { Sha256 } from './sha256.js';

const labels = new Map<string, Uint8Array>();

export class SessionHash {
  private readonly prefix = new Sha256();

  constructor(session: Uint8Array, label: string) {
    const block = new Uint8Array(64);
    let name = labels.get(label);
    if (!name) labels.set(label, (name = new TextEncoder().encode(`hindsight/secagg/${label}`)));
    if (name.length > 32 || session.length !== 32) throw new RangeError(`SessionHash: expected a label of ≤ 15 bytes and a 32-byte session, got ${label} and ${session.length} bytes`);
    block.set(name);
    block.set(session, 32);
    this.prefix.update(block);
  }

  digest(message: Uint8Array, out?: Uint8Array): Uint8Array {
    return this.prefix.digestWith(message, out);
  }
}

/** Blocks 0, 1, 2, … as 128-bit big-endian integers: the inputs of CTR mode with a zero IV. */
let counters = Buffer.alloc(0);

/**
 * The AES-CTR keystream (zero IV) of `bytes` bytes, computed as ECB over the counter blocks — the
 * same bytes (prg.test.ts checks it against node's CTR mode), but node's ECB cipher starts about
 * 5 µs faster than its CTR cipher, and a round expands ~1,700 single-use keys.
 */
function keystream(key: Uint8Array, bytes: number): Buffer {
  if (key.length !== 16 && key.length !== 32) throw new RangeError(`mask key: expected 16 or 32 bytes, got ${key.length}`);
  const blocks = Math.ceil(bytes / 16);
  if (blocks >= 2 ** 32) throw new RangeError(`mask: expected fewer than 2^32 blocks, got ${blocks}`);
  if (counters.length < 16 * blocks) {
    counters = Buffer.alloc(16 * blocks);
    for (let i = 0; i < blocks; i++) counters.writeUInt32BE(i, 16 * i + 12);
  }
  const cipher = createCipheriv(key.length === 16 ? 'aes-128-ecb' : 'aes-256-ecb', key, null).setAutoPadding(false);
  const out = cipher.update(counters.subarray(0, 16 * blocks));
  return bytes === out.length ? out : out.subarray(0, bytes);
}

/** `length` pseudo-random elements of Z_{2^32} from a single-use key. */
export function expandMask(key: Uint8Array, length: number): Uint32Array {
  const out = new Uint32Array(length);
  new Uint8Array(out.buffer).set(keystream(key, 4 * length));
  return out;
}

/** The bytes of a Uint32Array (little-endian on every platform node runs on). */
const bytesOf = (v: Uint32Array) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);

/** target += Σ_j signs[j] · vectors[j] (mod 2^32), in place: one pass per vector, SIMD (ring-add.ts). */
export function addVectors(target: Uint32Array, vectors: readonly Uint32Array[], signs: readonly (1 | -1)[]): void {
  if (signs.length !== vectors.length) throw new RangeError(`addVectors: expected one sign per vector (${vectors.length}), got ${signs.length}`);
  accumulate(target, vectors.length, (j) => ({ bytes: bytesOf(vectors[j]!), sign: signs[j]! }));
}

/** target += Σ signs[j] · expandMask(keys[j], target.length): each keystream goes straight into the SIMD sum. */
export function addExpandedMasks(target: Uint32Array, keys: readonly Uint8Array[], signs: readonly (1 | -1)[]): void {
  if (signs.length !== keys.length) throw new RangeError(`addExpandedMasks: expected one sign per key (${keys.length}), got ${signs.length}`);
  accumulate(target, keys.length, (j) => ({ bytes: keystream(keys[j]!, 4 * target.length), sign: signs[j]! }));
}
