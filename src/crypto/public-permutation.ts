/**
 * AES-128 under a public key as a fixed random permutation π, and the Matyas–Meyer–Oseas function
 * H(x) = π(x) ⊕ x over 16-byte blocks — the fixed-key block-cipher hashing of Guo, Katz, Wang and
 * Yu ("Efficient and Secure Multiparty Computation from Fixed-Key Block Ciphers", IEEE S&P 2020).
 *
 * H is correlation robust with π modelled as a random permutation: for a secret uniform 128-bit k
 * and distinct public tweaks t_1 … t_m, the blocks H(k ⊕ t_1) … H(k ⊕ t_m) look uniform to anyone
 * who makes q calls to π or π⁻¹, up to about (q·m + m²) / 2^128 — so H(k ⊕ counter) is a stream
 * cipher keyed by k. SecAgg uses it for masks (prg.ts) and share pads (src/fl/secagg/common.ts); it also
 * compresses the share commitments, whose inputs are not secret, as a collision- and
 * preimage-resistant function.
 *
 * Why not a cipher keyed by each secret: node creates a cipher object in ≈ 3.4 µs and its garbage
 * collector finalizes each one, while a 100-client round expands ≈ 1,730 masks and pads ≈ 2,800
 * share messages. One object here serves a party's session (ECB keeps no state between whole-block
 * calls).
 */
import { createCipheriv, type Cipher } from 'node:crypto';
import { ValidationError } from '../core/errors.js';

export const BLOCK_BYTES = 16;

export class PublicPermutation {
  private readonly cipher: Cipher;

  constructor(key: Uint8Array) {
    if (key.length !== 16) throw new ValidationError('crypto.badLength', `public permutation: expected a 16-byte AES-128 key, got ${key.length} bytes`, { field: 'key' });
    this.cipher = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
  }

  /** π(x) for each block of x (a whole number of blocks), 4-byte aligned. */
  permute(x: Uint8Array): Uint8Array {
    if (x.length % BLOCK_BYTES !== 0) throw new ValidationError('crypto.badLength', `public permutation: expected whole ${BLOCK_BYTES}-byte blocks, got ${x.length} bytes`);
    if (x.length === 0) return new Uint8Array(0);
    const out = this.cipher.update(x);
    // Node gives the output a backing store of its own (offset 0); copy should that ever change.
    return out.byteOffset % 4 === 0 ? new Uint8Array(out.buffer, out.byteOffset, out.length) : new Uint8Array(out);
  }

  /** H(x) = π(x) ⊕ x for each block of x, in a new array (4-byte aligned: node allocates it alone). */
  mmo(x: Uint8Array): Uint8Array {
    const out = this.permute(x);
    if (x.byteOffset % 4 === 0) {
      const o = new Uint32Array(out.buffer, out.byteOffset, out.length / 4);
      const w = new Uint32Array(x.buffer, x.byteOffset, x.length / 4);
      for (let i = 0; i < o.length; i++) o[i] = o[i]! ^ w[i]!;
    } else {
      for (let i = 0; i < out.length; i++) out[i] = out[i]! ^ x[i]!;
    }
    return out;
  }
}
