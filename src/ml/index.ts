/**
 * The ML toolkit's public API (what the demo, the SDK and the CLI import):
 *   datasets → featurizer → trainLogReg / trainMlp / trainNaiveBayes → metrics → toArtifact → hash.
 * See docs/ml.md for the decisions behind each piece.
 */
export type { Dataset, DatasetItem } from './data/dataset.js';
export { classCounts, labelsOf, withItems } from './data/dataset.js';
export { loadSpamAssassin, loadSpamAssassinWithStats, type SpamAssassinStats } from './data/spam-assassin.js';
export { loadJsonlDataset, parseJsonlDataset, toJsonl, DATASET_LINE_INVALID, type JsonlOptions } from './data/jsonl.js';
export { trainTestSplit, planRounds, roundStream, type RoundSet, type RoundPlan, type RoundPlanOptions } from './data/split.js';
export { makeFeaturizer, hashedNgramSpec, featurizerSpecFor, tokenize, type Featurizer } from './features/featurizer.js';
export { csrFromRows, csrRow, csrSelect, type CsrMatrix, type SparseVector } from './features/sparse.js';
export { argmax, predictProbaAll, type Classifier, type ModelFamily } from './models/model.js';
export { LinearModel } from './models/linear.js';
export { trainLogReg, type LogRegOptions } from './models/logreg.js';
export { trainMlp, MlpModel, type MlpOptions } from './models/mlp.js';
export { trainNaiveBayes, type NaiveBayesOptions } from './models/naive-bayes.js';
export * as metrics from './metrics.js';
export { makeRng, deriveSeed, permutation, type Rng } from './rng.js';
export { withLabelNoise } from './noise.js';
export { trainRecipe, qualityLadder, type Recipe, type TrainedModel } from './recipes.js';
export {
  toArtifact,
  chooseScaleBits,
  quantizeFeatures,
  quantizedDense,
  fixedScores,
  fixedPredict,
  fixedProba,
  fixedClassifier,
  checkAgreement,
  modelHashOf,
  saveArtifact,
  loadArtifact,
  parseArtifact,
  canonicalArtifactJson,
  modelFromArtifact,
  type ArtifactOptions,
  type AgreementReport,
  type ExportableModel,
} from './artifact.js';
export { validateArtifact } from './artifact-schema.js';
export type { ModelArtifact, FeaturizerSpec } from './artifact-types.js';
