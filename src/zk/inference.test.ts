import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedPredict, fixedScores } from '../ml/artifact.js';
import type { ModelArtifact } from '../ml/artifact-types.js';
import { terminateCurve } from './curve.js';
import { buildModelCircuit, compileModelCircuit, evaluateCircuit, proveInference, verifyInference, type ModelCircuit } from './inference.js';
import { fixedProba } from '../ml/artifact.js';
import { poseidonModelHash } from '../ml/commitment/model-hash.js';
import { beliefFromScores, fieldHex, Groth16Proof, PublicLayout, VerificationKey, zkKeyId, type InputBinding } from '../statement/index.js';
import type { CompiledCircuit } from './circom.js';
import { inputHash } from './input-hash.js';
import { fastGroth16Verify } from './fast-verify.js';
import { groth16Verify } from './snarkjs.js';
import { randomInputs, randomLogReg, randomMlp, seededRandom } from '../../test/support/test-models.js';

afterAll(terminateCurve);

const N = 8;
const ITEMS = 4;

/**
 * Each case's circuit is the one a later test proves with (the cache is keyed by circuit source, so
 * a shape compiles once): binary LR hash-bound with one item = the single proofs below, multinomial
 * LR public with ITEMS items = the batch proof.
 */
type Case = { name: string; make: (seed: number) => ModelArtifact; binding: InputBinding; items: number };
const cases: Case[] = [
  { name: 'binary logistic regression', make: (s) => randomLogReg(N, 2, true, { seed: s }), binding: 'hash', items: 1 },
  { name: 'multinomial logistic regression', make: (s) => randomLogReg(N, 3, false, { seed: s }), binding: 'public', items: ITEMS },
  { name: 'MLP with ReLU', make: (s) => randomMlp(N, 5, 3, { seed: s }), binding: 'packed', items: ITEMS },
];

describe.each(cases)('$name circuit ($binding inputs, $items items) equals the JS fixed-point model', ({ make, binding, items }) => {
  let compiled: { circuit: CompiledCircuit; layout: PublicLayout };
  beforeAll(async () => {
    compiled = await compileModelCircuit(make(1), { binding, items });
  });

  it('on random weights and inputs, including range extremes (property)', async () => {
    const { bits, signed } = compiled.layout.input;
    const lo = signed ? -(2 ** (bits - 1)) : 0;
    const hi = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
    const feature = fc.oneof(fc.integer({ min: lo, max: hi }), fc.constantFrom(lo, hi, 0));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1 << 30 }), fc.array(fc.array(feature, { minLength: N, maxLength: N }), { minLength: items, maxLength: items }), async (seed, xs) => {
        const a = make(seed);
        const out = await evaluateCircuit(compiled, a, xs);
        expect(out.modelHash).toBe(await poseidonModelHash(a));
        xs.forEach((x, m) => {
          expect(out.items[m].scores).toEqual(fixedScores(a, x));
          expect(out.items[m].predicted).toBe(fixedPredict(a, x));
        });
        if (binding === 'hash') expect(out.items[0]).toMatchObject({ inputHash: await inputHash(compiled.layout.input, xs[0]) });
      }),
      { numRuns: 12, seed: 42 },
    );
  });

  it('rejects weights outside weightBits and inputs outside the input range', async () => {
    const a = make(3);
    const bad = structuredClone(a);
    if (bad.weights && 'W' in bad.weights) bad.weights.W[0][0] = 1 << 7;
    else if ('W1' in bad.weights) bad.weights.W1[0][0] = -(1 << 7) - 1;
    const x = Array.from({ length: N }, () => 0);
    await expect(evaluateCircuit(compiled, bad, Array.from({ length: items }, () => x))).rejects.toMatchObject({ code: 'zk.packRange' });
    const big = compiled.layout.input.signed ? 2 ** (compiled.layout.input.bits - 1) : 2 ** compiled.layout.input.bits;
    await expect(evaluateCircuit(compiled, a, Array.from({ length: items }, () => [big, 0, 0, 0, 0, 0, 0, 0]))).rejects.toMatchObject({ code: 'zk.packRange' });
  });
});

describe('proofs: valid ones verify, every substitution is rejected', () => {
  let single: ModelCircuit;
  const modelA = randomLogReg(N, 2, true, { seed: 11 });
  const modelB = randomLogReg(N, 2, true, { seed: 12 });
  const rand = seededRandom(7);

  beforeAll(async () => {
    single = await buildModelCircuit(modelA, { binding: 'hash', items: 1 });
  });

  it('proof verifies and returns the bound model hash, input binding and scores', async () => {
    const x = randomInputs(rand, N, single.layout.input.bits, single.layout.input.signed);
    const p = await proveInference(single, modelA, [x]);
    const r = await verifyInference(single.setup.vkey, single.layout, p.proof, p.publicSignals, { modelHash: await poseidonModelHash(modelA), inputs: [x] });
    expect(r).toMatchObject({ valid: true });
    expect(r.items?.[0].scores).toEqual(fixedScores(modelA, x).map(String));
    expect(r.items?.[0].predicted).toBe(fixedPredict(modelA, x));
    const belief = beliefFromScores((r.items?.[0].scores ?? []).map(BigInt), single.layout.scaleBits);
    Array.from(fixedProba(modelA, x)).forEach((p, k) => expect(Number(belief[k]) / 1e12).toBeCloseTo(p, 10));
    expect(r.items?.[0].inputBinding).toBe(fieldHex(await inputHash(single.layout.input, x)));
    // what snarkjs and the generator emit is exactly what the zk.vkey and trade schemas accept
    expect(PublicLayout.parse(single.layout)).toEqual(single.layout);
    expect(VerificationKey.parse(single.setup.vkey)).toEqual(single.setup.vkey);
    expect(Groth16Proof.parse(p.proof)).toEqual(p.proof);
    expect(zkKeyId({ vkey: single.setup.vkey, layout: single.layout })).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rejects a tampered public signal, a tampered proof, model A presented as B, and another input', async () => {
    const x = randomInputs(rand, N, single.layout.input.bits, single.layout.input.signed);
    const other = x.map((v, i) => (i === 0 ? (v === 0 ? 1 : 0) : v));
    const p = await proveInference(single, modelA, [x]);
    const { vkey } = single.setup;
    const hashA = await poseidonModelHash(modelA);

    // the warm main-thread verifier agrees with snarkjs on valid and tampered inputs
    expect(await fastGroth16Verify(vkey, p.publicSignals, p.proof)).toBe(true);
    expect(await groth16Verify(vkey, p.publicSignals, p.proof)).toBe(true);

    const signals = [...p.publicSignals];
    signals[2] = (BigInt(signals[2]) + 1n).toString(); // the score
    expect(await verifyInference(vkey, single.layout, p.proof, signals)).toMatchObject({ valid: false, reason: 'zk.proofInvalid' });

    const flipped = [...p.publicSignals];
    flipped[1] = flipped[1] === '1' ? '0' : '1'; // the predicted class
    expect(await verifyInference(vkey, single.layout, p.proof, flipped)).toMatchObject({ valid: false, reason: 'zk.proofInvalid' });

    const proof = structuredClone(p.proof);
    proof.pi_a[0] = (BigInt(proof.pi_a[0]) + 1n).toString();
    expect((await verifyInference(vkey, single.layout, proof, p.publicSignals)).valid).toBe(false);
    expect(await groth16Verify(vkey, p.publicSignals, proof)).toBe(false);
    const swapped = { ...p.proof, pi_c: p.proof.pi_a };
    expect((await verifyInference(vkey, single.layout, swapped, p.publicSignals)).valid).toBe(false);

    // model A's proof presented as model B (same architecture, so the same verification key)
    expect(await verifyInference(vkey, single.layout, p.proof, p.publicSignals, { modelHash: await poseidonModelHash(modelB) })).toMatchObject({
      valid: false,
      reason: 'zk.modelMismatch',
    });
    // B's own proof carries B's hash, not A's
    const pB = await proveInference(single, modelB, [x]);
    expect(await verifyInference(vkey, single.layout, pB.proof, pB.publicSignals, { modelHash: hashA })).toMatchObject({ reason: 'zk.modelMismatch' });
    // a proof for another input
    expect(await verifyInference(vkey, single.layout, p.proof, p.publicSignals, { modelHash: hashA, inputs: [other] })).toMatchObject({
      valid: false,
      reason: 'zk.inputMismatch',
    });
    // signals of one proof with the proof of another
    expect((await verifyInference(vkey, single.layout, pB.proof, p.publicSignals)).valid).toBe(false);
    expect(await verifyInference(vkey, single.layout, p.proof, p.publicSignals.slice(1))).toMatchObject({ reason: 'zk.signalsMalformed' });
  });

  it('a batch proof covers many items of one model with one commitment', async () => {
    const a = randomLogReg(N, 3, false, { seed: 21 });
    const batch = await buildModelCircuit(a, { binding: 'public', items: ITEMS });
    const xs = Array.from({ length: ITEMS }, () => randomInputs(rand, N, batch.layout.input.bits, batch.layout.input.signed));
    const p = await proveInference(batch, a, xs);
    const r = await verifyInference(batch.setup.vkey, batch.layout, p.proof, p.publicSignals, { modelHash: await poseidonModelHash(a), inputs: xs });
    expect(r.valid).toBe(true);
    expect(r.items?.map((i) => i.predicted)).toEqual(xs.map((x) => fixedPredict(a, x)));
    // > 32 public signals: the warm verifier's multi-exp path agrees with snarkjs
    expect(p.publicSignals.length).toBeGreaterThan(32);
    expect(await groth16Verify(batch.setup.vkey, p.publicSignals, p.proof)).toBe(true);
    const bumped = [...p.publicSignals];
    bumped[bumped.length - 1] = (BigInt(bumped[bumped.length - 1]) + 1n).toString();
    expect(await fastGroth16Verify(batch.setup.vkey, bumped, p.proof)).toBe(false);
    expect(await groth16Verify(batch.setup.vkey, bumped, p.proof)).toBe(false);
    const swappedInputs = [xs[1], xs[0], ...xs.slice(2)];
    expect(await verifyInference(batch.setup.vkey, batch.layout, p.proof, p.publicSignals, { inputs: swappedInputs })).toMatchObject({ reason: 'zk.inputMismatch' });
  });
});
