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


const intAttr = (name: string, i: number) => ({ name, type: onnx.AttributeProto.AttributeType.INT, i });
const intsAttr = (name: string, ints: number[]) => ({ name, type: onnx.AttributeProto.AttributeType.INTS, ints });

function graphModel(inputDims: number[], K: number, initializer: onnxProto.onnx.ITensorProto[], node: onnxProto.onnx.INodeProto[]): Uint8Array {
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'pytorch',
      opsetImport: [{ domain: '', version: 13 }],
      graph: { name: 'main_graph', input: [valueInfo('input', [1, ...inputDims])], output: [valueInfo('probs', [1, K])], initializer, node },
    }),
  ).finish();
}

/** torch.onnx.export of nn.Sequential(Linear, ReLU, …, Linear, Softmax) with `hidden` layer widths. */
export function torchDeepMlp(D: number, hidden: number[], K: number, seed: number): Uint8Array {
  const rand = seededRandom(seed);
  const w = (n: number, s: number) => Array.from({ length: n }, () => gauss(rand) * s);
  const widths = [D, ...hidden, K];
  const initializer: onnxProto.onnx.ITensorProto[] = [];
  const node: onnxProto.onnx.INodeProto[] = [];
  let cur = 'input';
  for (let l = 0; l + 1 < widths.length; l++) {
    const [i, o] = [widths[l]!, widths[l + 1]!];
    initializer.push(floatTensor(`fc${l}.weight`, [o, i], w(o * i, 1 / Math.sqrt(i)), true), floatTensor(`fc${l}.bias`, [o], w(o, 0.1), true));
    node.push({ opType: 'Gemm', input: [cur, `fc${l}.weight`, `fc${l}.bias`], output: [`/fc${l}/Gemm_output_0`], name: `/fc${l}/Gemm`, attribute: [intAttr('transB', 1)] });
    cur = `/fc${l}/Gemm_output_0`;
    if (l + 2 < widths.length) {
      node.push({ opType: 'Relu', input: [cur], output: [`/relu${l}/Relu_output_0`], name: `/relu${l}/Relu` });
      cur = `/relu${l}/Relu_output_0`;
    }
  }
  node.push({ opType: 'Softmax', input: [cur], output: ['probs'], name: '/Softmax', attribute: [intAttr('axis', 1)] });
  return graphModel([D], K, initializer, node);
}

export type ConvNetSpec = { shape: [number, number, number]; channels: number; kernel: number; stride: number; pool: 'MaxPool' | 'AveragePool'; poolSize: number; classes: number };

/**
 * torch.onnx.export of nn.Sequential(Conv2d(C, channels, kernel, stride), ReLU, MaxPool2d/AvgPool2d(poolSize),
 * Flatten, Linear(…, classes), Softmax) on a [1, C, H, W] input.
 */
export function torchConvNet(spec: ConvNetSpec, seed: number, extra?: { pads?: number[] }): Uint8Array {
  const rand = seededRandom(seed);
  const w = (n: number, s: number) => Array.from({ length: n }, () => gauss(rand) * s);
  const [C, H, W] = spec.shape;
  const k = spec.kernel;
  const oh = Math.floor((H - k) / spec.stride) + 1, ow = Math.floor((W - k) / spec.stride) + 1;
  const ph = Math.floor((oh - spec.poolSize) / spec.poolSize) + 1, pw = Math.floor((ow - spec.poolSize) / spec.poolSize) + 1;
  const flat = spec.channels * ph * pw;
  const initializer = [
    floatTensor('conv.weight', [spec.channels, C, k, k], w(spec.channels * C * k * k, 1 / Math.sqrt(C * k * k)), true),
    floatTensor('conv.bias', [spec.channels], w(spec.channels, 0.1), true),
    floatTensor('fc.weight', [spec.classes, flat], w(spec.classes * flat, 1 / Math.sqrt(flat)), true),
    floatTensor('fc.bias', [spec.classes], w(spec.classes, 0.1), true),
  ];
  const node: onnxProto.onnx.INodeProto[] = [
    {
      opType: 'Conv', input: ['input', 'conv.weight', 'conv.bias'], output: ['/conv/Conv_output_0'], name: '/conv/Conv',
      attribute: [intsAttr('dilations', [1, 1]), intAttr('group', 1), intsAttr('kernel_shape', [k, k]), intsAttr('pads', extra?.pads ?? [0, 0, 0, 0]), intsAttr('strides', [spec.stride, spec.stride])],
    },
    { opType: 'Relu', input: ['/conv/Conv_output_0'], output: ['/relu/Relu_output_0'], name: '/relu/Relu' },
    {
      opType: spec.pool, input: ['/relu/Relu_output_0'], output: ['/pool/Pool_output_0'], name: '/pool/Pool',
      attribute: [intAttr('ceil_mode', 0), intsAttr('kernel_shape', [spec.poolSize, spec.poolSize]), intsAttr('pads', [0, 0, 0, 0]), intsAttr('strides', [spec.poolSize, spec.poolSize])],
    },
    { opType: 'Flatten', input: ['/pool/Pool_output_0'], output: ['/flatten/Flatten_output_0'], name: '/flatten/Flatten', attribute: [intAttr('axis', 1)] },
    { opType: 'Gemm', input: ['/flatten/Flatten_output_0', 'fc.weight', 'fc.bias'], output: ['/fc/Gemm_output_0'], name: '/fc/Gemm', attribute: [intAttr('transB', 1)] },
    { opType: 'Softmax', input: ['/fc/Gemm_output_0'], output: ['probs'], name: '/Softmax', attribute: [intAttr('axis', 1)] },
  ];
  return graphModel(spec.shape, spec.classes, initializer, node);
}
