/**
 * SHA-256 (FIPS 180-4) for the many small inputs of secure aggregation: a SecAgg round hashes tens of
 * thousands of 30–70-byte messages (share commitments, per-pair key derivation), where node:crypto's
 * per-call cost (≈ 4 µs for a hash, ≈ 30 µs for hkdfSync) is several times the work itself. Here the
 * state after a fixed one-block prefix (a session-bound label) is kept and cloned, so such a hash
 * costs one compression. sha256.test.ts checks it against node:crypto.
 */

const K = Int32Array.from(
  [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ].map((k) => k | 0),
);
const IV = Int32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19].map((v) => v | 0));
const W = new Int32Array(64);
const scratchState = new Int32Array(8);
const scratchBlock = new Uint8Array(64);

function compress(h: Int32Array, block: Uint8Array, off: number): void {
  for (let i = 0; i < 16; i++, off += 4) W[i] = (block[off]! << 24) | (block[off + 1]! << 16) | (block[off + 2]! << 8) | block[off + 3]!;
  for (let i = 16; i < 64; i++) {
    const a = W[i - 15]!;
    const b = W[i - 2]!;
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0;
  }
  let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!, f = h[5]!, g = h[6]!, hh = h[7]!;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (hh + S1 + ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    hh = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  h[0] = (h[0]! + a) | 0;
  h[1] = (h[1]! + b) | 0;
  h[2] = (h[2]! + c) | 0;
  h[3] = (h[3]! + d) | 0;
  h[4] = (h[4]! + e) | 0;
  h[5] = (h[5]! + f) | 0;
  h[6] = (h[6]! + g) | 0;
  h[7] = (h[7]! + hh) | 0;
}

/** Incremental SHA-256; `clone()` keeps a prefix's state for many messages that share it. */
export class Sha256 {
  private readonly h: Int32Array;
  private readonly buffer = new Uint8Array(64);
  private filled = 0;
  private length = 0;

  constructor(from?: Sha256) {
    this.h = Int32Array.from(from ? from.h : IV);
    if (from) {
      this.buffer.set(from.buffer.subarray(0, from.filled));
      this.filled = from.filled;
      this.length = from.length;
    }
  }

  clone(): Sha256 {
    return new Sha256(this);
  }

  update(data: Uint8Array): this {
    let pos = 0;
    this.length += data.length;
    if (this.filled > 0) {
      const take = Math.min(64 - this.filled, data.length);
      this.buffer.set(data.subarray(0, take), this.filled);
      this.filled += take;
      pos = take;
      if (this.filled < 64) return this;
      compress(this.h, this.buffer, 0);
      this.filled = 0;
    }
    for (; pos + 64 <= data.length; pos += 64) compress(this.h, data, pos);
    if (pos < data.length) {
      this.buffer.set(data.subarray(pos), 0);
      this.filled = data.length - pos;
    }
    return this;
  }

  /**
   * SHA-256 of (the bytes absorbed so far ‖ data), leaving this state untouched and allocating only
   * the result when it ends within the current block — the commitment and key-derivation case (a
   * one-block prefix, then ≤ 55 bytes); longer inputs fall back to a clone. Writes into `out` if given.
   */
  digestWith(data: Uint8Array, out: Uint8Array = new Uint8Array(32)): Uint8Array {
    const end = this.filled + data.length;
    if (end > 55) {
      out.set(this.clone().update(data).digest());
      return out;
    }
    const block = scratchBlock;
    block.fill(0);
    if (this.filled > 0) block.set(this.buffer.subarray(0, this.filled));
    block.set(data, this.filled);
    block[end] = 0x80;
    const bits = (this.length + data.length) * 8;
    block[59] = Math.floor(bits / 2 ** 32) & 0xff;
    block[60] = bits >>> 24;
    block[61] = (bits >>> 16) & 0xff;
    block[62] = (bits >>> 8) & 0xff;
    block[63] = bits & 0xff;
    scratchState.set(this.h);
    compress(scratchState, block, 0);
    return stateBytes(scratchState, out);
  }

  /** Finishes the hash (the object is spent afterwards). */
  digest(): Uint8Array {
    const buf = this.buffer;
    buf.fill(0, this.filled);
    buf[this.filled] = 0x80;
    if (this.filled >= 56) {
      compress(this.h, buf, 0);
      buf.fill(0);
    }
    // Message length in bits, big-endian; inputs here are far below 2^32 bytes.
    const bits = this.length * 8;
    buf[59] = Math.floor(bits / 2 ** 32) & 0xff;
    buf[60] = bits >>> 24;
    buf[61] = (bits >>> 16) & 0xff;
    buf[62] = (bits >>> 8) & 0xff;
    buf[63] = bits & 0xff;
    compress(this.h, buf, 0);
    return stateBytes(this.h);
  }
}

function stateBytes(h: Int32Array, out: Uint8Array = new Uint8Array(32)): Uint8Array {
  for (let i = 0; i < 8; i++) {
    const v = h[i]!;
    out[4 * i] = v >>> 24;
    out[4 * i + 1] = (v >>> 16) & 0xff;
    out[4 * i + 2] = (v >>> 8) & 0xff;
    out[4 * i + 3] = v & 0xff;
  }
  return out;
}

export function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = new Sha256();
  for (const p of parts) h.update(p);
  return h.digest();
}
