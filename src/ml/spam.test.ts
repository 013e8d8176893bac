import { describe, expect, it } from 'vitest';
import { checkAgreement, toArtifact } from './artifact.js';
import { labelsOf } from './data/dataset.js';
import { loadSpamAssassin } from './data/spam-assassin.js';
import { trainTestSplit } from './data/split.js';
import { hashedNgramSpec, makeFeaturizer } from './features/featurizer.js';
import { evaluate } from './metrics.js';
import { trainLogReg } from './models/logreg.js';
import { predictProbaAll } from './models/model.js';

// End to end on the real corpus: the quality bar for logistic regression, and the
// fixed-point export keeping the same predictions. (Timing is measured by bench/ml.bench.ts, not here.)
describe('SpamAssassin logistic regression', () => {
  it('reaches ≥ 0.985 held-out accuracy and its 16-bit artifact agrees with it', () => {
    const ds = loadSpamAssassin();
    const { train, test } = trainTestSplit(ds, { seed: 1 });
    const spec = hashedNgramSpec({ buckets: 1 << 16 });
    const f = makeFeaturizer(spec);
    const Xtr = f.transformAll(train.items), Xte = f.transformAll(test.items);
    const yte = labelsOf(test.items);
    const model = trainLogReg(Xtr, labelsOf(train.items), { seed: 1 });
    const e = evaluate(predictProbaAll(model, Xte), yte);
    expect(e.accuracy).toBeGreaterThanOrEqual(0.985);
    expect(e.logLoss).toBeLessThan(0.05);
    const artifact = toArtifact(model, { name: 'spam-lr', featurizer: spec, labels: ds.labels, weightBits: 16 });
    const agree = checkAgreement(model, artifact, Xte, yte);
    expect(agree.rate).toBeGreaterThanOrEqual(0.999);
    expect(Math.abs(agree.floatAccuracy! - agree.fixedAccuracy!)).toBeLessThanOrEqual(0.005);
  });
});
