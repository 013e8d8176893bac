import { afterAll, describe, expect, it } from 'vitest';
import { fixedPredict, fixedScores, quantizedDense, quantizeFeatures } from '../ml/artifact.js';
import { poseidonModelHash } from '../ml/commitment/model-hash.js';
import { denseToSparse } from '../ml/features/sparse.js';
import { terminateCurve } from './curve.js';
import { buildModelCircuit, proveInference, verifyInference } from './inference.js';
import { importOnnx } from './onnx-import.js';
import { seededRandom } from '../../test/support/test-models.js';
import { gauss, torchConvNet, torchDeepMlp } from '../../test/support/onnx-models.js';

afterAll(terminateCurve);

/**
 * Deeper imported models proven for real: the proof verifies, carries the artifact's model hash,
 * and its scores are exactly the JS fixed-point evaluation of the imported model. The networks are
 * as small as still shows each layer type (two circuits of 2^11 and 2^12 constraints), so compile and
 * setup stay cheap; bench/onnx.bench.ts proves the larger ones.
 */
describe('ONNX models beyond one hidden layer, proven', () => {
  it('a 3-hidden-layer MLP (Gemm, Relu ×3, Gemm, Softmax)', async () => {
    const rand = seededRandom(4);
    const xs = Array.from({ length: 50 }, () => Array.from({ length: 5 }, () => gauss(rand)));
    const { artifact, report } = importOnnx(torchDeepMlp(5, [4, 4, 3], 3, 7), xs, { weightBits: 8 });
    expect(artifact.arch.kind === 'net' && artifact.arch.layers.map((l) => (l.op === 'dense' ? `${l.outputs}${l.relu ? 'r' : ''}` : l.op))).toEqual(['4r', '4r', '3r', '3']);
    expect(report.argmaxAgreement).toBeGreaterThanOrEqual(0.9);
    const mc = await buildModelCircuit(artifact, { binding: 'public', items: 2 });
    const ints = xs.slice(0, 2).map((x) => quantizedDense(artifact, quantizeFeatures(artifact, denseToSparse(x))));
    const p = await proveInference(mc, artifact, ints);
    const r = await verifyInference(mc.setup.vkey, mc.layout, p.proof, p.publicSignals, { modelHash: await poseidonModelHash(artifact), inputs: ints });
    expect(r.valid).toBe(true);
    ints.forEach((x, m) => {
      expect(r.items?.[m]?.scores).toEqual(fixedScores(artifact, x).map(String));
      expect(r.items?.[m]?.predicted).toBe(fixedPredict(artifact, x));
    });
  }, 240_000);

  it('a small conv net on 8×8 images (Conv, Relu, MaxPool, Flatten, Gemm), hash-bound input', async () => {
    const rand = seededRandom(5);
    const images = Array.from({ length: 50 }, () => Array.from({ length: 64 }, () => rand()));
    // 2 channels of 2×2 at stride 2 → 2×4×4 → max pool 2 → 2×2×2 → dense 4
    const bytes = torchConvNet({ shape: [1, 8, 8], channels: 2, kernel: 2, stride: 2, pool: 'MaxPool', poolSize: 2, classes: 4 }, 3);
    const { artifact, report } = importOnnx(bytes, images, { weightBits: 8 });
    expect(artifact.arch).toMatchObject({ kind: 'net', inputs: 64, shape: [1, 8, 8], classes: 4 });
    expect(report.ops).toEqual(['Conv', 'Relu', 'MaxPool', 'Flatten', 'Gemm', 'Softmax']);
    expect(report.argmaxAgreement).toBeGreaterThanOrEqual(0.9);
    const mc = await buildModelCircuit(artifact, { binding: 'hash', items: 1 });
    const x = quantizedDense(artifact, quantizeFeatures(artifact, denseToSparse(images[0]!)));
    const p = await proveInference(mc, artifact, [x]);
    const hash = await poseidonModelHash(artifact);
    const r = await verifyInference(mc.setup.vkey, mc.layout, p.proof, p.publicSignals, { modelHash: hash, inputs: [x] });
    expect(r).toMatchObject({ valid: true, items: [{ scores: fixedScores(artifact, x).map(String), predicted: fixedPredict(artifact, x) }] });
    // the same proof is refused for another image and for a tampered score
    const other = x.map((v, i) => (i === 9 ? v + 1n : v));
    expect(await verifyInference(mc.setup.vkey, mc.layout, p.proof, p.publicSignals, { modelHash: hash, inputs: [other] })).toMatchObject({ reason: 'zk.inputMismatch' });
    const bumped = p.publicSignals.map((s, i) => (i === 2 ? (BigInt(s) + 1n).toString() : s));
    expect(await verifyInference(mc.setup.vkey, mc.layout, p.proof, bumped)).toMatchObject({ valid: false, reason: 'zk.proofInvalid' });
  }, 240_000);
});
