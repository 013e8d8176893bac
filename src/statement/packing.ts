/**
 * Packing of small signed integers into BN254 field elements, shared bit-for-bit by the JS side
 * (model hash, input binding) and the generated circuits (which unpack with one boolean constraint
 * per bit, so every packed value is range-checked for free).
 *
 * A value v of a `bits`-wide segment is stored as the code v + offset (offset = 2^(bits−1) when
 * signed, else 0), code ∈ [0, 2^bits); ⌊248 / bits⌋ codes fill a word, little-endian.
 */
import { expectedGot } from '../core/errors.js';

export const WORD_BITS = 248;

export type Segment = { name: string; count: number; bits: number; signed: boolean };

export type SegmentLayout = Segment & { perWord: number; words: number; offset: bigint };

export function segmentLayout(s: Segment): SegmentLayout {
  if (!Number.isInteger(s.bits) || s.bits < 1 || s.bits > 64) throw expectedGot('zk.bits', `${s.name}.bits`, 'an integer in 1..64', s.bits);
  const perWord = Math.floor(WORD_BITS / s.bits);
  return { ...s, perWord, words: Math.ceil(s.count / perWord), offset: s.signed ? 1n << BigInt(s.bits - 1) : 0n };
}

/** Packs `values` per the layout, throwing "expected …, got …" for any value out of range. */
export function packSegment(layout: SegmentLayout, values: readonly (number | bigint)[]): bigint[] {
  if (values.length !== layout.count) throw expectedGot('zk.packLength', `${layout.name}.length`, String(layout.count), values.length);
  const limit = 1n << BigInt(layout.bits);
  const words: bigint[] = [];
  for (let w = 0; w < layout.words; w++) {
    let word = 0n;
    const end = Math.min(layout.count, (w + 1) * layout.perWord);
    for (let i = end - 1; i >= w * layout.perWord; i--) {
      const v = values[i];
      if (typeof v === 'number' && !Number.isInteger(v)) throw expectedGot('zk.packValue', `${layout.name}[${i}]`, 'an integer', v);
      const code = BigInt(v) + layout.offset;
      if (code < 0n || code >= limit) {
        const lo = -layout.offset;
        throw expectedGot('zk.packRange', `${layout.name}[${i}]`, `an integer in [${lo}, ${limit - layout.offset - 1n}] (${layout.bits}-bit ${layout.signed ? 'signed' : 'unsigned'})`, v);
      }
      word = (word << BigInt(layout.bits)) | code;
    }
    words.push(word);
  }
  return words;
}

/** Inverse of packSegment (for tests and decoding). */
export function unpackSegment(layout: SegmentLayout, words: readonly bigint[]): bigint[] {
  const out: bigint[] = [];
  const mask = (1n << BigInt(layout.bits)) - 1n;
  for (let i = 0; i < layout.count; i++) {
    const w = words[Math.floor(i / layout.perWord)];
    const shift = BigInt((i % layout.perWord) * layout.bits);
    out.push(((w >> shift) & mask) - layout.offset);
  }
  return out;
}
