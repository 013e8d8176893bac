/**
 * What checking a proof of inference means, apart from the pairing and the Poseidon input hash it
 * needs: decode the public signals against the layout, run the pairing check, then compare the
 * model hash and the inputs the proof must be about. The node passes its warm main-thread pairing
 * (src/zk/inference.ts); the dashboard passes snarkjs's browser build, so both run these same checks.
 */
import type { ErrorCode } from '../core/error-codes.js';
import type { Groth16Proof, VerificationKey } from '../statement/groth16.js';
import type { InputSpec, PublicLayout } from '../statement/layout.js';
import { fieldHex } from '../statement/model-hash-text.js';
import { decodePublicSignals, publicInputSignals, type DecodedSignals } from '../statement/signals.js';

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

/** The two primitives a verifier needs: the Groth16 pairing check and the hash binding of an input vector. */
export type ProofBackend = {
  pairing(vkey: VerificationKey, publicSignals: readonly string[], proof: Groth16Proof): Promise<boolean>;
  inputHash(spec: InputSpec, x: readonly (number | bigint)[]): Promise<bigint>;
};

export type InferenceVerifier = (
  vkey: VerificationKey,
  layout: PublicLayout,
  proof: Groth16Proof,
  publicSignals: readonly string[],
  expect?: VerifyExpectation,
) => Promise<VerifyResult>;

function asField(v: bigint | string): bigint {
  return typeof v === 'bigint' ? v : BigInt(v);
}

/**
 * Checks a proof + public signals against a verification key and (optionally) the model hash and
 * inputs it must be about. Never throws for a bad proof: returns `valid: false` with a reason.
 */
export function inferenceVerifier(backend: ProofBackend): InferenceVerifier {
  return async (vkey, layout, proof, publicSignals, expect = {}) => {
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
      ok = await backend.pairing(vkey, publicSignals, proof);
    } catch (e) {
      return { valid: false, reason: 'zk.proofInvalid', message: `proof: expected a well-formed Groth16 proof, got an error: ${(e as Error).message}` };
    }
    if (!ok) return { valid: false, reason: 'zk.proofInvalid', message: 'proof: expected a valid Groth16 proof for these public signals, got a failing pairing check' };
    const modelHash = fieldHex(decoded.modelHash);
    if (expect.modelHash !== undefined && asField(expect.modelHash) !== decoded.modelHash) {
      return { valid: false, reason: 'zk.modelMismatch', message: `modelHash: expected ${fieldHex(asField(expect.modelHash))}, got ${modelHash}`, modelHash };
    }
    if (expect.inputs) {
      const mismatch = await inputMismatch(backend, layout, decoded, expect.inputs);
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
  };
}

async function inputMismatch(backend: ProofBackend, layout: PublicLayout, decoded: DecodedSignals, xs: readonly (readonly (number | bigint)[])[]): Promise<string | undefined> {
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
      const h = await backend.inputHash(layout.input, xs[m]);
      if (h !== item.inputHash) return `inputs[${m}]: expected input hash ${fieldHex(h)}, got ${fieldHex(item.inputHash)}`;
    } else if (!want || want.length !== item.inputs.length || want.some((w, i) => w !== item.inputs[i])) {
      return `inputs[${m}]: expected the proof's public inputs to equal the given features, got different values`;
    }
  }
  return undefined;
}
