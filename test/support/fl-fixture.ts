/**
 * Fixtures for federated tasks over a node: mailbox shards of SpamAssassin for each controller, the
 * operator's validation slice, and a small recipe (2^10 hashed n-gram buckets, two SecAgg groups).
 */
import { loadSpamAssassin } from '../../src/ml/data/spam-assassin.js';
import { trainTestSplit } from '../../src/ml/data/split.js';
import { makeFeaturizer, hashedNgramSpec } from '../../src/ml/features/featurizer.js';
import type { TaskRecipe } from '../../src/fl/net/protocol.js';

export type Shard = { text: string; label: number }[];

export function flShards(controllers: number, perController: number, validation = 200): { shards: Shard[]; validation: Shard; test: Shard } {
  const { train, test } = trainTestSplit(loadSpamAssassin(), { seed: 7, testFraction: 0.2 });
  const items = train.items.map((it) => ({ text: it.text!, label: it.label }));
  const shards = Array.from({ length: controllers }, (_, k) => items.slice(validation + k * perController, validation + (k + 1) * perController));
  return { shards, validation: items.slice(0, validation), test: test.items.slice(0, 400).map((it) => ({ text: it.text!, label: it.label })) };
}

export function smallRecipe(overrides: Partial<TaskRecipe> = {}): TaskRecipe {
  const featurizer = hashedNgramSpec({ buckets: 1 << 10 });
  const dim = makeFeaturizer(featurizer).dim + 1;
  return { family: 'logreg', featurizer, dim, epochs: 2, learningRate: 2, batchSize: 8, clipNorm: 1, biasClip: 0.1, noiseStd: 0.05, coordinateBound: 3, groups: 2, thresholdFraction: 0.5, ...overrides };
}
