import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { fixedPredict, quantizeFeatures } from '../ml/artifact.js';
import { denseToSparse } from '../ml/features/sparse.js';
import { floatProba, importOnnx, parseOnnx } from './onnx-import.js';
import { seededRandom } from './test-models.js';

const { onnx } = onnxProto;

const gauss = (rand: () => number) => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());

function floatTensor(name: string, dims: number[], values: number[], raw: boolean) {
  const t: onnxProto.onnx.ITensorProto = { name, dims, dataType: onnx.TensorProto.DataType.FLOAT };
  if (raw) {
    const buf = new Uint8Array(values.length * 4);
    const view = new DataView(buf.buffer);
    values.forEach((v, i) => view.setFloat32(i * 4, v, true));
    t.rawData = buf;
  } else t.floatData = values;
  return t;
}

const valueInfo = (name: string, dims: number[]): onnxProto.onnx.IValueInfoProto => ({
  name,
  type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
});

/** What torch.onnx.export writes for nn.Sequential(Flatten, Linear(D,H), ReLU, Linear(H,K), Softmax). */
function torchMlp(D: number, H: number, K: number, seed: number): Uint8Array {
  const rand = seededRandom(seed);
  const w = (n: number, s: number) => Array.from({ length: n }, () => gauss(rand) * s);
  const intAttr = (name: string, i: number) => ({ name, type: onnx.AttributeProto.AttributeType.INT, i });
  const model: onnxProto.onnx.IModelProto = {
    irVersion: 8,
    producerName: 'pytorch',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'main_graph',
      input: [valueInfo('input', [1, D])],
      output: [valueInfo('probs', [1, K])],
      initializer: [
        floatTensor('fc1.weight', [H, D], w(H * D, 1 / Math.sqrt(D)), true),
        floatTensor('fc1.bias', [H], w(H, 0.1), true),
        floatTensor('fc2.weight', [K, H], w(K * H, 1 / Math.sqrt(H)), false),
        floatTensor('fc2.bias', [K], w(K, 0.1), false),
      ],
      node: [
        { opType: 'Flatten', input: ['input'], output: ['/Flatten_output_0'], name: '/Flatten', attribute: [intAttr('axis', 1)] },
        { opType: 'Gemm', input: ['/Flatten_output_0', 'fc1.weight', 'fc1.bias'], output: ['/fc1/Gemm_output_0'], name: '/fc1/Gemm', attribute: [intAttr('transB', 1)] },
        { opType: 'Relu', input: ['/fc1/Gemm_output_0'], output: ['/Relu_output_0'], name: '/Relu' },
        { opType: 'Gemm', input: ['/Relu_output_0', 'fc2.weight', 'fc2.bias'], output: ['/fc2/Gemm_output_0'], name: '/fc2/Gemm', attribute: [intAttr('transB', 1)] },
        { opType: 'Softmax', input: ['/fc2/Gemm_output_0'], output: ['probs'], name: '/Softmax', attribute: [intAttr('axis', 1)] },
      ],
    },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

/** sklearn-onnx style binary logistic regression: MatMul + Add + Sigmoid. */
function matmulLogReg(D: number, seed: number, extraOp?: string): Uint8Array {
  const rand = seededRandom(seed);
  const node: onnxProto.onnx.INodeProto[] = [
    { opType: 'MatMul', input: ['X', 'coef'], output: ['mm'], name: 'mm' },
    { opType: 'Add', input: ['mm', 'intercept'], output: ['logit'], name: 'add' },
    { opType: extraOp ?? 'Sigmoid', input: ['logit'], output: ['p'], name: 'out' },
  ];
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 8,
      graph: {
        input: [valueInfo('X', [1, D])],
        output: [valueInfo('p', [1, 1])],
        initializer: [floatTensor('coef', [D, 1], Array.from({ length: D }, () => gauss(rand)), false), floatTensor('intercept', [1], [0.3], false)],
        node,
      },
    }),
  ).finish();
}

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
  });
});
