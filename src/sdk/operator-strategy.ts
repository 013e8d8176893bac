import type { ProofAttachment } from '../events/types/zk.js';
import type { ModelArtifact } from '../ml/artifact-types.js';
import type { HindsightClient } from './client.js';
import type { ItemInputView, LabeledExample } from './operator-history.js';

/**
 * Numeric feature datasets travel in `round.items` as integers (event payloads carry no floats):
 * each feature is published as round(value · FEATURE_SCALE) and models divide it back.
 */
export const FEATURE_SCALE = 1000;

/** An item as an operator sees it once the round opens: id, number of outcomes, public input. */
export type OpenItem = { id: string; outcomes: number; input: ItemInputView };

/** Public market reads a strategy may use while trading (a copycat looks at revealed positions). */
export type MarketReader = Pick<HindsightClient, 'market'>;

/**
 * A belief backed by a proof of inference: exactly the integer belief (at PROB_SCALE) the proven
 * scores give (beliefFromScores), and the proof, attached to the trade when it is revealed.
 */
export type ProvenBelief = { belief: readonly bigint[]; proof: ProofAttachment };

/** A model ready for one round: the hash it commits and trades under, and how it forms beliefs. */
export type PreparedModel = {
  /**
   * The model hash: for a model artifact its Poseidon weight commitment (`modelHashOf`), the hash
   * its proofs carry; for anything else a `pseudoModelHash`.
   */
  modelHash: string;
  /** Free text for `model.commit` (e.g. "logreg hashed-ngrams 2^16"). */
  architecture: string;
  /** The fixed-point artifact `modelHash` commits to, when the strategy is a real model. */
  artifact?: ModelArtifact;
  /** Id of the published `zk.vkey` its proofs verify under; `model.commit` carries it. */
  vkey?: string;
  /**
   * Beliefs (probabilities over each item's outcomes, or proven beliefs) for the round's items, or
   * null to skip an item. May read public market state; never labels (a strategy has no client for them).
   */
  beliefs(round: number, items: readonly OpenItem[], market: MarketReader): Promise<(ArrayLike<number> | ProvenBelief | null)[]>;
};

export function isProvenBelief(b: ArrayLike<number> | ProvenBelief): b is ProvenBelief {
  return 'proof' in b;
}

/**
 * How an operator builds its model each round. `train` receives public history only (settled rounds
 * and the community's bootstrap corpus, see PublicHistory); returning a model with the same hash as
 * last round keeps trading under the already committed hash.
 */
export interface ModelStrategy {
  /** Name shown on the leaderboard (the model line; its hash changes when it retrains). */
  readonly name: string;
  train(history: readonly LabeledExample[], context: { round: number; classes: number }): Promise<PreparedModel>;
}

/** The numbers a featurizer takes from an item's public input. */
export function inputForFeaturizer(input: ItemInputView): { text?: string; features?: number[] } {
  if ('text' in input) return { text: input.text };
  return { features: input.features.map((v) => v / FEATURE_SCALE) };
}
