import { createHash } from 'node:crypto';
import { FIELD_R } from './field.js';
import { fieldHex } from './model-hash-text.js';

/**
 * A name for a non-provable model: sha256(label) reduced mod the field order, in the model-hash
 * text format. For strategies that are not committed artifacts (a copycat, test and bench actors):
 * it looks like a model hash and is accepted wherever one is, but no artifact hashes to it, so no
 * proof can ever be made for it.
 */
export function pseudoModelHash(label: string): string {
  const digest = createHash('sha256').update(`hindsight-pseudo-model:${label}`).digest('hex');
  return fieldHex(BigInt(`0x${digest}`) % FIELD_R);
}
