/**
 * Round batch proofs (digest binding, src/zk/batch.ts): spam logistic regression at 1,024 and at
 * 128 hashed features per item, in the same run. Per size: constraints, setup, proving seconds per
 * item, verification ms per batch (pairing over 2 public signals + the verifier's own input hashes
 * + digest), batch verifications per second per core, and a projection to a 150-item round.
 *
 * The circuit has S slots (HINDSIGHT_ZK_BATCH_SLOTS, default 4; 16 with --quick off is a 2^17
 * setup at 1,024 features): proving is linear in slots, so seconds per item = prove / S; a round
 * of 150 items is ⌈150 / S⌉ batch proofs, or one 150-slot proof with the same per-item cost.
 * Run by `hindsight bench zk-batch --json`, and as the `digest` part of `hindsight bench zk`.
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
import { inputHash } from '../src/zk/input-hash.js';

const round = (v: number, d = 3) => Number(v.toFixed(d));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const log = (row: object) => process.stderr.write(`zk batch bench row: ${JSON.stringify(row)}\n`);
const ROUND_ITEMS = 150;

export async function digestBatchRows(options: BenchOptions): Promise<Record<string, unknown>[]> {
  const slots = Number(process.env.HINDSIGHT_ZK_BATCH_SLOTS ?? 4);
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
    const xs = Array.from({ length: slots * 3 }, (_, i) => quantizedDense(a, quantizeFeatures(a, csrRow(Xte, i))));
    const t0 = performance.now();
    const mc = await buildBatchCircuit(a, { items: slots });
    const setupSec = (performance.now() - t0) / 1000;
    const hash = await modelHashOf(a);
    await proveBatch(mc, a, xs.slice(0, slots)); // warm-up: loads wasm and zkey
    const proveSec: number[] = [];
    let last = await proveBatch(mc, a, xs.slice(slots, 2 * slots));
    for (let r = 0; r < 2; r++) {
      const t = performance.now();
      last = await proveBatch(mc, a, xs.slice(slots * (r + 1), slots * (r + 2)));
      proveSec.push((performance.now() - t) / 1000);
    }
    const proven = xs.slice(slots * 2, slots * 3);
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
    // The verifier's per-item cost: one input hash (Poseidon chain over the packed features).
    const th = performance.now();
    for (const x of xs) await inputHash(mc.layout.input, x);
    const hashMsPerItem = (performance.now() - th) / xs.length;
    const perItem = median(proveSec) / slots;
    const verify = median(verifyMs);
    const pairingMs = Math.max(0, verify - hashMsPerItem * slots);
    const row = {
      label: `spam LR round batch, ${buckets} hashed features per item, ${slots} slots, digest binding`,
      featuresPerItem: buckets,
      slots,
      constraints: mc.circuit.constraints,
      constraintsPerItem: Math.round(mc.circuit.constraints / slots),
      publicSignals: mc.setup.vkey.nPublic,
      power: mc.setup.power,
      setupSec: round(setupSec, 1),
      proveSec: round(median(proveSec)),
      proveSecPerItem: round(perItem, 4),
      verifyMsPerBatch: round(verify, 1),
      verifyCpuMsPerBatch: round(median(verifyCpuMs), 1),
      batchVerificationsPerSecPerCore: round(1000 / median(verifyCpuMs), 1),
      verifierHashMsPerItem: round(hashMsPerItem, 2),
      projected150Items: {
        proveSec: round(perItem * ROUND_ITEMS, 1),
        verifyMsOneProof: round(pairingMs + hashMsPerItem * ROUND_ITEMS, 1),
      },
      verified: valid,
      loadAverage: round(loadavg()[0]!, 1),
    };
    rows.push(row);
    log(row);
  }
  const big = rows.find((r) => r.featuresPerItem === 1024);
  const small = rows.find((r) => r.featuresPerItem === 128);
  if (big && small) rows.push({ label: 'ratio 1,024 / 128 features', proveSecPerItem: round((big.proveSecPerItem as number) / (small.proveSecPerItem as number), 2), verifyMsPerBatch: round((big.verifyMsPerBatch as number) / (small.verifyMsPerBatch as number), 2) });
  return rows;
}

export async function run(options: BenchOptions): Promise<object> {
  try {
    return { results: await digestBatchRows(options), targets: { proveSecPerItem1024: 0.1, verifyMsPerBatch: 50, batchVerificationsPerSecPerCore: 20 } };
  } finally {
    await terminateCurve();
  }
}
