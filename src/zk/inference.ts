/**
 * Proven inference: build (compile + setup) the circuit of a model's architecture, prove a batch of
 * inputs, decode and verify the public signals. `verifyInference` is what the node calls on a
 * proof-carrying trade or a served prediction.
 */
import { readFileSync } from 'node:fs';
import type { ErrorCode } from '../core/error-codes.js';
import { ValidationError, expectedGot } from '../core/errors.js';
import type { ModelArtifact } from '../ml/artifact-types.js';
import { modelHeader, weightWords } from '../ml/commitment/model-hash.js';
import { toField } from '../statement/field.js';
import type { Groth16Proof, VerificationKey } from '../statement/groth16.js';
import { expectedSignalCount, type PublicLayout } from '../statement/layout.js';
import { fieldHex } from '../statement/model-hash-text.js';
import { packSegment } from '../statement/packing.js';
import { decodePublicSignals, publicInputSignals, type DecodedSignals } from '../statement/signals.js';
import { compileCircom, type CompiledCircuit } from './circom.js';
import { generateModelCircuit, type CircuitOptions } from './circuit-gen.js';
import { inputHash, inputLayout } from './input-hash.js';
import { setupCircuit, type CircuitSetup, type SetupOptions } from './setup.js';
import { computeWitness, fullProve } from './snarkjs.js';
import { fastGroth16Verify } from './fast-verify.js';

export type ModelCircuit = { circuit: CompiledCircuit; setup: CircuitSetup; layout: PublicLayout };

export type InferenceProof = {
  format: 'hindsight-proof/1';
  layout: PublicLayout;
  proof: Groth16Proof;
  publicSignals: string[];
};

export type VerifyExpectation = {
  /** Model hash the proof must carry (field element, decimal or 0x hex). */
  modelHash?: bigint | string;
  /** Integer inputs the proof must be about, one vector per item. */
  inputs?: readonly (readonly (number | bigint)[])[];
};

export type VerifyResult = {
  valid: boolean;
  /** Why it is invalid: zk.proofInvalid, zk.modelMismatch, zk.inputMismatch, zk.signalsMalformed. */
  reason?: ErrorCode;
  message?: string;
  modelHash?: string;
  items?: { predicted: number; scores: string[]; inputBinding: string }[];
};

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

function asField(v: bigint | string): bigint {
  return typeof v === 'bigint' ? v : BigInt(v);
}

/**
 * Checks a proof + public signals against a verification key and (optionally) the model hash and
 * inputs it must be about. Never throws for a bad proof: returns `valid: false` with a reason.
 */
export async function verifyInference(
  vkey: VerificationKey,
  layout: PublicLayout,
  proof: Groth16Proof,
  publicSignals: readonly string[],
  expect: VerifyExpectation = {},
): Promise<VerifyResult> {
  let decoded: DecodedSignals;
  try {
    decoded = decodePublicSignals(layout, publicSignals);
  } catch (e) {
    return { valid: false, reason: 'zk.signalsMalformed', message: (e as Error).message };
  }
  if (vkey.nPublic !== publicSignals.length) {
    return { valid: false, reason: 'zk.signalsMalformed', message: `publicSignals.length: expected ${vkey.nPublic} (from the verification key), got ${publicSignals.length}` };
  }
  let ok = false;
  try {
    ok = await fastGroth16Verify(vkey, publicSignals, proof);
  } catch (e) {
    return { valid: false, reason: 'zk.proofInvalid', message: `proof: expected a well-formed Groth16 proof, got an error: ${(e as Error).message}` };
  }
  if (!ok) return { valid: false, reason: 'zk.proofInvalid', message: 'proof: expected a valid Groth16 proof for these public signals, got a failing pairing check' };
  const modelHash = fieldHex(decoded.modelHash);
  if (expect.modelHash !== undefined && asField(expect.modelHash) !== decoded.modelHash) {
    return { valid: false, reason: 'zk.modelMismatch', message: `modelHash: expected ${fieldHex(asField(expect.modelHash))}, got ${modelHash}`, modelHash };
  }
  if (expect.inputs) {
    const mismatch = await inputMismatch(layout, decoded, expect.inputs);
    if (mismatch) return { valid: false, reason: 'zk.inputMismatch', message: mismatch, modelHash };
  }
  return {
    valid: true,
    modelHash,
    items: decoded.items.map((it) => ({
      predicted: it.predicted,
      scores: it.scores.map(String),
      inputBinding: 'inputHash' in it ? fieldHex(it.inputHash) : `inputs:${it.inputs.length}`,
    })),
  };
}

async function inputMismatch(layout: PublicLayout, decoded: DecodedSignals, xs: readonly (readonly (number | bigint)[])[]): Promise<string | undefined> {
  if (xs.length !== layout.items) return `inputs: expected ${layout.items} items, got ${xs.length}`;
  for (let m = 0; m < xs.length; m++) {
    let want: bigint[] | null;
    try {
      want = publicInputSignals(layout, xs[m]);
    } catch (e) {
      return (e as Error).message;
    }
    const item = decoded.items[m];
    if ('inputHash' in item) {
      const h = await inputHash(layout.input, xs[m]);
      if (h !== item.inputHash) return `inputs[${m}]: expected input hash ${fieldHex(h)}, got ${fieldHex(item.inputHash)}`;
    } else if (!want || want.length !== item.inputs.length || want.some((w, i) => w !== item.inputs[i])) {
      return `inputs[${m}]: expected the proof's public inputs to equal the given features, got different values`;
    }
  }
  return undefined;
}
