import { describe, expect, it } from 'vitest';
import { loadJsonlDataset } from './data/jsonl.js';
import { trainTestSplit } from './data/split.js';
import { fixedProba, modelHashOf, quantizeFeatures } from './artifact.js';
import { logLoss } from './metrics.js';
import { withLabelNoise } from './noise.js';
import { qualityLadder, trainRecipe } from './recipes.js';

describe('withLabelNoise', () => {
  it('flips about `rate` of the labels, always to another class, deterministically', () => {
    const y = Int32Array.from({ length: 4000 }, (_, i) => i % 4);
    const noisy = withLabelNoise(y, 0.3, 4, 9);
    let flipped = 0;
    for (let i = 0; i < y.length; i++) if (noisy[i] !== y[i]) flipped++;
    expect(Math.abs(flipped / y.length - 0.3)).toBeLessThan(0.03);
    expect(noisy.every((v) => v >= 0 && v < 4)).toBe(true);
    expect(withLabelNoise(y, 0.3, 4, 9)).toEqual(noisy);
    expect(withLabelNoise(y, 0, 4, 9)).toEqual(y);
  });
});

describe('quality ladder on the K = 4 syllable dataset', () => {
  const ds = loadJsonlDataset(new URL('../../data/cmudict-syllables.jsonl', import.meta.url).pathname);
  const { train, test } = trainTestSplit(ds, { seed: 3, testFraction: 0.1 });
  const trainItems = train.items.slice(0, 3000);
  const y = test.items.map((i) => i.label);
  const ladder = qualityLadder({ ngrams: [1, 2, 3], buckets: 4096 });
  const trained = ladder.map((r) => trainRecipe(r, ds, trainItems, 5));

  it('gives models with distinct hashes, committed fixed-point beliefs, and a spread of log losses', async () => {
    const hashes = await Promise.all(trained.map((t) => modelHashOf(t.artifact)));
    expect(new Set(hashes).size).toBe(ladder.length);
    const losses = trained.map((t) => logLoss(test.items.map((it) => t.predictProba(it)), y));
    // The strongest rung clearly beats the handicapped ones, which are clearly worse than chance-free.
    const [mlp, lr, , tiny, noisy] = losses;
    expect(Math.min(mlp, lr)).toBeLessThan(tiny - 0.05);
    expect(tiny).toBeLessThan(noisy);
    expect(noisy).toBeLessThan(Math.log(4) + 0.1);
    // predictProba answers with the artifact (what the hash commits to), not the float model.
    const t = trained[1], item = test.items[0];
    expect(Array.from(t.predictProba(item))).toEqual(Array.from(fixedProba(t.artifact, quantizeFeatures(t.artifact, t.featurizer.transform(item)))));
    expect(trained[3].trainRows).toBe(400);
  });

  it('is deterministic for a seed', async () => {
    const hash = await modelHashOf(trained[4].artifact);
    expect(await modelHashOf(trainRecipe(ladder[4], ds, trainItems, 5).artifact)).toBe(hash);
    expect(await modelHashOf(trainRecipe(ladder[4], ds, trainItems, 6).artifact)).not.toBe(hash);
  });
});
