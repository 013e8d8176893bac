/**
 * Tiny ONNX graphs written with the protobuf writer, shaped like real exporters' output.
 */
import onnxProto from 'onnx-proto';
import { seededRandom } from './test-models.js';

const { onnx } = onnxProto;

export const gauss = (rand: () => number) => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());

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
export function torchMlp(D: number, H: number, K: number, seed: number): Uint8Array {
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
export function matmulLogReg(D: number, seed: number, extraOp?: string): Uint8Array {
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

