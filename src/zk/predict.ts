/**
 * Proven inference as a service call: item → features → fixed-point prediction, optionally with a
 * Groth16 proof. `predict` is what `hindsight predict` and the node's `POST /v1/predict` return;
 * `verifyPrediction` checks such a response offline.
 */
import type { ModelArtifact } from '../ml/artifact-types.js';
import { fixedScores, modelHashOf } from '../ml/artifact.js';
import type { FeaturizerInput } from '../ml/features/featurizer.js';
import { expectedGot } from '../core/errors.js';
import { PROB_SCALE } from '../market/index.js';
import { beliefFromScores } from '../statement/belief.js';
import type { Groth16Proof, VerificationKey } from '../statement/groth16.js';
import type { InputBinding, PublicLayout } from '../statement/layout.js';
import { buildModelCircuit, proveInference, verifyInference, type VerifyResult } from './inference.js';
import { featurizedInput } from './item-input.js';

/** An item to predict: text or dense float features (featurized per the artifact), or integers. */
export type PredictInput = FeaturizerInput | { x: (number | string)[] };

export type PredictResponse = {
  prediction: string;
  predictedClass: number;
  probabilities: number[];
  modelHash: string;
  scores: string[];
  /** The quantized integer input the prediction (and proof) is about. */
  x: string[];
  proof?: Groth16Proof;
  publicSignals?: string[];
  layout?: PublicLayout;
  /** Verification key of the circuit (self-asserted; verifiers should get it from model.commit). */
  vkey?: VerificationKey;
  insecureSetup?: boolean;
};

export function integerInput(a: ModelArtifact, input: PredictInput): bigint[] {
  if ('x' in input) {
    if (!Array.isArray(input.x) || input.x.length !== a.arch.inputs) throw expectedGot('zk.input', 'x', `${a.arch.inputs} integers`, input.x);
    return input.x.map((v, i) => {
      if (!/^-?\d+$/.test(String(v))) throw expectedGot('zk.input', `x[${i}]`, 'an integer', v);
      return BigInt(v);
    });
  }
  return featurizedInput(a.featurizer, { scaleBits: a.scaleBits, input: { count: a.arch.inputs } }, input);
}

/**
 * Class probabilities of integer scores: the belief a trade backed by this prediction's proof must
 * carry (beliefFromScores, exact at PROB_SCALE), as fractions.
 */
export function probabilities(a: ModelArtifact, scores: readonly bigint[]): number[] {
  return beliefFromScores(scores, a.scaleBits).map((p) => Number(p) / Number(PROB_SCALE));
}

function argmaxOf(a: ModelArtifact, scores: readonly bigint[]): number {
  if (a.arch.kind === 'logreg' && a.arch.binary) return scores[0] > 0n ? 1 : 0;
  let best = 0;
  for (let k = 1; k < scores.length; k++) if (scores[k] > scores[best]) best = k;
  return best;
}

export type PredictOptions = { prove?: boolean; binding?: InputBinding; ptau?: string };

export async function predict(a: ModelArtifact, input: PredictInput, options: PredictOptions = {}): Promise<PredictResponse> {
  const x = integerInput(a, input);
  const modelHash = await modelHashOf(a);
  if (!options.prove) {
    const scores = fixedScores(a, x);
    const k = argmaxOf(a, scores);
    return { prediction: a.labels[k], predictedClass: k, probabilities: probabilities(a, scores), modelHash, scores: scores.map(String), x: x.map(String) };
  }
  const mc = await buildModelCircuit(a, { binding: options.binding ?? 'hash', items: 1, ptau: options.ptau });
  const p = await proveInference(mc, a, [x]);
  const checked = await verifyInference(mc.setup.vkey, mc.layout, p.proof, p.publicSignals, { modelHash, inputs: [x] });
  const item = checked.items?.[0];
  if (!checked.valid || !item) throw expectedGot('zk.selfCheck', 'fresh proof', 'to verify', checked.reason);
  const scores = item.scores.map((s) => BigInt(s));
  return {
    prediction: a.labels[item.predicted],
    predictedClass: item.predicted,
    probabilities: probabilities(a, scores),
    modelHash,
    scores: item.scores,
    x: x.map(String),
    proof: p.proof,
    publicSignals: p.publicSignals,
    layout: mc.layout,
    vkey: mc.setup.vkey,
    insecureSetup: mc.setup.insecure,
  };
}

/**
 * Verifies a PredictResponse: the proof against `vkey` (default: the one embedded in the response,
 * which only shows internal consistency), the model hash (default: the response's claim) and the
 * input (default: the response's `x`), and that the claimed prediction is the proven one.
 */
export async function verifyPrediction(
  r: PredictResponse,
  options: { vkey?: VerificationKey; modelHash?: string; x?: readonly bigint[] } = {},
): Promise<VerifyResult & { vkeySource: 'given' | 'embedded' }> {
  const vkeySource = options.vkey ? ('given' as const) : ('embedded' as const);
  const vkey = options.vkey ?? r.vkey;
  if (!vkey || !r.proof || !r.publicSignals || !r.layout) return { valid: false, reason: 'zk.noProof', message: 'response: expected proof, publicSignals, layout and a verification key, got a response without them', vkeySource };
  const x = options.x ?? r.x.map((v) => BigInt(v));
  const res = await verifyInference(vkey, r.layout, r.proof, r.publicSignals, { modelHash: options.modelHash ?? r.modelHash, inputs: [x] });
  if (res.valid && res.items?.[0] && (res.items[0].predicted !== r.predictedClass || res.items[0].scores.join() !== r.scores.join())) {
    return { valid: false, reason: 'zk.claimMismatch', message: `prediction: expected the proven class ${res.items[0].predicted}, got a response claiming ${r.predictedClass}`, vkeySource };
  }
  return { ...res, vkeySource };
}
