/**
 * `hindsight bench onnx --json`: deeper models imported from ONNX, proven. Per network: constraints,
 * setup (ptau + zkey, cached after the first run), prove and warm verify times, and whether the
 * proven scores equal the JS fixed-point model. `--quick` keeps the 8×8 cases; the full run adds a
 * 28×28 conv net. HINDSIGHT_ONNX_BENCH=dense,conv-max,conv-avg,conv28 selects cases.
 */
import type { BenchOptions } from './bench-types.js';
import { fixedScores, quantizedDense, quantizeFeatures } from '../src/ml/artifact.js';
import { denseToSparse } from '../src/ml/features/sparse.js';
import { terminateCurve } from '../src/zk/curve.js';
import { buildModelCircuit, proveInference, verifyInference } from '../src/zk/inference.js';
import { importOnnx } from '../src/zk/onnx-import.js';
import { poseidonModelHash } from '../src/ml/commitment/model-hash.js';
import { seededRandom } from '../test/support/test-models.js';
import { torchConvNet, torchDeepMlp } from '../test/support/onnx-models.js';

const log = (row: object) => process.stderr.write(`onnx bench row: ${JSON.stringify(row)}\n`);
const round = (v: number, d = 3) => Number(v.toFixed(d));

type Case = { name: string; bytes: () => Uint8Array; inputs: number; full?: boolean };
const cases: Case[] = [
  { name: 'dense', bytes: () => torchDeepMlp(64, [32, 32, 16], 10, 1), inputs: 64 },
  { name: 'conv-max', bytes: () => torchConvNet({ shape: [1, 8, 8], channels: 4, kernel: 3, stride: 1, pool: 'MaxPool', poolSize: 2, classes: 10 }, 2), inputs: 64 },
  { name: 'conv-avg', bytes: () => torchConvNet({ shape: [1, 8, 8], channels: 4, kernel: 3, stride: 1, pool: 'AveragePool', poolSize: 2, classes: 10 }, 3), inputs: 64 },
  { name: 'conv28', bytes: () => torchConvNet({ shape: [1, 28, 28], channels: 4, kernel: 5, stride: 2, pool: 'MaxPool', poolSize: 2, classes: 10 }, 4), inputs: 784, full: true },
];

export async function run(options: BenchOptions): Promise<object> {
  const only = process.env.HINDSIGHT_ONNX_BENCH?.split(',');
  const rows: object[] = [];
  for (const c of cases) {
    if (only ? !only.includes(c.name) : c.full && options.quick) continue;
    const rand = seededRandom(9);
    const images = Array.from({ length: 20 }, () => Array.from({ length: c.inputs }, () => rand()));
    const { artifact, report } = importOnnx(c.bytes(), images, { weightBits: 8 });
    const t0 = performance.now();
    const mc = await buildModelCircuit(artifact, { binding: 'hash', items: 1 });
    const setupSec = (performance.now() - t0) / 1000;
    const x = quantizedDense(artifact, quantizeFeatures(artifact, denseToSparse(images[0]!)));
    await proveInference(mc, artifact, [x]); // warm-up: wasm, zkey, curve
    const proves: number[] = [];
    let p = await proveInference(mc, artifact, [x]);
    for (let i = 0; i < (options.quick ? 2 : 3); i++) {
      const t = performance.now();
      p = await proveInference(mc, artifact, [x]);
      proves.push((performance.now() - t) / 1000);
    }
    const hash = await poseidonModelHash(artifact);
    await verifyInference(mc.setup.vkey, mc.layout, p.proof, p.publicSignals, { modelHash: hash, inputs: [x] });
    const t1 = performance.now();
    const v = await verifyInference(mc.setup.vkey, mc.layout, p.proof, p.publicSignals, { modelHash: hash, inputs: [x] });
    const verifyMs = performance.now() - t1;
    const row = {
      case: c.name,
      layers: artifact.arch.kind === 'net' ? artifact.arch.layers.map((l) => (l.op === 'pool' ? `${l.mode}pool${l.size}` : l.op === 'conv' ? `conv${l.channels}x${l.kernel}s${l.stride}` : `dense${l.outputs}`)).join(' → ') : artifact.arch.kind,
      weights: artifact.weightBits,
      scaleBits: artifact.scaleBits,
      constraints: mc.circuit.constraints,
      power: mc.setup.power,
      setupSec: round(setupSec, 1),
      proveSec: round(proves.sort((a, b) => a - b)[Math.floor(proves.length / 2)]!),
      verifyMs: round(verifyMs, 1),
      valid: v.valid,
      scoresEqualJs: v.items?.[0]?.scores.join() === fixedScores(artifact, x).join(),
      argmaxAgreementFloat: report.argmaxAgreement,
    };
    log(row);
    rows.push(row);
  }
  await terminateCurve();
  return { bench: 'onnx', rows };
}
