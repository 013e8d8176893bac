import { describe, expect, it } from 'vitest';
import { fixedPredict, quantizeFeatures } from '../ml/artifact.js';
import { denseToSparse } from '../ml/features/sparse.js';
import { floatProba, importOnnx, parseOnnx } from './onnx-import.js';
import { seededRandom } from '../../test/support/test-models.js';
import { gauss, matmulLogReg, torchConvNet, torchDeepMlp, torchMlp } from '../../test/support/onnx-models.js';

const samples = (n: number, D: number, seed: number) => {
  const rand = seededRandom(seed);
  return Array.from({ length: n }, () => Array.from({ length: D }, () => gauss(rand)));
};

describe('ONNX import', () => {
  it('imports a PyTorch-style MLP (Flatten, Gemm, Relu, Gemm, Softmax) matching float argmax', () => {
    const bytes = torchMlp(12, 6, 3, 5);
    const xs = samples(300, 12, 9);
    const { artifact, report } = importOnnx(bytes, xs, { weightBits: 16 });
    expect(artifact.arch).toEqual({ kind: 'mlp', inputs: 12, hidden: 6, classes: 3 });
    expect(report.ops).toEqual(['Flatten', 'Gemm', 'Relu', 'Gemm', 'Softmax']);
    expect(report.argmaxAgreement).toBeGreaterThanOrEqual(0.98);
    expect(report.maxAbsError).toBeLessThan(0.02);
    // the report's fixed side is the artifact's integer model, the float side the ONNX graph
    const g = parseOnnx(bytes);
    const x = xs[0];
    const pf = floatProba(g, x);
    const fixed = fixedPredict(artifact, quantizeFeatures(artifact, denseToSparse(x)));
    expect(fixed).toBe(pf.indexOf(Math.max(...pf)));
  });

  it('imports MatMul + Add + Sigmoid as a binary logistic regression; 8-bit weights still agree', () => {
    const xs = samples(300, 10, 4);
    const { artifact, report } = importOnnx(matmulLogReg(10, 3), xs, { weightBits: 8 });
    expect(artifact.arch).toEqual({ kind: 'logreg', inputs: 10, classes: 2, binary: true });
    expect(artifact.weightBits).toBe(8);
    expect(report.argmaxAgreement).toBeGreaterThanOrEqual(0.95);
    expect(report.maxAbsError).toBeLessThan(0.1);
  });

  it('rejects unsupported operators and undecodable bytes with "expected …, got …"', () => {
    expect(() => parseOnnx(matmulLogReg(4, 1, 'Tanh'))).toThrow(/expected Gemm \/ MatMul .*got "Tanh"/);
    expect(() => parseOnnx(Uint8Array.from([0xff, 0xff, 0xff]))).toThrow(/expected an ONNX ModelProto/);
    const padded = torchConvNet({ shape: [1, 8, 8], channels: 2, kernel: 3, stride: 1, pool: 'MaxPool', poolSize: 2, classes: 3 }, 1, { pads: [1, 1, 1, 1] });
    expect(() => parseOnnx(padded)).toThrow(expect.objectContaining({ code: 'zk.onnxUnsupported', message: expect.stringMatching(/pads: expected no padding \(0\), got \[1,1,1,1\]/) }));
  });

  it('keeps the 1-hidden-layer MLP an mlp artifact, and imports deeper stacks as a net', () => {
    expect(importOnnx(torchDeepMlp(6, [4], 3, 1), []).artifact.arch.kind).toBe('mlp');
    const { artifact, report } = importOnnx(torchDeepMlp(10, [8, 8, 6], 3, 2), samples(300, 10, 3), { weightBits: 16 });
    expect(artifact.arch).toMatchObject({ kind: 'net', inputs: 10, shape: [10, 1, 1], classes: 3 });
    expect(artifact.arch.kind === 'net' && artifact.arch.layers.map((l) => (l.op === 'dense' ? `${l.outputs}${l.relu ? 'r' : ''}` : l.op))).toEqual(['8r', '8r', '6r', '3']);
    expect(report.argmaxAgreement).toBeGreaterThanOrEqual(0.97);
    expect(report.maxAbsError).toBeLessThan(0.03);
  });
});
