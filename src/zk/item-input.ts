/**
 * The integer input a proof about a published item must be about, as any verifier derives it: the
 * item's text through the featurizer committed with the model (tokenizer, n-grams, hashing,
 * transform), quantized at the circuit's scale — exactly `integerInput` of src/zk/predict.ts for an
 * artifact with that featurizer — or, for an item published with features, those integers as is.
 */
import { expectedGot } from '../core/errors.js';
import type { FeaturizerSpec } from '../ml/artifact-types.js';
import { quantizeFeatures } from '../ml/artifact.js';
import { makeFeaturizer } from '../ml/features/featurizer.js';
import type { PublicLayout } from '../statement/layout.js';

export type PublishedInput = { text: string } | { features: readonly (number | string)[] };

const featurizers = new Map<string, ReturnType<typeof makeFeaturizer>>();

/** Throws zk.noFeaturizer (text without a committed featurizer) or zk.featurizerMismatch (wrong width). */
export function itemIntegerInput(featurizer: FeaturizerSpec | null | undefined, layout: Pick<PublicLayout, 'scaleBits' | 'input'>, input: PublishedInput): bigint[] {
  if ('features' in input) return input.features.map((v) => BigInt(v));
  if (!featurizer) throw expectedGot('zk.noFeaturizer', 'model.featurizer', 'a featurizer committed with the model (a proof about text is bound through it)', 'none');
  const key = JSON.stringify(featurizer);
  let f = featurizers.get(key);
  if (!f) featurizers.set(key, (f = makeFeaturizer(featurizer)));
  if (f.dim !== layout.input.count) throw expectedGot('zk.featurizerMismatch', 'model.featurizer', `a featurizer of ${layout.input.count} features (the circuit's inputs)`, `${f.dim} features`);
  const q = quantizeFeatures({ scaleBits: layout.scaleBits }, f.transform({ text: input.text }));
  const out = new Array<bigint>(layout.input.count).fill(0n);
  for (let i = 0; i < q.indices.length; i++) out[q.indices[i]!] = BigInt(q.values[i]!);
  return out;
}
