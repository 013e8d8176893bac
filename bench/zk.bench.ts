/**
 * `hindsight bench zk --json`: spam logistic regression (≥ 1,024 hashed features), an MLP, and a
 * batch proof of one round (≥ 100 items, one model). Per circuit: constraints, setup, prove and
 * warm verify times, peak RSS, and argmax agreement of the circuit with the JS fixed-point model.
 * Full size takes several minutes on 2 cores (compile + setup are cached in .cache/hindsight).
 */
import { loadavg } from 'node:os';
import type { BenchOptions } from './bench-types.js';
import { checkAgreement, fixedPredict, fixedScores, quantizedDense, quantizeFeatures, toArtifact } from '../src/ml/artifact.js';
import type { ModelArtifact } from '../src/ml/artifact-types.js';
import { loadSpamAssassin } from '../src/ml/data/spam-assassin.js';
import { trainTestSplit } from '../src/ml/data/split.js';
import { labelsOf } from '../src/ml/data/dataset.js';
import { hashedNgramSpec, makeFeaturizer } from '../src/ml/features/featurizer.js';
import { csrRow, type CsrMatrix } from '../src/ml/features/sparse.js';
import { trainLogReg } from '../src/ml/models/logreg.js';
import { trainMlp } from '../src/ml/models/mlp.js';
import type { InputBinding } from '../src/statement/layout.js';
import { terminateCurve } from '../src/zk/curve.js';
import { buildModelCircuit, evaluateCircuit, proveInference, verifyInference } from '../src/zk/inference.js';
import { poseidonModelHash } from '../src/ml/commitment/model-hash.js';

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
  const proveCpu: number[] = [];
  let last = await proveInference(mc, a, batchOf(0)); // warm-up (loads wasm/zkey, builds the curve)
  for (let r = 0; r < opts.proves; r++) {
    const t = performance.now();
    const c = process.cpuUsage();
    last = await proveInference(mc, a, batchOf(r * opts.items));
    proveTimes.push((performance.now() - t) / 1000);
    const d = process.cpuUsage(c);
    proveCpu.push((d.user + d.system) / 1e6);
  }
  const hash = await poseidonModelHash(a);
  const inputs = batchOf((opts.proves - 1) * opts.items);
  const verifyTimes: number[] = [];
  const verifyCpu: number[] = [];
  let valid = true;
  for (let r = 0; r < opts.verifies; r++) {
    const t = performance.now();
    const c = process.cpuUsage();
    const res = await verifyInference(mc.setup.vkey, mc.layout, last.proof, last.publicSignals, { modelHash: hash, inputs });
    verifyTimes.push(performance.now() - t);
    const d = process.cpuUsage(c);
    verifyCpu.push((d.user + d.system) / 1e3);
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
    // CPU time across all threads: on a shared machine, proveCpuSec / 2 estimates idle 2-core wall time
    proveCpuSec: round(median(proveCpu), 2),
    verifyCpuMs: round(median(verifyCpu), 1),
    loadAverage: round(loadavg()[0], 1),
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
  // HINDSIGHT_ZK_BENCH=lr,mlp,batch,digest selects parts (default all); digest = round batch proofs, folded for the LR (zk-batch.bench.ts)
  const parts = new Set((process.env.HINDSIGHT_ZK_BENCH ?? 'lr,mlp,batch,digest').split(','));
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
    // F=4 with clipping of the few largest weights keeps 8-bit accuracy within 0.1 point of float
    // (the default F, which fits the largest weight, is 3 and loses 1.3 points)
    const lrF = Number(process.env.HINDSIGHT_ZK_BENCH_F ?? 4);
    const lrArt = toArtifact(lr, { name: `spam-logreg-${buckets}`, featurizer: spec, labels: dataset.labels, weightBits: 8, scaleBits: lrF });
    const lrAgree = checkAgreement(lr, lrArt, Xte, yte);
    const lrX = intRows(lrArt, Xte, Math.max(agreementN, batchItems));
    const accuracy = { floatAccuracy: round(lrAgree.floatAccuracy ?? 0, 4), fixedAccuracy: round(lrAgree.fixedAccuracy ?? 0, 4), floatFixedAgreement: round(lrAgree.rate, 4) };
    if (parts.has('lr')) results.push({
      ...(await benchCircuit(`spam logistic regression (${buckets} hashed features, 8-bit weights)`, lrArt, lrX, {
        binding: 'hash',
        items: 1,
        agreementItems: lrX.slice(0, agreementN),
        proves: 3,
        verifies: 20,
      })),
      ...accuracy,
    });
    if (parts.has('lr')) log(results[0]);

    // MLP on fewer hashed features
    if (parts.has('mlp')) {
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
    }
    // batch: one round's items for one model in one proof (public features: the items are public);
    // its witness also checks circuit = JS on `agreementN` items. Features per item default to 128
    // (HINDSIGHT_ZK_BENCH_BATCH_BUCKETS): 100 × 1,024 public features needs a 2^17 setup.
    if (parts.has('batch')) {
      const bBuckets = Number(process.env.HINDSIGHT_ZK_BENCH_BATCH_BUCKETS ?? (quick ? buckets : 128));
      const bSpec = hashedNgramSpec({ buckets: bBuckets });
      const bFeat = makeFeaturizer(bSpec);
      const bXte = bFeat.transformAll(test.items);
      const bModel = bBuckets === buckets ? lr : trainLogReg(bFeat.transformAll(train.items), ytr, { seed: 1, classes: 2 });
      const bArt = bBuckets === buckets ? lrArt : toArtifact(bModel, { name: `spam-logreg-${bBuckets}`, featurizer: bSpec, labels: dataset.labels, weightBits: 8 });
      const bAgree = checkAgreement(bModel, bArt, bXte, yte);
      const bX = intRows(bArt, bXte, Math.max(agreementN, batchItems));
      const batch = await benchCircuit(`spam logistic regression batch (${batchItems} items, ${bBuckets} hashed features)`, bArt, bX, {
        binding: 'public',
        items: batchItems,
        agreementItems: bX.slice(0, agreementN),
        proves: 1,
        verifies: 3,
      });
      results.push({ ...batch, floatAccuracy: round(bAgree.floatAccuracy ?? 0, 4), fixedAccuracy: round(bAgree.fixedAccuracy ?? 0, 4), floatFixedAgreement: round(bAgree.rate, 4) });
      log(batch);
    }
    if (parts.has('digest')) results.push(...(await (await import('./zk-batch.bench.js')).digestBatchRows(options)));
  } finally {
    await terminateCurve();
  }
  return {
    results,
    targets: { spamProveSec: 5, spamVerifyMs: 20, batchProvePerItemSec: 0.3, argmaxAgreement: 1, quantizedAccuracyLossPoints: 0.5 },
  };
}
