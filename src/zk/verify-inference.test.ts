import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomInputs, randomLogReg, seededRandom } from '../../test/support/test-models.js';
import type { FeaturizerSpec } from '../ml/artifact-types.js';
import { modelHashOf } from '../ml/artifact.js';
import { terminateCurve } from './curve.js';
import { fastGroth16Verify } from './fast-verify.js';
import { buildModelCircuit, proveInference, type InferenceProof, type ModelCircuit } from './inference.js';
import { inputHash } from './input-hash.js';
import { groth16Verify } from './snarkjs.js';
import { inferenceVerifier, type InferenceVerifier } from './verify-inference.js';

/**
 * The checks of a proof of inference run over two pairings: the node's warm main-thread one and
 * snarkjs's `groth16.verify`, the one the dashboard runs in the browser. On a real hash-bound
 * proof (the 6-bucket text circuit, setup cached by shape) both must give the same verdict and
 * reason for the proof as made and for every tampering.
 */
const unigrams: FeaturizerSpec = { kind: 'hashed-ngrams', buckets: 6, ngrams: [1], lowercase: true, transform: 'binary' };
const model = randomLogReg(6, 2, true, { seed: 41, featurizer: unigrams });
const node = inferenceVerifier({ pairing: fastGroth16Verify, inputHash });
const page = inferenceVerifier({ pairing: (vkey, signals, proof) => groth16Verify(vkey, [...signals], proof), inputHash });
let circuit: ModelCircuit;
let proof: InferenceProof;
let hash: string;
let x: number[];

beforeAll(async () => {
  circuit = await buildModelCircuit(model, { binding: 'hash', items: 1 });
  x = randomInputs(seededRandom(7), 6, circuit.layout.input.bits, circuit.layout.input.signed);
  proof = await proveInference(circuit, model, [x]);
  hash = await modelHashOf(model);
}, 600_000);
afterAll(terminateCurve);

const both = async (run: (v: InferenceVerifier) => ReturnType<InferenceVerifier>) => {
  const [a, b] = [await run(node), await run(page)];
  // The wording of a thrown pairing error is each library's own; verdict, reason and findings must agree.
  const { message: _, ...verdict } = a;
  expect(b).toMatchObject(verdict);
  return a;
};

describe('inferenceVerifier over the node pairing and snarkjs', () => {
  it('accepts the proof with its model hash and input, and states the proven scores', async () => {
    const r = await both((v) => v(circuit.setup.vkey, circuit.layout, proof.proof, proof.publicSignals, { modelHash: hash, inputs: [x] }));
    expect(r).toMatchObject({ valid: true, items: [{ scores: expect.any(Array) }] });
  });

  it('refuses another model hash and another input with the same reason', async () => {
    expect(await both((v) => v(circuit.setup.vkey, circuit.layout, proof.proof, proof.publicSignals, { modelHash: 1n }))).toMatchObject({ valid: false, reason: 'zk.modelMismatch' });
    const other = x.map((v, i) => (i === 0 ? (v === 0 ? 1 : 0) : v));
    expect(await both((v) => v(circuit.setup.vkey, circuit.layout, proof.proof, proof.publicSignals, { inputs: [other] }))).toMatchObject({ valid: false, reason: 'zk.inputMismatch' });
  });

  it('property: a public signal or a proof coordinate changed is refused by both, as zk.proofInvalid or zk.signalsMalformed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.nat(), fc.bigInt({ min: 1n, max: 1n << 64n }), async (signal, at, delta) => {
        const signals = [...proof.publicSignals];
        const p = structuredClone(proof.proof);
        if (signal) signals[at % signals.length] = (BigInt(signals[at % signals.length]!) + delta).toString();
        else p.pi_c[at % 2] = (BigInt(p.pi_c[at % 2]!) + delta).toString();
        const r = await both((v) => v(circuit.setup.vkey, circuit.layout, p, signals, { modelHash: hash, inputs: [x] }));
        expect(r.valid).toBe(false);
        expect(['zk.proofInvalid', 'zk.signalsMalformed']).toContain(r.reason);
      }),
      { numRuns: 8 },
    );
  });
});
