/**
 * Round batch proofs (src/zk/batch.ts; `fold` binding for this logistic regression, batch-fold.ts):
 * a spam logistic regression at 1,024 hashed features per item over a round of 150 items in one
 * proof (150 slots), and at 128 features. Per row: constraints, setup, proving seconds per item,
 * verification ms per batch (the verifier's own challenge, folded input hash and score digest, and
 * the pairing over 5 public signals), and batch verifications per second per core (CPU time).
 *
 * Slots per row: HINDSIGHT_ZK_BATCH_SLOTS (default 150; --quick: 128 features × 16 slots only).
 * The folded circuit proves the first layer once per batch, so its cost is mostly fixed (model
 * hash, Poseidon of the folded input) plus a few constraints per slot: seconds per item fall as
 * slots grow. Run by `hindsight bench zk-batch --json`, and as the `digest` part of `hindsight bench zk`.
 */
import { loadavg } from 'node:os';
import type { BenchOptions } from './bench-types.js';
import { quantizedDense, quantizeFeatures, toArtifact } from '../src/ml/artifact.js';
import { modelHashOf } from '../src/ml/artifact.js';
import { loadSpamAssassin } from '../src/ml/data/spam-assassin.js';
import { trainTestSplit } from '../src/ml/data/split.js';
import { labelsOf } from '../src/ml/data/dataset.js';
import { hashedNgramSpec, makeFeaturizer } from '../src/ml/features/featurizer.js';
import { csrRow } from '../src/ml/features/sparse.js';
import { trainLogReg } from '../src/ml/models/logreg.js';
import { buildBatchCircuit, proveBatch, verifyBatch } from '../src/zk/batch.js';
import { terminateCurve } from '../src/zk/curve.js';

const round = (v: number, d = 3) => Number(v.toFixed(d));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const log = (row: object) => process.stderr.write(`zk batch bench row: ${JSON.stringify(row)}\n`);

export async function digestBatchRows(options: BenchOptions): Promise<Record<string, unknown>[]> {
  const slots = Number(process.env.HINDSIGHT_ZK_BATCH_SLOTS ?? (options.quick ? 16 : 150));
  const sizes = options.quick ? [128] : [1024, 128];
  const dataset = loadSpamAssassin();
  const { train, test } = trainTestSplit(dataset, { seed: 1, testFraction: 0.2 });
  const ytr = labelsOf(train.items);
  const rows: Record<string, unknown>[] = [];
  for (const buckets of sizes) {
    const spec = hashedNgramSpec({ buckets });
    const feat = makeFeaturizer(spec);
    const lr = trainLogReg(feat.transformAll(train.items), ytr, { seed: 1, classes: 2 });
    const a = toArtifact(lr, { name: `spam-logreg-${buckets}`, featurizer: spec, labels: dataset.labels, weightBits: 8, scaleBits: 4 });
    const Xte = feat.transformAll(test.items);
    const xs = Array.from({ length: slots * 2 }, (_, i) => quantizedDense(a, quantizeFeatures(a, csrRow(Xte, i % Xte.rows))));
    const t0 = performance.now();
    const mc = await buildBatchCircuit(a, { items: slots });
    const setupSec = (performance.now() - t0) / 1000;
    const hash = await modelHashOf(a);
    await proveBatch(mc, a, xs.slice(0, slots)); // warm-up: loads wasm and zkey
    const proveSec: number[] = [];
    const proveCpuSec: number[] = [];
    let last = await proveBatch(mc, a, xs.slice(slots, 2 * slots));
    for (let r = 0; r < 2; r++) {
      const t = performance.now();
      const c = process.cpuUsage();
      last = await proveBatch(mc, a, xs.slice(slots, 2 * slots));
      proveSec.push((performance.now() - t) / 1000);
      const d = process.cpuUsage(c);
      proveCpuSec.push((d.user + d.system) / 1e6);
    }
    const proven = xs.slice(slots, 2 * slots);
    const verifyMs: number[] = [];
    const verifyCpuMs: number[] = [];
    let valid = true;
    for (let r = 0; r < 20; r++) {
      const t = performance.now();
      const c = process.cpuUsage();
      valid &&= (await verifyBatch(mc.setup.vkey, mc.layout, last, { modelHash: hash, inputs: proven })).valid;
      verifyMs.push(performance.now() - t);
      const d = process.cpuUsage(c);
      verifyCpuMs.push((d.user + d.system) / 1000);
    }
    const perItem = median(proveSec) / slots;
    const row = {
      label: `spam LR round batch, ${buckets} hashed features per item, ${slots} items in one proof, ${mc.layout.binding} binding`,
      featuresPerItem: buckets,
      slots,
      binding: mc.layout.binding,
      constraints: mc.circuit.constraints,
      constraintsPerItem: Math.round(mc.circuit.constraints / slots),
      publicSignals: mc.setup.vkey.nPublic,
      power: mc.setup.power,
      setupSec: round(setupSec, 1),
      proveSec: round(median(proveSec)),
      proveCpuSec: round(median(proveCpuSec)),
      proveSecPerItem: round(perItem, 4),
      verifyMsPerBatch: round(median(verifyMs), 1),
      verifyCpuMsPerBatch: round(median(verifyCpuMs), 1),
      batchVerificationsPerSecPerCore: round(1000 / median(verifyCpuMs), 1),
      verified: valid,
      loadAverage: round(loadavg()[0]!, 1),
    };
    rows.push(row);
    log(row);
  }
  return rows;
}

export async function run(options: BenchOptions): Promise<object> {
  try {
    return { results: await digestBatchRows(options), targets: { proveSecPerItem1024: 0.1, verifyMsPerBatch: 50, batchVerificationsPerSecPerCore: 20 } };
  } finally {
    await terminateCurve();
  }
}
