import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeaturizerSpec } from '../ml/artifact-types.js';
import { fixedScores, modelHashOf } from '../ml/artifact.js';
import { randomLogReg } from '../../test/support/test-models.js';
import { buildBatchCircuit, proveBatch, verifyBatch, type BatchProof } from './batch.js';
import { terminateCurve } from './curve.js';
import type { ModelCircuit } from './inference.js';
import { itemIntegerInput } from './item-input.js';

/**
 * One real batch proof (a 16-bucket text model, 4 slots, 3 texts), made once; the checks and the
 * property run the verifier against it, which costs a pairing and a few Poseidon hashes each.
 */
const featurizer: FeaturizerSpec = { kind: 'hashed-ngrams', buckets: 16, ngrams: [1], lowercase: true, transform: 'binary' };
const model = randomLogReg(16, 2, true, { seed: 7, featurizer });
const other = randomLogReg(16, 2, true, { seed: 8, featurizer });
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

describe('round batch proofs (digest binding)', () => {
  it('has two public signals whatever the items, and verifies with the texts the verifier featurizes itself', async () => {
    expect(mc.setup.vkey.nPublic).toBe(2);
    expect(batch.publicSignals).toHaveLength(2);
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
