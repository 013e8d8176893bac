import { afterAll, describe, expect, it } from 'vitest';
import { fixedPredict, fixedProba, modelHashOf } from '../ml/artifact.js';
import { terminateCurve } from './curve.js';
import { integerInput, predict, verifyPrediction } from './predict.js';
import { randomLogReg } from '../../test/support/test-models.js';

afterAll(terminateCurve);

describe('predict service', () => {
  const model = randomLogReg(8, 2, true, { seed: 11 });
  const item = { features: [0.5, -1, 0.25, 2, 0, 0, 1.5, -0.75] };

  it('answers with the fixed-point model, its probabilities (the exact tradeable belief) and the model hash', async () => {
    const r = await predict(model, item);
    const x = integerInput(model, item);
    expect(r.predictedClass).toBe(fixedPredict(model, x));
    expect(r.prediction).toBe(model.labels[r.predictedClass]);
    Array.from(fixedProba(model, x)).forEach((p, k) => expect(r.probabilities[k]).toBeCloseTo(p, 10));
    expect(r.modelHash).toBe(await modelHashOf(model));
    expect(r.modelHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(r.proof).toBeUndefined();
  });

  it('--prove responses verify offline; a doctored claim, model hash or input does not', async () => {
    const r = await predict(model, item, { prove: true });
    expect(await verifyPrediction(r)).toMatchObject({ valid: true, vkeySource: 'embedded' });
    expect(await verifyPrediction({ ...r, predictedClass: 1 - r.predictedClass })).toMatchObject({ valid: false, reason: 'zk.claimMismatch' });
    const other = await predict(randomLogReg(8, 2, true, { seed: 12 }), item);
    expect(await verifyPrediction(r, { modelHash: other.modelHash })).toMatchObject({ valid: false, reason: 'zk.modelMismatch' });
    expect(await verifyPrediction({ ...r, x: r.x.map((v, i) => (i === 0 ? String(BigInt(v) + 1n) : v)) })).toMatchObject({ valid: false, reason: 'zk.inputMismatch' });
    const { proof: _p, ...bare } = r;
    expect(await verifyPrediction(bare)).toMatchObject({ valid: false, reason: 'zk.noProof' });
  });
});
