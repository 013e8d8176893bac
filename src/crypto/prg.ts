/**
 * Session-bound hashing and mask expansion for secure aggregation.
 *
 * `SessionHash(session, label)` is SHA-256 over one 64-byte block (label ‖ session) followed by the
 * message. It serves as the key-derivation function for X25519 outputs (the hashed-DH KDF of NaCl
 * and libsodium's crypto_kx, in the random-oracle model) and for commitments: every key and
 * commitment is bound to its session and purpose, so none is reused across rounds, pairs or
 * purposes. The prefix block is absorbed once per party, so each derivation costs one compression.
 *
 * Masks are the fixed-key AES stream of a single-use 16-byte seed (public-permutation.ts; see
 * expandMask): one hardware-accelerated cipher call per 7 masks under the session's public key,
 * where a cipher keyed by each seed cost a cipher object and an output buffer per mask — about
 * 7 µs of a mask's 10, with ≈ 1,700 masks in a 100-client round.
 */
import type { PublicPermutation } from './public-permutation.js';
import { accumulate, accumulateMmoStreams } from './ring-add.js';
import { Sha256 } from './sha256.js';
import { ValidationError, expectedGot } from '../core/errors.js';

const labels = new Map<string, Uint8Array>();

export class SessionHash {
  private readonly prefix = new Sha256();

  constructor(session: Uint8Array, label: string) {
    const block = new Uint8Array(64);
    let name = labels.get(label);
    if (!name) labels.set(label, (name = new TextEncoder().encode(`hindsight/secagg/${label}`)));
    if (name.length > 32 || session.length !== 32) {
      throw new ValidationError('crypto.badLength', `SessionHash: expected a label of ≤ 15 bytes and a 32-byte session, got ${label} and ${session.length} bytes`, { label, sessionBytes: session.length });
    }
    block.set(name);
    block.set(session, 32);
    this.prefix.update(block);
  }

  digest(message: Uint8Array, out?: Uint8Array): Uint8Array {
    return this.prefix.digestWith(message, out);
  }
}

/**
 * `length` elements of Z_{2^32} masking with a 16-byte seed: the stream H(seed ⊕ ⟨0⟩) ‖ H(seed ⊕ ⟨1⟩)
 * ‖ …, H(x) = π(x) ⊕ x with π the session's public permutation, ⟨c⟩ the block holding c as its
 * first little-endian 32-bit word (zeros elsewhere), read as little-endian uint32 elements.
 */
export function expandMask(permutation: PublicPermutation, seed: Uint8Array, length: number): Uint32Array {
  const out = new Uint32Array(length);
  addExpandedMasks(out, permutation, [seed], [1]);
  return out;
}

/** The bytes of a Uint32Array (little-endian on every platform node runs on). */
const bytesOf = (v: Uint32Array) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);

/** target += Σ_j signs[j] · vectors[j] (mod 2^32), in place: one pass per vector, SIMD (ring-add.ts). */
export function addVectors(target: Uint32Array, vectors: readonly Uint32Array[], signs: readonly (1 | -1)[]): void {
  if (signs.length !== vectors.length) throw expectedGot('crypto.lengthMismatch', 'addVectors', `one sign per vector (${vectors.length})`, signs.length);
  accumulate(target, vectors.length, (j) => ({ bytes: bytesOf(vectors[j]!), sign: signs[j]! }));
}

/**
 * target += Σ signs[j] · expandMask(permutation, seeds[j], target.length), in place: 7 masks of
 * SecAgg's size per call of π, and the feed-forward and sums in SIMD (ring-add.ts).
 */
export function addExpandedMasks(target: Uint32Array, permutation: PublicPermutation, seeds: readonly Uint8Array[], signs: readonly (1 | -1)[]): void {
  if (signs.length !== seeds.length) throw expectedGot('crypto.lengthMismatch', 'addExpandedMasks', `one sign per seed (${seeds.length})`, signs.length);
  for (const seed of seeds) if (seed.length !== 16) throw expectedGot('crypto.badLength', 'mask seed', '16 bytes', seed.length);
  accumulateMmoStreams(target, seeds, signs, (blocks) => permutation.permute(blocks));
}
