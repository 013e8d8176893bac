import { describe, expect, it } from 'vitest';
import type { FeaturizerSpec } from '../ml/artifact-types.js';
import { itemIntegerInput, sharedItemIntegerInput } from './item-input.js';

const featurizer: FeaturizerSpec = { kind: 'hashed-ngrams', buckets: 16, ngrams: [1], lowercase: true, transform: 'binary' };
const layout = { scaleBits: 4, input: { count: 16, bits: 5, signed: false } };

describe('item inputs shared across the batches of a round', () => {
  it('equals the featurized input, featurizes a text once per featurizer and scale, and is frozen', () => {
    const text = 'cheap pills now, cheap';
    const first = sharedItemIntegerInput(featurizer, layout, { text });
    expect(first).toEqual(itemIntegerInput(featurizer, layout, { text }));
    expect(first.some((v) => v !== 0n)).toBe(true);
    expect(sharedItemIntegerInput({ ...featurizer }, layout, { text })).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    const otherScale = sharedItemIntegerInput(featurizer, { ...layout, scaleBits: 2 }, { text });
    expect(otherScale).not.toBe(first);
    expect(otherScale).toEqual(itemIntegerInput(featurizer, { ...layout, scaleBits: 2 }, { text }));
    const bigrams = sharedItemIntegerInput({ ...featurizer, ngrams: [1, 2] }, layout, { text });
    expect(bigrams).toEqual(itemIntegerInput({ ...featurizer, ngrams: [1, 2] }, layout, { text }));
    expect(sharedItemIntegerInput(featurizer, layout, { text: 'meeting at noon' })).toEqual(itemIntegerInput(featurizer, layout, { text: 'meeting at noon' }));
  });

  it('keeps the refusals of the unshared form and passes published features through', () => {
    expect(() => sharedItemIntegerInput(null, layout, { text: 'x' })).toThrow(expect.objectContaining({ code: 'zk.noFeaturizer' }));
    expect(() => sharedItemIntegerInput({ ...featurizer, buckets: 32 }, layout, { text: 'x' })).toThrow(expect.objectContaining({ code: 'zk.featurizerMismatch' }));
    expect(sharedItemIntegerInput(featurizer, layout, { features: ['1', 2] })).toEqual([1n, 2n]);
  });
});
