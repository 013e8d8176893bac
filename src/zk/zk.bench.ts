/**
 * `hindsight bench zk --json`: spam logistic regression (≥ 1,024 hashed features), an MLP, and a
 * batch proof of one round (≥ 100 items, one model). Per circuit: constraints, setup, prove and
 * warm verify times, peak RSS, and argmax agreement of the circuit with the JS fixed-point model.
 * Full size takes several minutes on 2 cores (compile + setup are cached in .cache/hindsight).
 */
import type { BenchOptions } from '../cli/bench-registry.js';
import { checkAgreement, fixedPredict, fixedScores, quantizedDense, quantizeFeatures, toArtifact } from '../ml/artifact.js';
import type { ModelArtifact } from '../ml/artifact-types.js';
import { loadSpamAssassin } from '../ml/data/spam-assassin.js';
import { trainTestSplit } from '../ml/data/split.js';
import { labelsOf } from '../ml/data/dataset.js';
import { hashedNgramSpec, makeFeaturizer } from '../ml/features/featurizer.js';
import { csrRow, type CsrMatrix } from '../ml/features/sparse.js';
import { trainLogReg } from '../ml/models/logreg.js';
import { trainMlp } from '../ml/models/mlp.js';
import type { InputBinding } from './circuit-gen.js';
import { terminateCurve } from './curve.js';
import { buildModelCircuit, evaluateCircuit, proveInference, verifyInference } from './inference.js';
import { poseidonModelHash } from './model-hash.js';

type Row = Record<string, unknown>;

/** Each row also goes to stderr as soon as it exists, so a long run's partial results survive. */
const log = (row: object) => process.stderr.write(`zk bench row: ${JSON.stringify(row)}\n`);
const rssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (v: number, d = 3) => Number(v.toFixed(d));

function intRows(a: ModelArtifact, X: CsrMatrix, n: number): bigint[][] {
  return Array.from({ length: Math.min(n, X.rows) }, (_, i) => quantizedDense(a, quantizeFeatures(a, csrRow(X, i))));
}

async function benchCircuit(
  label: string,
  a: ModelArtifact,
  xs: bigint[][],
  opts: { binding: InputBinding; items: number; agreementItems: bigint[][]; proves: number; verifies: number },
): Promise<Row> {
  const t0 = performance.now();
  const mc = await buildModelCircuit(a, { binding: opts.binding, items: opts.items });
  const buildSec = (performance.now() - t0) / 1000;
  const batchOf = (start: number) => Array.from({ length: opts.items }, (_, i) => xs[(start + i) % xs.length]);
  const proveTimes: number[] = [];
  let last = await proveInference(mc, a, batchOf(0)); // warm-up (loads wasm/zkey, builds the curve)
  for (let r = 0; r < opts.proves; r++) {
    const t = performance.now();
    last = await proveInference(mc, a, batchOf(r * opts.items));
    proveTimes.push((performance.now() - t) / 1000);
  }
  const hash = await poseidonModelHash(a);
  const inputs = batchOf((opts.proves - 1) * opts.items);
  const verifyTimes: number[] = [];
  let valid = true;
  for (let r = 0; r < opts.verifies; r++) {
    const t = performance.now();
    const res = await verifyInference(mc.setup.vkey, mc.layout, last.proof, last.publicSignals, { modelHash: hash, inputs });
    verifyTimes.push(performance.now() - t);
    valid &&= res.valid;
  }
  // circuit output vs the JS fixed-point model (witness only, items per evaluation = circuit items)
  let agree = 0;
  const ag = opts.agreementItems;
  for (let s = 0; s < ag.length; s += opts.items) {
    const chunk = Array.from({ length: opts.items }, (_, i) => ag[(s + i) % ag.length]);
    const out = await evaluateCircuit(mc, a, chunk);
    out.items.forEach((it, i) => {
      if (s + i < ag.length && it.predicted === fixedPredict(a, chunk[i]) && it.scores.every((v, k) => v === fixedScoresCache(a, chunk[i])[k])) agree++;
    });
  }
  const proveSec = median(proveTimes);
  return {
    model: label,
    binding: opts.binding,
    items: opts.items,
    inputs: a.arch.inputs,
    weightBits: a.weightBits,
    scaleBits: a.scaleBits,
    constraints: mc.circuit.constraints,
    publicSignals: last.publicSignals.length,
    compileSec: mc.circuit.compileSec !== undefined ? round(mc.circuit.compileSec, 1) : null,
    setupSec: mc.setup.setupSec !== undefined ? round(mc.setup.setupSec, 1) : null,
    ptauSec: mc.setup.ptauSec !== undefined ? round(mc.setup.ptauSec, 1) : null,
    ptauPower: mc.setup.power,
    buildSecThisRun: round(buildSec, 1),
    proveSec: round(proveSec),
    provePerItemSec: round(proveSec / opts.items, 4),
    verifyMs: round(median(verifyTimes), 1),
    verified: valid,
    peakRssMb: rssMb(),
    argmaxAgreement: ag.length ? agree / ag.length : null,
    agreementItems: ag.length,
  };
}

const scoreCache = new WeakMap<bigint[], bigint[]>();
function fixedScoresCache(a: ModelArtifact, x: bigint[]): bigint[] {
  let s = scoreCache.get(x);
  if (!s) {
    s = fixedScores(a, x);
    scoreCache.set(x, s);
  }
  return s;
}

export async function run(options: BenchOptions): Promise<object> {
  const quick = options.quick ?? false;
  const buckets = quick ? 256 : 1024;
  const batchItems = quick ? 10 : 100;
  const agreementN = quick ? 100 : 1000;
  const results: Row[] = [];
  try {
    const dataset = loadSpamAssassin();
    const { train, test } = trainTestSplit(dataset, { seed: 1, testFraction: 0.2 });
    const ytr = labelsOf(train.items);
    const yte = labelsOf(test.items);

    // spam logistic regression on hashed n-grams
    const spec = hashedNgramSpec({ buckets });
    const feat = makeFeaturizer(spec);
    const Xtr = feat.transformAll(train.items);
    const Xte = feat.transformAll(test.items);
    const lr = trainLogReg(Xtr, ytr, { seed: 1, classes: 2 });
    const lrArt = toArtifact(lr, { name: `spam-logreg-${buckets}`, featurizer: spec, labels: dataset.labels, weightBits: 8 });
    const lrAgree = checkAgreement(lr, lrArt, Xte, yte);
    const lrX = intRows(lrArt, Xte, Math.max(agreementN, batchItems));
    const accuracy = { floatAccuracy: round(lrAgree.floatAccuracy ?? 0, 4), fixedAccuracy: round(lrAgree.fixedAccuracy ?? 0, 4), floatFixedAgreement: round(lrAgree.rate, 4) };
    results.push({
      ...(await benchCircuit(`spam logistic regression (${buckets} hashed features, 8-bit weights)`, lrArt, lrX, {
        binding: 'hash',
        items: 1,
        agreementItems: [],
        proves: 3,
        verifies: 20,
      })),
      ...accuracy,
    });
    log(results[0]);

    // MLP on fewer hashed features
    const mSpec = hashedNgramSpec({ buckets: 64 });
    const mFeat = makeFeaturizer(mSpec);
    const mXtr = mFeat.transformAll(train.items);
    const mXte = mFeat.transformAll(test.items);
    const mlp = trainMlp(mXtr, ytr, { seed: 1, classes: 2, hidden: 16 });
    const mlpArt = toArtifact(mlp, { name: 'spam-mlp-64-16-2', featurizer: mSpec, labels: dataset.labels, weightBits: 8 });
    const mAgree = checkAgreement(mlp, mlpArt, mXte, yte);
    const mX = intRows(mlpArt, mXte, agreementN);
    results.push({
      ...(await benchCircuit('spam MLP 64→16→2 (ReLU, 8-bit weights)', mlpArt, mX, { binding: 'hash', items: 1, agreementItems: quick ? mX.slice(0, 20) : mX.slice(0, 200), proves: 3, verifies: 20 })),
      floatAccuracy: round(mAgree.floatAccuracy ?? 0, 4),
      fixedAccuracy: round(mAgree.fixedAccuracy ?? 0, 4),
      floatFixedAgreement: round(mAgree.rate, 4),
    });
    log(results[results.length - 1]);
    // batch: one round's items for the same model in one proof; its witness also checks agreement
    const batch = await benchCircuit(`spam logistic regression batch (${batchItems} items)`, lrArt, lrX, {
      binding: 'public',
      items: batchItems,
      agreementItems: lrX.slice(0, agreementN),
      proves: 1,
      verifies: 3,
    });
    results.push({ ...batch, ...accuracy });
    log(batch);
    results[0].argmaxAgreement = batch.argmaxAgreement;
    results[0].agreementItems = batch.agreementItems;
    results[0].agreementNote = 'same model and JS reference, evaluated through the batch circuit';

  } finally {
    await terminateCurve();
  }
  return {
    results,
    targets: { spamProveSec: 5, spamVerifyMs: 20, batchProvePerItemSec: 0.3, argmaxAgreement: 1, quantizedAccuracyLossPoints: 0.5 },
  };
}
