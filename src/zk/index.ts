/**
 * Public surface of src/zk (see docs/zk.md): circuits, setup, proving and verifying. What a proof
 * states (field, layout, signal decoding, beliefs, key ids) is src/statement; the model hash is
 * src/ml/commitment.
 */
export { inputHash } from './input-hash.js';
export { generateModelCircuit, type CircuitOptions } from './circuit-gen.js';
export {
  buildModelCircuit,
  compileModelCircuit,
  evaluateCircuit,
  proveInference,
  verifyInference,
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
export { getCurve, terminateCurve } from './curve.js';
