import { createHash } from 'node:crypto';
import type { FeaturizerSpec } from '../../ml/artifact-types.js';
import { fixedClassifier, makeFeaturizer, modelHashOf, toArtifact, trainLogReg, trainMlp, trainNaiveBayes, LinearModel, type ExportableModel, type Featurizer } from '../../ml/index.js';
import { csrFromRows, type SparseVector } from '../../ml/features/sparse.js';
import type { LabeledExample } from '../operator-history.js';
import { inputForFeaturizer, type ModelStrategy, type OpenItem, type PreparedModel } from '../operator-strategy.js';

/**
 * A model line trained with the ML toolkit: featurize public history, train one family, export the
 * fixed-point artifact, commit its model hash (the Poseidon weight commitment, `modelHashOf`), and
 * trade the artifact's own (fixed-point) probabilities — what a ZK proof of this model attests to.
 */
export type MlRecipe = {
  name: string;
  family: 'logreg' | 'mlp' | 'naive-bayes';
  /** Hashed n-gram buckets for text (ignored for numeric features). */
  buckets: number;
  ngrams: number[];
  /** Count transform for text (default tf-l2; naive Bayes wants raw-ish counts: log1p or binary). */
  transform?: 'tf-l2' | 'log1p' | 'binary';
  /** Train on this seeded share of the public history only (a data-poor operator). Default 1. */
  trainFraction?: number;
  /**
   * Multiplies the trained weights (logits): > 1 makes an overconfident model. The scaled weights
   * are what gets committed, so the traded beliefs are still exactly the committed model's.
   */
  sharpen?: number;
  hidden?: number;
  epochs?: number;
  seed?: number;
  /** Fixed-point weight width of the committed artifact (default 16). */
  weightBits?: number;
};

function featurizerSpec(recipe: MlRecipe, history: readonly LabeledExample[]): FeaturizerSpec {
  const first = history[0]?.input;
  if (first && 'features' in first) return { kind: 'dense', size: first.features.length };
  return { kind: 'hashed-ngrams', buckets: recipe.buckets, ngrams: recipe.ngrams, lowercase: true, transform: recipe.transform ?? 'tf-l2' };
}

/** Deterministic membership in a data-poor operator's share: by a hash of the example, stable as history grows. */
function inShare(recipe: MlRecipe, example: LabeledExample): boolean {
  const f = recipe.trainFraction ?? 1;
  if (f >= 1) return true;
  const h = createHash('sha256').update(`${recipe.name}:${recipe.seed ?? 1}:${example.round}/${example.item}`).digest();
  return h.readUInt32BE(0) / 2 ** 32 < f;
}

function sharpened(model: ExportableModel, factor: number): ExportableModel {
  if (factor === 1 || !(model instanceof LinearModel)) return model;
  return new LinearModel(model.family, model.inputs, model.classes, model.binary, model.W.map((w) => w * factor), model.b.map((b) => b * factor));
}

export class MlStrategy implements ModelStrategy {
  readonly name: string;
  #featurizer: Featurizer | null = null;
  /** Featurized history by `${round}/${item}`: settled items never change. */
  readonly #cache = new Map<string, SparseVector>();

  constructor(readonly recipe: MlRecipe) {
    this.name = recipe.name;
  }

  #vector(featurizer: Featurizer, key: string, input: LabeledExample['input']): SparseVector {
    let v = this.#cache.get(key);
    if (!v) {
      v = featurizer.transform(inputForFeaturizer(input));
      this.#cache.set(key, v);
    }
    return v;
  }

  async train(history: readonly LabeledExample[], context: { round: number; classes: number }): Promise<PreparedModel> {
    const recipe = this.recipe;
    const spec = featurizerSpec(recipe, history);
    const featurizer = (this.#featurizer ??= makeFeaturizer(spec));
    const chosen = history.filter((e) => inShare(recipe, e));
    const rows = chosen.map((e) => this.#vector(featurizer, `${e.round}/${e.item}`, e.input));
    const X = csrFromRows(rows, featurizer.dim);
    const y = Int32Array.from(chosen, (e) => e.label);
    const options = { classes: context.classes, seed: recipe.seed ?? 1 };
    const trained: ExportableModel =
      recipe.family === 'logreg'
        ? trainLogReg(X, y, { ...options, ...(recipe.epochs ? { epochs: recipe.epochs } : {}) })
        : recipe.family === 'mlp'
          ? trainMlp(X, y, { ...options, hidden: recipe.hidden ?? 16, ...(recipe.epochs ? { epochs: recipe.epochs } : {}) })
          : trainNaiveBayes(X, y, options);
    const model = sharpened(trained, recipe.sharpen ?? 1);
    const labels = Array.from({ length: context.classes }, (_, k) => String(k));
    const artifact = toArtifact(model, { name: `${recipe.name}@round-${context.round}`, featurizer: spec, labels, weightBits: recipe.weightBits });
    const classifier = fixedClassifier(artifact);
    const architecture = spec.kind === 'dense' ? `${recipe.family} dense(${spec.size})` : `${recipe.family} hashed-ngrams 2^${Math.log2(spec.buckets)} n=${spec.ngrams.join(',')}`;
    return {
      modelHash: await modelHashOf(artifact),
      artifact,
      architecture,
      beliefs: async (_round: number, items: readonly OpenItem[]) => items.map((item) => classifier.predictProba(featurizer.transform(inputForFeaturizer(item.input)))),
    };
  }
}
