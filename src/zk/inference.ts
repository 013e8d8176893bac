/**
 * Proven inference: build (compile + setup) the circuit of a model's architecture, prove a batch of
 * inputs, decode and verify the public signals. `verifyInference` is what the node calls on a
 * proof-carrying trade or a served prediction.
 */
import { readFileSync } from 'node:fs';
import { ValidationError, expectedGot } from '../core/errors.js';
import type { ModelArtifact } from '../ml/artifact-types.js';
import { modelHeader, weightWords } from '../ml/commitment/model-hash.js';
import { toField } from '../statement/field.js';
import type { Groth16Proof } from '../statement/groth16.js';
import { expectedSignalCount, type PublicLayout } from '../statement/layout.js';
import { packSegment } from '../statement/packing.js';
import { decodePublicSignals, type DecodedSignals } from '../statement/signals.js';
import { compileCircom, type CompiledCircuit } from './circom.js';
import { generateModelCircuit, type CircuitOptions } from './circuit-gen.js';
import { inputHash, inputLayout } from './input-hash.js';
import { setupCircuit, type CircuitSetup, type SetupOptions } from './setup.js';
import { computeWitness, fullProve } from './snarkjs.js';
import { fastGroth16Verify } from './fast-verify.js';
import { inferenceVerifier, type InferenceVerifier } from './verify-inference.js';

export type ModelCircuit = { circuit: CompiledCircuit; setup: CircuitSetup; layout: PublicLayout };

export type InferenceProof = {
  format: 'hindsight-proof/1';
  layout: PublicLayout;
  proof: Groth16Proof;
  publicSignals: string[];
};

export type { VerifyExpectation, VerifyResult } from './verify-inference.js';

export async function buildModelCircuit(a: ModelArtifact, options: CircuitOptions & SetupOptions = {}): Promise<ModelCircuit> {
  const { circuit, layout } = await compileModelCircuit(a, options);
  const setup = await setupCircuit(circuit, options);
  return { circuit, setup, layout };
}

/** The witness input: packed private weights and the items' inputs in the layout's binding. */
export function circuitInput(a: ModelArtifact, layout: PublicLayout, xs: readonly (readonly (number | bigint)[])[]): Record<string, unknown> {
  if (xs.length !== layout.items) throw expectedGot('zk.items', 'inputs.length', `${layout.items} items`, xs.length);
  if (modelHeader(a).toString() !== layout.modelHeader) {
    throw new ValidationError('zk.archMismatch', 'model: expected the architecture/scale/weightBits this circuit was built for, got another', { field: 'model' });
  }
  const xl = inputLayout(layout.input);
  const packed = xs.map((x) => packSegment(xl, x)); // validates length and range for every binding
  const str = (v: bigint) => v.toString();
  return {
    wWords: weightWords(a).map(str),
    ...(layout.binding === 'public' ? { x: xs.map((x) => x.map((v) => str(toField(BigInt(v))))) } : { xWords: packed.map((w) => w.map(str)) }),
  };
}

const bytesCache = new Map<string, Uint8Array>();
function cachedBytes(path: string): Uint8Array {
  let b = bytesCache.get(path);
  if (!b) {
    b = new Uint8Array(readFileSync(path));
    bytesCache.set(path, b);
  }
  return b;
}

/** Proves `xs` (one integer input vector per item) for artifact `a` with a built circuit. */
export async function proveInference(mc: ModelCircuit, a: ModelArtifact, xs: readonly (readonly (number | bigint)[])[]): Promise<InferenceProof> {
  const input = circuitInput(a, mc.layout, xs);
  const { proof, publicSignals } = await fullProve(input, cachedBytes(mc.circuit.wasmPath), cachedBytes(mc.setup.zkeyPath));
  return { format: 'hindsight-proof/1', layout: mc.layout, proof, publicSignals };
}

/** Compiles only (no setup): enough to evaluate the circuit, e.g. to check it against the JS model. */
export async function compileModelCircuit(a: ModelArtifact, options: CircuitOptions = {}): Promise<{ circuit: CompiledCircuit; layout: PublicLayout }> {
  const { source, layout } = generateModelCircuit(a, options);
  return { circuit: await compileCircom(source, 'model'), layout };
}

/** Evaluates the circuit (witness only, no proof) and decodes its public signals. */
export async function evaluateCircuit(
  c: { circuit: CompiledCircuit; layout: PublicLayout },
  a: ModelArtifact,
  xs: readonly (readonly (number | bigint)[])[],
): Promise<DecodedSignals> {
  const w = await computeWitness(circuitInput(a, c.layout, xs), cachedBytes(c.circuit.wasmPath));
  const n = expectedSignalCount(c.layout);
  return decodePublicSignals(c.layout, w.slice(1, 1 + n).map(String));
}

/**
 * Checks a proof + public signals against a verification key and (optionally) the model hash and
 * inputs it must be about, with the warm main-thread pairing and Poseidon (src/zk/verify-inference.ts
 * has the checks). Never throws for a bad proof: returns `valid: false` with a reason.
 */
export const verifyInference: InferenceVerifier = inferenceVerifier({ pairing: fastGroth16Verify, inputHash });
