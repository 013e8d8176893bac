/**
 * `hindsight bench onnx --json`: deeper models imported from ONNX, proven. Per network: constraints
 * (in all, and per layer as the generator emits them), setup (compile + zkey, cached after the first
 * run), prove and warm verify times, and whether the proven scores equal the JS fixed-point model.
 * `--quick` keeps the 8×8 cases; the full run adds two conv nets on 28×28 images, one with max and
 * one with average pooling, which differ only in the pool layer. HINDSIGHT_ONNX_BENCH=dense,
 * conv-max,conv-avg,conv28-max,conv28-avg selects cases.
 *
 * The 28×28 images are pixels in [0, 1] (as digit images are), so their input range is unsigned
 * F+1 bits instead of the signed F+8 a generic dense input gets: that halves the input hash.
 */
import type { BenchOptions } from './bench-types.js';
import type { ModelArtifact } from '../src/ml/artifact-types.js';
import { fixedScores, quantizedDense, quantizeFeatures } from '../src/ml/artifact.js';
import { denseToSparse } from '../src/ml/features/sparse.js';
import { poseidonModelHash } from '../src/ml/commitment/model-hash.js';
import { compileModelCircuit, proveInference, verifyInference, type ModelCircuit } from '../src/zk/inference.js';
import { netCircuit } from '../src/zk/net-circuit.js';
import { setupCircuit } from '../src/zk/setup.js';
import { terminateCurve } from '../src/zk/curve.js';
import { importOnnx } from '../src/zk/onnx-import.js';
import { seededRandom } from '../test/support/test-models.js';
import { torchConvNet, torchDeepMlp, type ConvNetSpec } from '../test/support/onnx-models.js';

const log = (row: object) => process.stderr.write(`onnx bench row: ${JSON.stringify(row)}\n`);
const round = (v: number, d = 3) => Number(v.toFixed(d));
const seconds = (t0: number) => round((performance.now() - t0) / 1000, 1);

type Case = { name: string; bytes: () => Uint8Array; inputs: number; pixels?: boolean; full?: boolean };
const conv8 = (pool: ConvNetSpec['pool']): ConvNetSpec => ({ shape: [1, 8, 8], channels: 4, kernel: 3, stride: 1, pool, poolSize: 2, classes: 10 });
// 28×28: 4 channels of 5×5 at stride 3 shrink the image to 8×8 at once, the pool to 4×4 (64 values
// into the dense layer), so the whole circuit stays under 2^15 constraints.
const conv28 = (pool: ConvNetSpec['pool']): ConvNetSpec => ({ shape: [1, 28, 28], channels: 4, kernel: 5, stride: 3, pool, poolSize: 2, classes: 10 });
const cases: Case[] = [
  { name: 'dense', bytes: () => torchDeepMlp(64, [32, 32, 16], 10, 1), inputs: 64 },
  { name: 'conv-max', bytes: () => torchConvNet(conv8('MaxPool'), 2), inputs: 64 },
  { name: 'conv-avg', bytes: () => torchConvNet(conv8('AveragePool'), 3), inputs: 64 },
  { name: 'conv28-max', bytes: () => torchConvNet(conv28('MaxPool'), 4), inputs: 784, pixels: true, full: true },
  { name: 'conv28-avg', bytes: () => torchConvNet(conv28('AveragePool'), 4), inputs: 784, pixels: true, full: true },
];

const layerName = (l: Extract<ModelArtifact['arch'], { kind: 'net' }>['layers'][number]) =>
  l.op === 'pool' ? `${l.mode}pool${l.size}` : l.op === 'conv' ? `conv${l.channels}x${l.kernel}s${l.stride}${l.relu ? '+relu' : ''}` : `dense${l.outputs}${l.relu ? '+relu' : ''}`;

export async function run(options: BenchOptions): Promise<object> {
  const only = process.env.HINDSIGHT_ONNX_BENCH?.split(',');
  const rows: object[] = [];
  for (const c of cases) {
    if (only ? !only.includes(c.name) : c.full && options.quick) continue;
    const rand = seededRandom(9);
    const images = Array.from({ length: 20 }, () => Array.from({ length: c.inputs }, () => rand()));
    const { artifact, report } = importOnnx(c.bytes(), images, { weightBits: 8 });
    if (artifact.arch.kind !== 'net') throw new Error(`${c.name}: expected a net artifact, got ${artifact.arch.kind}`);
    const input = c.pixels ? { bits: artifact.scaleBits + 1, signed: false } : undefined;
    const t0 = performance.now();
    const compiled = await compileModelCircuit(artifact, { binding: 'hash', items: 1, input });
    const compileSec = seconds(t0);
    const t1 = performance.now();
    const setup = await setupCircuit(compiled.circuit);
    const setupSec = seconds(t1);
    const mc: ModelCircuit = { ...compiled, setup };
    const net = netCircuit({ ...artifact, arch: artifact.arch }, mc.layout.input, 1);
    const perLayer = artifact.arch.layers.map((l, i) => ({ layer: layerName(l), constraints: net.layerConstraints[i]! }));
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
    const t2 = performance.now();
    const v = await verifyInference(mc.setup.vkey, mc.layout, p.proof, p.publicSignals, { modelHash: hash, inputs: [x] });
    const verifyMs = performance.now() - t2;
    const layerTotal = perLayer.reduce((s, l) => s + l.constraints, 0);
    const row = {
      case: c.name,
      layers: perLayer.map((l) => l.layer).join(' → '),
      input: `${c.inputs} × ${mc.layout.input.bits}-bit ${mc.layout.input.signed ? 'signed' : 'unsigned'}`,
      weights: artifact.weightBits,
      weightCount: 'layers' in artifact.weights ? artifact.weights.layers.reduce((s, l) => s + l.W.length * (l.W[0]?.length ?? 0) + l.b.length, 0) : 0,
      scaleBits: artifact.scaleBits,
      constraints: mc.circuit.constraints,
      perLayer,
      // the weight commitment (a range check per weight + Poseidon) and the input hash
      commitmentAndInput: mc.circuit.constraints - layerTotal,
      power: mc.setup.power,
      // 0 when cached: a cold figure needs an empty HINDSIGHT_CACHE (the ptau can stay)
      compileSec,
      setupSec,
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
