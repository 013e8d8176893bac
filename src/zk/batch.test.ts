import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeaturizerSpec } from '../ml/artifact-types.js';
import { fixedScores, modelHashOf } from '../ml/artifact.js';
import { randomLogReg, randomMlp } from '../../test/support/test-models.js';
import { buildBatchCircuit, padInputs, proveBatch, verifyBatch, type BatchProof } from './batch.js';
import { foldDigest, foldExpected, foldWitness, generateFoldCircuit } from './batch-fold.js';
import { fieldEval } from './fold-sparse.js';
import { compileCircom } from './circom.js';
import { computeWitness } from './snarkjs.js';
import { readFileSync } from 'node:fs';
import { terminateCurve } from './curve.js';
import type { ModelCircuit } from './inference.js';
import { itemIntegerInput } from './item-input.js';

/**
 * One real batch proof (a 16-bucket text model, 4 slots, 3 texts; the folded circuit), made once;
 * the checks and the property run the verifier against it, which costs a pairing and a few
 * Poseidon hashes each. The folded MLP circuit is only compiled and evaluated (no setup).
 */
const featurizer: FeaturizerSpec = { kind: 'hashed-ngrams', buckets: 16, ngrams: [1], lowercase: true, transform: 'binary' };
const model = randomLogReg(16, 2, true, { seed: 7, featurizer, weightBits: 16 });
const other = randomLogReg(16, 2, true, { seed: 8, featurizer, weightBits: 16 });
const texts = ['cheap pills now', 'meeting at noon', 'win money fast'];
let mc: ModelCircuit;
let batch: BatchProof;
let hash: string;
const xsOf = (ts: readonly string[]) => ts.map((text) => itemIntegerInput(featurizer, mc.layout, { text }));

beforeAll(async () => {
  mc = await buildBatchCircuit(model, { items: 4 });
  hash = await modelHashOf(model);
  batch = await proveBatch(mc, model, xsOf(texts));
}, 600_000);

afterAll(terminateCurve);

describe('round batch proofs (fold binding)', () => {
  it('has seven public signals whatever the items, and verifies with the texts the verifier featurizes itself', async () => {
    expect(mc.layout.binding).toBe('fold');
    expect(mc.setup.vkey.nPublic).toBe(7);
    expect(batch.publicSignals).toHaveLength(7);
    expect(batch.scores.slice(0, 3)).toEqual(xsOf(texts).map((x) => fixedScores(model, x).map(String)));
    const ok = await verifyBatch(mc.setup.vkey, mc.layout, batch, { modelHash: hash, inputs: xsOf(texts) });
    expect(ok).toMatchObject({ valid: true, modelHash: hash });
  });

  it('refuses altered scores, another model, another featurizer and altered proof bytes', async () => {
    const bumped = { ...batch, scores: batch.scores.map((row, m) => (m === 1 ? [String(BigInt(row[0]!) + 1n)] : row)) };
    expect(await verifyBatch(mc.setup.vkey, mc.layout, bumped, { modelHash: hash, inputs: xsOf(texts) })).toMatchObject({ valid: false, reason: 'zk.digestMismatch' });
    expect(await verifyBatch(mc.setup.vkey, mc.layout, batch, { modelHash: await modelHashOf(other), inputs: xsOf(texts) })).toMatchObject({ valid: false, reason: 'zk.modelMismatch' });
    const bigrams: FeaturizerSpec = { ...featurizer, ngrams: [1, 2] };
    const viaOther = texts.map((text) => itemIntegerInput(bigrams, mc.layout, { text }));
    expect(await verifyBatch(mc.setup.vkey, mc.layout, batch, { modelHash: hash, inputs: viaOther })).toMatchObject({ valid: false, reason: 'zk.digestMismatch' });
    const [x, y] = batch.proof.pi_a;
    expect(await verifyBatch(mc.setup.vkey, mc.layout, { ...batch, proof: { ...batch.proof, pi_a: [y!, x!, '1'] } }, { modelHash: hash, inputs: xsOf(texts) })).toMatchObject({ valid: false, reason: 'zk.proofInvalid' });
  });

  it('refuses scores shifted by the field modulus and inputs outside the key range', async () => {
    const r = 21888242871839275808702396150929327089733307041426082128862005883262497375617n;
    const wrapped = { ...batch, scores: batch.scores.map((row, m) => (m === 0 ? [String(BigInt(row[0]!) + r)] : row)) };
    expect(await verifyBatch(mc.setup.vkey, mc.layout, wrapped, { modelHash: hash, inputs: xsOf(texts) })).toMatchObject({ valid: false, reason: 'zk.signalsMalformed' });
    const big = xsOf(texts).map((x, m) => (m === 0 ? x.map((v, i) => (i === 0 ? v + (1n << BigInt(mc.layout.input.bits)) : v)) : x));
    expect(await verifyBatch(mc.setup.vkey, mc.layout, batch, { modelHash: hash, inputs: big })).toMatchObject({ valid: false, reason: 'zk.digestMismatch' });
  });

  it('the circuit refuses a witness whose pre-activation of one item is off by one (the folded check)', async () => {
    const { input } = await foldWitness(model, mc.layout, padInputs(mc.layout, xsOf(texts)));
    const wasm = new Uint8Array(readFileSync(mc.circuit.wasmPath));
    await expect(computeWitness(input, wasm)).resolves.toBeDefined();
    const z = (input.z as string[][]).map((row, m) => (m === 1 ? [String(BigInt(row[0]!) + 1n)] : row));
    await expect(computeWitness({ ...input, z }, wasm)).rejects.toThrow();
  });

  it('folded MLP circuit: scores = the JS fixed-point model, digest and commitment as the verifier reads them, a false pre-activation refused', async () => {
    const mlp = randomMlp(12, 4, 3, { seed: 5 });
    const { source, layout } = generateFoldCircuit(mlp, { items: 3 });
    const circuit = await compileCircom(source, 'batch');
    const xs = [0, 1, 2].map((s) => Array.from({ length: 12 }, (_, i) => BigInt(((i * 7 + s * 13) % 9) - 4)));
    const { input, scores } = await foldWitness(mlp, layout, xs);
    expect(scores).toEqual(xs.map((x) => fixedScores(mlp, x)));
    const wasm = new Uint8Array(readFileSync(circuit.wasmPath));
    const w = await computeWitness(input, wasm);
    expect(BigInt(w[2]!)).toBe(await foldDigest(layout, scores));
    const signals = w.slice(1, 8).map((v) => BigInt(v!));
    expect(foldExpected(layout, signals, xs, scores)).toEqual({ ok: true });
    const shifted = scores.map((row, m) => (m === 1 ? row.map((v, k) => (k === 0 ? v + 1n : v)) : row));
    expect(foldExpected(layout, signals, xs, shifted)).toMatchObject({ ok: false, message: expect.stringContaining('publicSignals[6]') });
    // Claims chosen after the digest is known that agree with the proven scores at the digest
    // (+digest on one score, −1 on the next): refused, because the scores are compared at rho.
    const digest = signals[1]!;
    const forged = scores.map((row, m) => (m === 0 ? row.map((v, k) => (k === 0 ? v + digest : k === 1 ? v - 1n : v)) : row));
    expect(fieldEval(forged.flat(), digest)).toBe(fieldEval(scores.flat(), digest));
    expect(foldExpected(layout, signals, xs, forged)).toMatchObject({ ok: false });
    const otherXs = xs.map((x, m) => (m === 0 ? x.map((v, i) => (i === 3 ? v + 1n : v)) : x));
    expect(foldExpected(layout, signals, otherXs, scores)).toMatchObject({ ok: false, message: expect.stringContaining('publicSignals[6]') });
    const z = (input.z as string[][]).map((row, m) => (m === 2 ? row.map((v, i) => (i === 0 ? String(BigInt(v) + 1n) : v)) : row));
    await expect(computeWitness({ ...input, z }, wasm)).rejects.toThrow();
  }, 300_000);

  it('property: any change to an item text that changes its features makes the proof fail', async () => {
    const word = fc.stringMatching(/^[a-z]{1,6}$/);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 }), fc.array(word, { minLength: 1, maxLength: 4 }), async (slot, words) => {
        const changed = [...texts];
        changed[slot] = words.join(' ');
        const xs = xsOf(changed);
        const same = xs[slot]!.every((v, i) => v === xsOf(texts)[slot]![i]);
        const r = await verifyBatch(mc.setup.vkey, mc.layout, batch, { modelHash: hash, inputs: xs });
        expect(r.valid).toBe(same);
        if (!same) expect(r).toMatchObject({ reason: 'zk.digestMismatch' });
      }),
      { numRuns: 25, seed: 18 },
    );
  }, 120_000);
});
