/**
 * Fixed-point quantization of real vectors into the ring Z_{2^32} (two's complement), the space in
 * which secure aggregation adds masked updates. Coordinates are clipped to ±bound and stochastically
 * rounded (unbiased: E[q(v)] = v·2^scaleBits), so the dequantized sum is an unbiased estimate of the
 * real sum. The scale is chosen so that the sum of `summands` quantized values cannot wrap.
 */
import { expectedGot } from '../../core/errors.js';
import type { Rng } from '../../ml/rng.js';

export type Quantizer = { bound: number; scaleBits: number };

/** The finest scale at which `summands` values in [−bound, bound] sum without overflowing int32. */
export function quantizerFor(bound: number, summands: number): Quantizer {
  if (!(Number.isFinite(bound) && bound > 0)) throw expectedGot('fl.quantize.invalid', 'bound', 'a positive finite number', bound);
  if (!(Number.isInteger(summands) && summands >= 1)) throw expectedGot('fl.quantize.invalid', 'summands', 'a positive integer', summands);
  // |Σ q_i| ≤ summands · (bound·2^s + 1) must stay < 2^31.
  const scaleBits = Math.floor(Math.log2((2 ** 31 / summands - 1) / bound));
  if (scaleBits < 1) throw expectedGot('fl.quantize.invalid', 'summands·bound', 'small enough to leave ≥ 1 fractional bit in 32 bits', summands * bound);
  return { bound, scaleBits: Math.min(scaleBits, 40) };
}

export function quantize(values: ArrayLike<number>, q: Quantizer, rng: Rng): Uint32Array {
  const scale = 2 ** q.scaleBits;
  const out = new Uint32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) throw expectedGot('fl.quantize.invalid', `values[${i}]`, 'a number', v);
    const scaled = Math.max(-q.bound, Math.min(q.bound, v)) * scale;
    const floor = Math.floor(scaled);
    out[i] = floor + (rng.next() < scaled - floor ? 1 : 0); // typed array store wraps negatives mod 2^32
  }
  return out;
}

/** Ring elements read as signed int32 and scaled back to reals. */
export function dequantize(ring: Uint32Array, q: Quantizer): Float64Array {
  const signed = new Int32Array(ring.buffer, ring.byteOffset, ring.length);
  const inv = 2 ** -q.scaleBits;
  const out = new Float64Array(ring.length);
  for (let i = 0; i < ring.length; i++) out[i] = signed[i]! * inv;
  return out;
}

/** Σ vectors mod 2^32. */
export function ringSum(vectors: readonly Uint32Array[], length: number): Uint32Array {
  const sum = new Uint32Array(length);
  for (const v of vectors) {
    if (v.length !== length) throw expectedGot('fl.quantize.invalid', 'vector length', String(length), v.length);
    for (let i = 0; i < length; i++) sum[i] = sum[i]! + v[i]!;
  }
  return sum;
}
