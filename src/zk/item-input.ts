/**
 * The integer input a proof about a published item must be about, as any verifier derives it: the
 * item's text through the featurizer committed with the model (tokenizer, n-grams, hashing,
 * transform), quantized at the circuit's scale — exactly `integerInput` of src/zk/predict.ts for an
 * artifact with that featurizer — or, for an item published with features, those integers as is.
 * `featurizedInput` is the same computation for anything a featurizer takes (text, or float
 * features through a dense featurizer): what a served answer's components must be proven on.
 */
import { expectedGot } from '../core/errors.js';
import type { FeaturizerSpec } from '../ml/artifact-types.js';
import { quantizeFeatures } from '../ml/artifact.js';
import { makeFeaturizer, type FeaturizerInput } from '../ml/features/featurizer.js';
import type { PublicLayout } from '../statement/layout.js';

export type PublishedInput = { text: string } | { features: readonly (number | string)[] };

const featurizers = new Map<string, ReturnType<typeof makeFeaturizer>>();

/** Throws zk.noFeaturizer (text without a committed featurizer) or zk.featurizerMismatch (wrong width). */
export function itemIntegerInput(featurizer: FeaturizerSpec | null | undefined, layout: Pick<PublicLayout, 'scaleBits' | 'input'>, input: PublishedInput): bigint[] {
  if ('features' in input) return input.features.map((v) => BigInt(v));
  return featurizedInput(featurizer, layout, { text: input.text });
}

/**
 * The featurizer's vector of `input`, quantized at the circuit's scale and made dense (the node's
 * prediction and every verifier run this one function, so they cannot disagree). Throws
 * zk.noFeaturizer, zk.featurizerMismatch (wrong width) or featurizer.input (e.g. text for a dense featurizer).
 */
export function featurizedInput(featurizer: FeaturizerSpec | null | undefined, layout: { scaleBits: number; input: { count: number } }, input: FeaturizerInput): bigint[] {
  if (!featurizer) throw expectedGot('zk.noFeaturizer', 'model.featurizer', 'a featurizer committed with the model (a proof about text is bound through it)', 'none');
  const key = JSON.stringify(featurizer);
  let f = featurizers.get(key);
  if (!f) featurizers.set(key, (f = makeFeaturizer(featurizer)));
  if (f.dim !== layout.input.count) throw expectedGot('zk.featurizerMismatch', 'model.featurizer', `a featurizer of ${layout.input.count} features (the circuit's inputs)`, `${f.dim} features`);
  const q = quantizeFeatures({ scaleBits: layout.scaleBits }, f.transform(input));
  const out = new Array<bigint>(layout.input.count).fill(0n);
  for (let i = 0; i < q.indices.length; i++) out[q.indices[i]!] = BigInt(q.values[i]!);
  return out;
}

/** Inputs remembered by `sharedItemIntegerInput`: a few rounds of items under a few featurizers. */
const SHARED_LIMIT = 1024;
const shared = new Map<string, readonly bigint[]>();

/**
 * `itemIntegerInput`, remembered for text items: a node checks one batch proof per operator per
 * round, all over the same items, so operators committed with the same featurizer and scale need
 * the same integers and the text is featurized once per round instead of once per operator. The
 * result is frozen (it is shared); the least recently used entries are dropped past the limit.
 */
export function sharedItemIntegerInput(featurizer: FeaturizerSpec | null | undefined, layout: Pick<PublicLayout, 'scaleBits' | 'input'>, input: PublishedInput): readonly bigint[] {
  if ('features' in input || !featurizer) return itemIntegerInput(featurizer, layout, input);
  const key = `${JSON.stringify(featurizer)}\u0000${layout.scaleBits}\u0000${layout.input.count}\u0000${input.text}`;
  let x = shared.get(key);
  if (x) shared.delete(key);
  else x = Object.freeze(itemIntegerInput(featurizer, layout, input));
  shared.set(key, x);
  if (shared.size > SHARED_LIMIT) shared.delete(shared.keys().next().value!);
  return x;
}
