/**
 * The hash binding of an input vector: what a hash-bound proof exposes instead of the features.
 * hash = chainHash(INPUT_TAG ‖ count ‖ bits ‖ signed, packed words) with the model hash's Poseidon
 * chain (src/ml/commitment/poseidon.ts) and packing (src/statement/packing.ts).
 */
import { chainHash } from '../ml/commitment/poseidon.js';
import type { InputSpec } from '../statement/layout.js';
import { packSegment, segmentLayout, type SegmentLayout } from '../statement/packing.js';

/** "HSI1" — domain separation from model hashes. */
const INPUT_TAG = 0x48534931n;

export function inputLayout(spec: InputSpec): SegmentLayout {
  return segmentLayout({ name: 'x', count: spec.count, bits: spec.bits, signed: spec.signed });
}

export function inputHeader(spec: InputSpec): bigint {
  return (((INPUT_TAG << 32n) | BigInt(spec.count)) << 16n | BigInt(spec.bits)) << 8n | (spec.signed ? 1n : 0n);
}

/** Poseidon binding of one input vector. */
export async function inputHash(spec: InputSpec, x: readonly (number | bigint)[]): Promise<bigint> {
  return chainHash(inputHeader(spec), packSegment(inputLayout(spec), x));
}
