/**
 * Range of a model's integer inputs, which the circuit enforces (and packs by). Derived from the
 * featurizer: the fixed-point value of a feature v is round(v·2^F).
 *  - hashed-ngrams binary / tf-l2: v ∈ [0, 1]           → unsigned, F+1 bits
 *  - hashed-ngrams log1p:          v = ln(1+count) < 32  → unsigned, F+5 bits
 *  - dense:                        |v| < 128 by default  → signed,   F+8 bits (override per model)
 */
import { expectedGot } from '../core/errors.js';
import type { ModelArtifact } from '../ml/artifact-types.js';
import type { InputSpec } from '../statement/layout.js';

export type InputRange = { bits?: number; signed?: boolean };

export function inputSpecOf(a: ModelArtifact, override: InputRange = {}): InputSpec {
  const F = a.scaleBits;
  const f = a.featurizer;
  let bits: number;
  let signed: boolean;
  if (f.kind === 'hashed-ngrams') {
    signed = false;
    bits = f.transform === 'log1p' ? F + 5 : F + 1;
  } else {
    signed = true;
    bits = F + 8;
  }
  bits = override.bits ?? bits;
  signed = override.signed ?? signed;
  if (!Number.isInteger(bits) || bits < 1 || bits > 64) throw expectedGot('zk.inputBits', 'inputBits', 'an integer in 1..64', bits);
  return { count: a.arch.inputs, bits, signed };
}
