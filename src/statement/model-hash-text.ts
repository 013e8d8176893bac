import { expectedGot } from '../core/errors.js';
import { FIELD_R, isFieldElement } from './field.js';

/**
 * The text form of a model hash, as events and APIs carry it: "0x" and 64 lowercase hex digits of
 * a BN254 field element (a value below r, so the 64 digits never exceed r − 1). The same format
 * names any other field element (input hashes) in responses.
 */
export const MODEL_HASH_PATTERN = /^0x[0-9a-f]{64}$/;

/** A field element as 0x + 64 lowercase hex digits. */
export function fieldHex(v: bigint): string {
  if (!isFieldElement(v)) throw expectedGot('statement.notFieldElement', 'value', `an integer in [0, ${FIELD_R})`, v);
  return `0x${v.toString(16).padStart(64, '0')}`;
}

/** True when `text` is a model hash in canonical form (and therefore a field element). */
export function isModelHashText(text: string): boolean {
  return MODEL_HASH_PATTERN.test(text) && BigInt(text) < FIELD_R;
}

/** Parses a model hash in canonical form; throws "expected …, got …" for anything else. */
export function parseModelHash(text: string, field = 'modelHash'): bigint {
  if (!isModelHashText(text)) throw expectedGot('statement.badModelHash', field, 'a model hash: 0x and 64 lowercase hex digits of a BN254 field element', text);
  return BigInt(text);
}
