import { fixedClassifier, makeFeaturizer, modelHashOf, toArtifact } from '../../ml/index.js';
import type { FeaturizerSpec } from '../../ml/artifact-types.js';
import { toLinearModel } from '../../fl/training/local-train.js';
import type { LabeledExample } from '../operator-history.js';
import { inputForFeaturizer, type ModelStrategy, type OpenItem, type PreparedModel } from '../operator-strategy.js';

/**
 * A model line whose weights come from a federated task rather than from public history: the
 * task's final logistic-regression weights, exported as a fixed-point artifact and committed by its
 * Poseidon model hash — a provable model that trades like any other. It ignores the public history
 * (its training happened on the members' data); `setWeights` swaps in a later task's model.
 */
export class FederatedStrategy implements ModelStrategy {
  #weights: Float64Array;
  #prepared: { key: Float64Array; model: PreparedModel } | undefined;

  constructor(readonly name: string, private readonly featurizer: FeaturizerSpec, weights: Float64Array) {
    this.#weights = weights;
  }

  setWeights(weights: Float64Array): void {
    this.#weights = weights;
  }

  async train(_history: readonly LabeledExample[], context: { round: number; classes: number }): Promise<PreparedModel> {
    // Same weights, same commitment: the operator keeps trading under the hash it committed.
    if (this.#prepared?.key === this.#weights) return this.#prepared.model;
    const featurizer = makeFeaturizer(this.featurizer);
    const artifact = toArtifact(toLinearModel(this.#weights), { name: `${this.name}@round-${context.round}`, featurizer: this.featurizer, labels: ['0', '1'] });
    const classifier = fixedClassifier(artifact);
    const model: PreparedModel = {
      modelHash: await modelHashOf(artifact),
      artifact,
      architecture: `logreg (federated) ${this.featurizer.kind}`,
      beliefs: async (_round: number, items: readonly OpenItem[]) => items.map((item) => classifier.predictProba(featurizer.transform(inputForFeaturizer(item.input)))),
    };
    this.#prepared = { key: this.#weights, model };
    return model;
  }
}
