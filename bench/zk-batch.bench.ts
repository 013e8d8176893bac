/**
 * Round batch proofs (src/zk/batch.ts; `fold` binding for this logistic regression, batch-fold.ts):
 * a spam logistic regression at 1,024 hashed features per item over a round of 150 items in one
 * proof (150 slots), and at 128 features. Per row: constraints, setup, proving seconds per item,
 * verification ms per batch (the verifier's own challenge, the evaluations of the folded input and
 * of the claimed scores, and the pairing over 7 public signals), and batch verifications per second
 * per core (CPU time).
 *
 * Each row also splits the verifier's CPU time into its parts (median ms): `challenge` (range
 * check and Fiat–Shamir challenge over the items' non-zero features), `eval` (Σ_i point^i·X_i of
 * the folded input without forming X, and the claimed scores at the challenge) and `groth16` (the
 * pairing over 7 signals), beside `featurize` (the node's featurization of the items' texts at
 * intake, once per round and featurizer, not part of the per-batch verification). A first row,
 * `host`, measures the same parts at 1,024 features × 150 items without the big circuit (the
 * pairing then runs on a small folded circuit's proof: its cost depends only on the 7 signals), so
 * it needs no long setup.
 *
 * Slots per row: HINDSIGHT_ZK_BATCH_SLOTS (default 150; --quick: 128 features × 16 slots only).
 * HINDSIGHT_ZK_BATCH_HOST_ONLY=1 runs the `host` row alone.
 * The folded circuit proves the first layer once per batch, so its cost is mostly fixed (model
 * hash, Poseidon of the folded input and its evaluation) plus a few constraints per slot: seconds per item fall as
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
import type { ModelArtifact } from '../src/ml/artifact-types.js';
import { poseidonModelHash } from '../src/ml/commitment/model-hash.js';
import type { PublicLayout } from '../src/statement/layout.js';
import { buildBatchCircuit, proveBatch, verifyBatch, type BatchProof } from '../src/zk/batch.js';
import { foldDigest, foldPoint, foldWitness, generateFoldCircuit } from '../src/zk/batch-fold.js';
import { terminateCurve } from '../src/zk/curve.js';
import { fastGroth16Verify } from '../src/zk/fast-verify.js';
import { checkedSparseInputs, fieldEval, sparseChallenge, sparseFold, sparseFoldEval } from '../src/zk/fold-sparse.js';
import { itemIntegerInput } from '../src/zk/item-input.js';
import type { VerificationKey } from '../src/statement/groth16.js';
import { randomLogReg } from '../test/support/test-models.js';

const round = (v: number, d = 3) => Number(v.toFixed(d));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const log = (row: object) => process.stderr.write(`zk batch bench row: ${JSON.stringify(row)}\n`);

/** Median CPU ms of `f` over `runs` runs (after one warm-up). */
async function cpuMs(runs: number, f: () => unknown): Promise<number> {
  await f();
  const out: number[] = [];
  for (let r = 0; r < runs; r++) {
    const c = process.cpuUsage();
    await f();
    const d = process.cpuUsage(c);
    out.push((d.user + d.system) / 1000);
  }
  return round(median(out), 2);
}

/**
 * The verifier's parts for one folded batch (signals as a valid proof carries them), as
 * verifyBatch runs them; the pairing on `pairing` (any valid 7-signal proof and its key).
 */
async function verifierParts(
  layout: PublicLayout,
  signals: readonly bigint[],
  xs: readonly (readonly bigint[])[],
  scores: readonly (readonly bigint[])[],
  pairing: { vkey: VerificationKey; batch: BatchProof },
  texts: readonly string[],
  a: ModelArtifact,
) {
  const [modelHash, digest, commitment, point, , , rho] = signals as [bigint, bigint, bigint, bigint, bigint, bigint, bigint];
  const sparse = checkedSparseInputs(layout.input, xs);
  if (typeof sparse === 'string') throw new Error(sparse);
  const parts = {
    challenge: await cpuMs(20, () => {
      const sp = checkedSparseInputs(layout.input, xs) as Exclude<typeof sparse, string>;
      sparseChallenge(modelHash, sp, digest, commitment, scores);
    }),
    eval: await cpuMs(20, () => {
      sparseFoldEval(layout.input.count, sparse, rho, point);
      fieldEval(scores.flat(), rho);
    }),
    groth16: await cpuMs(20, () => fastGroth16Verify(pairing.vkey, pairing.batch.publicSignals, pairing.batch.proof)),
    featurize: await cpuMs(5, () => texts.map((text) => itemIntegerInput(a.featurizer, layout, { text }))),
  };
  return { ...parts, verifierCpuMs: round(parts.challenge + parts.eval + parts.groth16, 1) };
}

/** The spam LR of a row: trained at `buckets` hashed features, 8-bit weights, F = 4. */
function spamModel(buckets: number, slots: number) {
  const dataset = loadSpamAssassin();
  const { train, test } = trainTestSplit(dataset, { seed: 1, testFraction: 0.2 });
  const spec = hashedNgramSpec({ buckets });
  const feat = makeFeaturizer(spec);
  const lr = trainLogReg(feat.transformAll(train.items), labelsOf(train.items), { seed: 1, classes: 2 });
  const a = toArtifact(lr, { name: `spam-logreg-${buckets}`, featurizer: spec, labels: dataset.labels, weightBits: 8, scaleBits: 4 });
  const Xte = feat.transformAll(test.items);
  const xs = Array.from({ length: slots * 2 }, (_, i) => quantizedDense(a, quantizeFeatures(a, csrRow(Xte, i % Xte.rows))));
  const texts = Array.from({ length: slots }, (_, i) => test.items[i % test.items.length]!.text ?? '');
  return { a, xs, texts };
}

/**
 * The verifier at 1,024 features × `slots` items without the big circuit: the signals are the
 * prover's (foldWitness, no proof), the pairing runs on a proof of the small folded circuit the
 * tests share (16 features, 4 slots; cached), which costs the same as any 7-signal pairing.
 */
export async function hostRow(slots: number): Promise<Record<string, unknown>> {
  const { a, xs, texts } = spamModel(1024, slots);
  const { layout } = generateFoldCircuit(a, { items: slots });
  const proven = xs.slice(0, slots);
  const w = await foldWitness(a, layout, proven);
  const rho = BigInt((w.input as { rho: string }).rho);
  const digest = await foldDigest(layout, w.scores);
  const sparse = checkedSparseInputs(layout.input, proven);
  if (typeof sparse === 'string') throw new Error(sparse);
  const point = await foldPoint(sparseFold(layout.input.count, sparse, rho), rho);
  const signals = [await poseidonModelHash(a), digest, digest, point, sparseFoldEval(layout.input.count, sparse, rho, point), fieldEval(w.scores.flat(), rho), rho];
  const small = randomLogReg(16, 2, true, { seed: 7, weightBits: 16 });
  const mc = await buildBatchCircuit(small, { items: 4 });
  const batch = await proveBatch(mc, small, [Array.from({ length: 16 }, (_, i) => BigInt(i % 2))]);
  const parts = await verifierParts(layout, signals, proven, w.scores, { vkey: mc.setup.vkey, batch }, texts, a);
  const row = {
    label: `verifier host side, 1,024 hashed features per item, ${slots} items (pairing on a small folded circuit's 7-signal proof)`,
    featuresPerItem: 1024,
    slots,
    nonZeroFeaturesPerItem: round(proven.reduce((s, x) => s + x.filter((v) => v !== 0n).length, 0) / slots, 1),
    ...parts,
    batchVerificationsPerSecPerCore: round(1000 / parts.verifierCpuMs, 1),
    loadAverage: round(loadavg()[0]!, 1),
  };
  log(row);
  return row;
}

export async function digestBatchRows(options: BenchOptions): Promise<Record<string, unknown>[]> {
  const slots = Number(process.env.HINDSIGHT_ZK_BATCH_SLOTS ?? (options.quick ? 16 : 150));
  const sizes = options.quick ? [128] : [1024, 128];
  const rows: Record<string, unknown>[] = [];
  if (!options.quick) rows.push(await hostRow(slots));
  if (process.env.HINDSIGHT_ZK_BATCH_HOST_ONLY === '1') return rows;
  for (const buckets of sizes) {
    const { a, xs, texts } = spamModel(buckets, slots);
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
    const signals = last.publicSignals.map((v) => BigInt(v));
    const scores = last.scores.map((row) => row.map((v) => BigInt(v)));
    const parts = await verifierParts(mc.layout, signals, proven, scores, { vkey: mc.setup.vkey, batch: last }, texts, a);
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
      verifyCpuMsParts: parts,
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
