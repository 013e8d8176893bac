/** Public surface of src/zk (see docs/zk.md). */
export { poseidonModelHash, modelHashHex, fieldHex, inputHash, weightWords, type InputSpec } from './model-hash.js';
export { generateModelCircuit, type CircuitOptions, type InputBinding, type PublicLayout } from './circuit-gen.js';
export {
  buildModelCircuit,
  compileModelCircuit,
  evaluateCircuit,
  proveInference,
  verifyInference,
  decodePublicSignals,
  provenProbabilities,
  vkeyId,
  type ModelCircuit,
  type InferenceProof,
  type VerifyResult,
  type VerifyExpectation,
} from './inference.js';
export { predict, verifyPrediction, integerInput, type PredictResponse, type PredictInput } from './predict.js';
export { setupCircuit, contributePhase2, verifyZkey, assertSetupAllowed, type CircuitSetup } from './setup.js';
export { devPtau, buildDevPtau, ptauPower } from './ptau.js';
export { compileCircom, type CompiledCircuit } from './circom.js';
export { solidityVerifierSource, solidityProofArgs, VERIFIER_CONTRACT } from './solidity.js';
export { importOnnx, parseOnnx, type ImportReport } from './onnx-import.js';
export { getCurve, terminateCurve, toField, fromField, FIELD_R } from './curve.js';
export type { Groth16Proof, VerificationKey } from './snarkjs.js';
