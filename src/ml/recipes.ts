import type { FeaturizerSpec, ModelArtifact } from './artifact-types.js';
import { fixedClassifier, toArtifact, type ExportableModel } from './artifact.js';
import type { Dataset, DatasetItem } from './data/dataset.js';
import { labelsOf } from './data/dataset.js';
import { featurizerSpecFor, makeFeaturizer, type Featurizer, type FeaturizerInput } from './features/featurizer.js';
import { trainLogReg } from './models/logreg.js';
import type { Classifier } from './models/model.js';
import { trainMlp } from './models/mlp.js';
import { trainNaiveBayes } from './models/naive-bayes.js';
import { withLabelNoise } from './noise.js';
import { deriveSeed } from './rng.js';

/**
 * A recipe is everything needed to train one model from a list of labeled items: family,
 * featurizer overrides, and the "handicaps" (fewer buckets, fewer rows, label noise) that make
 * models of clearly different quality for the demo. trainRecipe returns the float model, its
 * fixed-point artifact, and a predictor that answers with the *fixed-point* model — the one the
 * model hash (`modelHashOf(artifact)`, async: a Poseidon commitment) names and a proof would attest.
 */
export type Recipe = {
  name: string;
  family: 'logreg' | 'mlp' | 'naive-bayes';
  /** Overrides for the hashed n-gram featurizer (ignored for feature datasets). */
  features?: Partial<Extract<FeaturizerSpec, { kind: 'hashed-ngrams' }>>;
  /** Train on at most this many of the given items (the first ones). */
  maxTrainRows?: number;
  /** Fraction of training labels replaced by a random other class. */
  labelNoise?: number;
  hidden?: number;
  epochs?: number;
  learningRate?: number;
  l2?: number;
  /** Fixed-point weight width (default 16). */
  weightBits?: number;
};

export type TrainedModel = {
  recipe: Recipe;
  featurizer: Featurizer;
  model: ExportableModel;
  artifact: ModelArtifact;
  /** Beliefs of the committed fixed-point model for one item (text or features). */
  predictProba(item: FeaturizerInput): Float64Array;
  /** The fixed-point model as a Classifier over featurized inputs. */
  fixed: Classifier;
  trainRows: number;
};

export function trainRecipe(recipe: Recipe, dataset: Pick<Dataset, 'kind' | 'featureSize' | 'labels'>, items: readonly DatasetItem[], seed = 1): TrainedModel {
  const rows = recipe.maxTrainRows !== undefined ? items.slice(0, recipe.maxTrainRows) : items;
  const K = dataset.labels.length;
  const defaults: Partial<Extract<FeaturizerSpec, { kind: 'hashed-ngrams' }>> = recipe.family === 'naive-bayes' ? { transform: 'log1p' } : {};
  const spec = featurizerSpecFor(dataset, { ...defaults, ...recipe.features });
  const featurizer = makeFeaturizer(spec, { cache: true });
  const X = featurizer.transformAll(rows);
  const clean = labelsOf(rows);
  const s = deriveSeed(seed, recipe.name);
  const y = recipe.labelNoise ? withLabelNoise(clean, recipe.labelNoise, K, s) : clean;
  const common = { seed: s, classes: K, epochs: recipe.epochs, learningRate: recipe.learningRate, l2: recipe.l2 };
  const model: ExportableModel =
    recipe.family === 'logreg'
      ? trainLogReg(X, y, common)
      : recipe.family === 'mlp'
        ? trainMlp(X, y, { ...common, hidden: recipe.hidden })
        : trainNaiveBayes(X, y, { classes: K });
  const artifact = toArtifact(model, { name: recipe.name, featurizer: spec, labels: dataset.labels, weightBits: recipe.weightBits ?? 16 });
  const fixed = fixedClassifier(artifact);
  return {
    recipe,
    featurizer,
    model,
    artifact,
    predictProba: (item) => fixed.predictProba(featurizer.transform(item)),
    fixed,
    trainRows: rows.length,
  };
}

/**
 * A ladder of models of clearly different quality (best first, measured on SpamAssassin and the
 * CMUdict syllable set in docs/ml.md): full MLP and LR, naive Bayes, then LR handicapped by tiny
 * hashing, few rows, and label noise.
 */
export function qualityLadder(features: Recipe['features'] = {}): Recipe[] {
  const ladder: Recipe[] = [
    { name: 'mlp-h16', family: 'mlp', hidden: 16, features: { transform: 'log1p' } },
    { name: 'logreg-16k', family: 'logreg' },
    { name: 'naive-bayes-16k', family: 'naive-bayes' },
    { name: 'logreg-256b-400rows', family: 'logreg', features: { buckets: 256, ngrams: [1] }, maxTrainRows: 400 },
    { name: 'logreg-noisy-30pct', family: 'logreg', features: { buckets: 1024, ngrams: [1] }, maxTrainRows: 300, labelNoise: 0.3 },
  ];
  // Caller overrides (e.g. character n-grams [1, 2, 3] for spelled-out words) apply to every rung,
  // but the handicapped rungs keep their small bucket counts.
  return ladder.map((r) => ({ ...r, features: { ...features, ...r.features } }));
}
