/**
 * The contract between training (src/ml), proving (src/zk) and the game: a model artifact is its
 * architecture plus integer (fixed-point) weights. Everything that needs bit-exact agreement — the
 * JS fixed-point model, the circom circuit, the model hash — reads this shape.
 *
 * Fixed point: a real value v is stored as round(v · 2^scaleBits). Inputs use the same scale.
 *  - logreg: score[k] = Σ_j W[k][j]·x[j] + b[k]·2^scaleBits          (scores at scale 2^(2·scaleBits))
 *            binary (one row): score = w·x + b·2^F is the logit of class 1; class 0 has logit 0.
 *  - mlp:    a[i] = Σ_j W1[i][j]·x[j] + b1[i]·2^F;  h[i] = max(0, floor(a[i] / 2^F));
 *            score[k] = Σ_i W2[k][i]·h[i] + b2[k]·2^F                 (scale 2^(2F))
 * Predicted class = argmax of score (lowest index wins ties). Probabilities = softmax(score / 2^(2F)).
 *
 * Clarifications (no change of meaning): round() is half away from zero (src/ml/artifact.ts
 * `roundHalfAway`, used by `toArtifact` and `quantizeFeatures`); every weight and bias is a signed
 * integer in [−2^(weightBits−1), 2^(weightBits−1) − 1]; FeaturizerSpec semantics (tokenization,
 * FNV-1a n-gram hashing, transforms) are defined in src/ml/features/featurizer.ts and docs/ml.md.
 */
export type FeaturizerSpec =
  | { kind: 'hashed-ngrams'; buckets: number; ngrams: number[]; lowercase: boolean; transform: 'log1p' | 'binary' | 'tf-l2' }
  | { kind: 'dense'; size: number };

export type LogRegArch = { kind: 'logreg'; inputs: number; classes: number; binary: boolean };
export type MlpArch = { kind: 'mlp'; inputs: number; hidden: number; classes: number };
/**
 * One layer of a `net` (any depth; src/ml/net.ts): `dense` acts on the flattened tensor (C, H, W
 * order), `conv` is a valid (unpadded) 2-D convolution with a square kernel, `pool` a square
 * max or average window (average: the window area must be a power of two, floor division).
 * Every dense/conv layer but the last is followed by the rescale floor(a / 2^F), then ReLU if set.
 */
export type NetLayer =
  | { op: 'dense'; outputs: number; relu: boolean }
  | { op: 'conv'; channels: number; kernel: number; stride: number; relu: boolean }
  | { op: 'pool'; mode: 'max' | 'avg'; size: number; stride: number };
/** A layered network; `shape` = the input tensor [channels, height, width], inputs = C·H·W. */
export type NetArch = { kind: 'net'; inputs: number; shape: [number, number, number]; classes: number; layers: NetLayer[] };
export type ModelArch = LogRegArch | MlpArch | NetArch;

/** Integer weights as decimal strings would be safest for huge values; |w| < 2^31 keeps them numbers. */
export type LogRegWeights = { W: number[][]; b: number[] };
export type MlpWeights = { W1: number[][]; b1: number[]; W2: number[][]; b2: number[] };
/** One {W, b} per dense/conv layer in order: dense W[out][in]; conv W[outC][inC·k·k] (c, ky, kx order). */
export type NetWeights = { layers: { W: number[][]; b: number[] }[] };

export type ModelArtifact = {
  format: 'hindsight-model/1';
  name: string;
  arch: ModelArch;
  featurizer: FeaturizerSpec;
  /** Class labels in index order, e.g. ["ham", "spam"]. */
  labels: string[];
  scaleBits: number;
  /** Bits each weight fits in as a signed integer (e.g. 8 or 16); circuits range-check against it. */
  weightBits: number;
  weights: LogRegWeights | MlpWeights | NetWeights;
};
