/**
 * The BN254 scalar field, in which every public signal of a proof and every model hash lives.
 * Signed integers (scores, features) are encoded as residues: v ↦ v mod r, and decoded back by
 * taking residues above r/2 as negative.
 */

/** The BN254 scalar field order r. */
export const FIELD_R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** True for an integer in [0, r). */
export function isFieldElement(v: bigint): boolean {
  return v >= 0n && v < FIELD_R;
}

/** Encodes a signed integer as a field element (negative v ↦ r − |v|). */
export function toField(v: bigint): bigint {
  const m = v % FIELD_R;
  return m < 0n ? m + FIELD_R : m;
}

/** Decodes a field element back to a signed integer: residues above r/2 are negative. */
export function fromField(v: bigint): bigint {
  return v > FIELD_R / 2n ? v - FIELD_R : v;
}
