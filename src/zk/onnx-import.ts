/**
 * ONNX → model artifact, for chains of Gemm / MatMul+Add / Conv / Relu / MaxPool / AveragePool /
 * Flatten and a Sigmoid / Softmax output (what PyTorch's exporter and sklearn converters produce
 * for linear models, MLPs of any depth and small convolutional networks). The float layers are quantized with the ML code's own `toArtifact` (same rounding and
 * scale choice as trained models), and the import reports how the fixed-point model agrees with
 * float inference of the graph on sample inputs.
 */
import onnxProto from 'onnx-proto';
import { ValidationError, describe as show } from '../core/errors.js';
import type { ModelArtifact } from '../ml/artifact-types.js';
import { fixedProba, quantizeFeatures, toArtifact } from '../ml/artifact.js';
import { denseToSparse } from '../ml/features/sparse.js';
import { LinearModel } from '../ml/models/linear.js';
import { MlpModel } from '../ml/models/mlp.js';
import { netArtifact } from './onnx-net.js';

const { onnx } = onnxProto;

/** A float layer of the graph: dense W row-major [out][in]; conv W [outC][inC·k·k] (c, ky, kx order). */
export type FloatLayer =
  | { op: 'dense'; inputs: number; outputs: number; W: Float64Array; b: Float64Array; relu: boolean }
  | { op: 'conv'; inChannels: number; channels: number; kernel: number; stride: number; W: Float64Array; b: Float64Array; relu: boolean }
  | { op: 'pool'; mode: 'max' | 'avg'; size: number; stride: number };
/** The parsed graph: input tensor [C, H, W] (a vector is [D, 1, 1]), layers, output activation. */
export type OnnxGraphModel = { shape: [number, number, number]; layers: FloatLayer[]; output: 'sigmoid' | 'softmax' | 'none'; ops: string[] };

const SUPPORTED = ['Gemm', 'MatMul', 'Add', 'Conv', 'Relu', 'MaxPool', 'AveragePool', 'Sigmoid', 'Softmax', 'Flatten', 'Identity'];

type Long = { toNumber(): number };
const num = (v: number | Long | null | undefined): number => (v == null ? 0 : typeof v === 'number' ? v : v.toNumber());

function invalid(field: string, expected: string, got: unknown): ValidationError {
  return new ValidationError('zk.onnxUnsupported', `${field}: expected ${expected}, got ${show(got)}`, { field, expected, got: show(got) });
}

function tensorValues(t: InstanceType<typeof onnx.TensorProto>): { dims: number[]; values: Float64Array } {
  const dims = (t.dims ?? []).map((d) => num(d as number | Long));
  const count = dims.reduce((a, b) => a * b, 1);
  if (t.dataType !== onnx.TensorProto.DataType.FLOAT && t.dataType !== onnx.TensorProto.DataType.DOUBLE) {
    throw invalid(`initializer ${t.name}.dataType`, 'FLOAT or DOUBLE', t.dataType);
  }
  let values: Float64Array;
  if (t.rawData && t.rawData.length > 0) {
    const raw = t.rawData;
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const size = t.dataType === onnx.TensorProto.DataType.FLOAT ? 4 : 8;
    values = new Float64Array(raw.byteLength / size);
    for (let i = 0; i < values.length; i++) values[i] = size === 4 ? view.getFloat32(i * 4, true) : view.getFloat64(i * 8, true);
  } else {
    values = Float64Array.from(t.dataType === onnx.TensorProto.DataType.FLOAT ? (t.floatData ?? []) : (t.doubleData ?? []));
  }
  if (values.length !== count) throw invalid(`initializer ${t.name}`, `${count} values for dims ${JSON.stringify(dims)}`, values.length);
  return { dims, values };
}

function attr(node: onnxProto.onnx.INodeProto, name: string, fallback: number): number {
  const a = (node.attribute ?? []).find((x) => x.name === name);
  if (!a) return fallback;
  return a.type === onnx.AttributeProto.AttributeType.FLOAT ? (a.f ?? fallback) : num(a.i as number | Long);
}

function ints(node: onnxProto.onnx.INodeProto, name: string): number[] | undefined {
  const a = (node.attribute ?? []).find((x) => x.name === name);
  return a ? (a.ints ?? []).map((v) => num(v as number | Long)) : undefined;
}

/** A square window with equal strides and no padding, dilation or groups (what the circuits implement). */
function windowAttrs(node: onnxProto.onnx.INodeProto, label: string, kernelFromWeight?: [number, number]): { size: number; stride: number } {
  const k = ints(node, 'kernel_shape') ?? kernelFromWeight;
  if (!k || k.length !== 2 || k[0] !== k[1]) throw invalid(`node ${label}.kernel_shape`, 'a square 2-D kernel', k);
  const strides = ints(node, 'strides') ?? [1, 1];
  if (strides.length !== 2 || strides[0] !== strides[1]) throw invalid(`node ${label}.strides`, 'equal strides', strides);
  const pads = ints(node, 'pads') ?? [0, 0, 0, 0];
  if (pads.some((p) => p !== 0)) throw invalid(`node ${label}.pads`, 'no padding (0)', pads);
  const dil = ints(node, 'dilations') ?? [1, 1];
  if (dil.some((d) => d !== 1)) throw invalid(`node ${label}.dilations`, 'no dilation (1)', dil);
  if (attr(node, 'group', 1) !== 1) throw invalid(`node ${label}.group`, '1', attr(node, 'group', 1));
  if (attr(node, 'ceil_mode', 0) !== 0) throw invalid(`node ${label}.ceil_mode`, '0', 1);
  const au = (node.attribute ?? []).find((x) => x.name === 'auto_pad');
  const autoPad = au?.s ? new TextDecoder().decode(au.s) : 'NOTSET';
  if (autoPad !== 'NOTSET' && autoPad !== 'VALID') throw invalid(`node ${label}.auto_pad`, 'NOTSET or VALID', autoPad);
  return { size: k[0]!, stride: strides[0]! };
}

function inputShape(info: onnxProto.onnx.IValueInfoProto): [number, number, number] | undefined {
  const dims = (info.type?.tensorType?.shape?.dim ?? []).map((d) => num(d.dimValue as number | Long));
  const rest = dims.slice(1);
  if (rest.length === 3 && rest.every((d) => d > 0)) return [rest[0]!, rest[1]!, rest[2]!];
  if (rest.length === 1 && rest[0]! > 0) return [rest[0]!, 1, 1];
  return undefined;
}

/**
 * Parses the graph into layers: dense (Gemm, or MatMul followed by Add), Conv, ReLU (folded into the
 * dense/conv layer it follows), MaxPool / AveragePool, Flatten / Identity (no-ops: dense layers read
 * the tensor flattened in C, H, W order, as ONNX Flatten does) and a Sigmoid / Softmax output.
 */
export function parseOnnx(bytes: Uint8Array): OnnxGraphModel {
  let model: InstanceType<typeof onnx.ModelProto>;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new ValidationError('zk.onnxInvalid', `model: expected an ONNX ModelProto, got undecodable bytes (${(e as Error).message})`, { field: 'model' }, { cause: e });
  }
  const graph = model.graph;
  if (!graph) throw invalid('model.graph', 'a graph', null);
  const inits = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', tensorValues(t as InstanceType<typeof onnx.TensorProto>)]));
  const input = (graph.input ?? []).find((i) => !inits.has(i.name ?? ''));
  if (!input?.name) throw invalid('graph.input', 'one non-initializer input', graph.input?.map((i) => i.name));
  let current = input.name;
  let declared = inputShape(input);
  let shape: [number, number, number] | undefined = declared;
  const layers: FloatLayer[] = [];
  const ops: string[] = [];
  let output: OnnxGraphModel['output'] = 'none';
  let pendingMatMul: (FloatLayer & { op: 'dense' }) | undefined;
  const size = (s: [number, number, number]) => s[0] * s[1] * s[2];
  const pushDense = (layer: FloatLayer & { op: 'dense' }, label: string) => {
    if (!shape) shape = declared = [layer.inputs, 1, 1];
    if (layer.inputs !== size(shape)) throw invalid(`node ${label} inputs`, `${size(shape)} (the size of its input tensor)`, layer.inputs);
    layers.push(layer);
    shape = [layer.outputs, 1, 1];
  };
  for (const node of graph.node ?? []) {
    const op = node.opType ?? '';
    const label = node.name || op;
    ops.push(op);
    if (!SUPPORTED.includes(op)) throw invalid(`node ${label}.opType`, SUPPORTED.join(' / '), op);
    const ins = node.input ?? [];
    const data = ins.find((n) => !inits.has(n));
    if (data !== current) throw invalid(`node ${label}.input`, `a chain from ${current}`, ins);
    if (output !== 'none') throw invalid(`node ${label}`, 'nothing after the output activation', op);
    if (pendingMatMul && op !== 'Add') throw invalid(`node ${label}`, 'Add after MatMul', op);
    const weight = (i: number) => {
      const t = inits.get(ins[i] ?? '');
      if (!t) throw invalid(`node ${label}.input[${i}]`, 'an initializer', ins[i]);
      return t;
    };
    const bias = (i: number, n: number, scale = 1) => {
      const b = new Float64Array(n);
      if (!ins[i]) return b;
      const C = weight(i);
      if (C.values.length !== n && C.values.length !== 1) throw invalid(`node ${label} bias`, `${n} values`, C.values.length);
      for (let o = 0; o < n; o++) b[o] = scale * C.values[C.values.length === 1 ? 0 : o]!;
      return b;
    };
    if (op === 'Gemm' || op === 'MatMul') {
      const B = weight(1);
      if (B.dims.length !== 2) throw invalid(`node ${label} weight dims`, '2-D', B.dims);
      const alpha = op === 'Gemm' ? attr(node, 'alpha', 1) : 1;
      if (op === 'Gemm' && attr(node, 'transA', 0) !== 0) throw invalid(`node ${label} transA`, '0', 1);
      const transB = op === 'Gemm' ? attr(node, 'transB', 0) === 1 : false;
      const [inputs, outputs] = transB ? [B.dims[1]!, B.dims[0]!] : [B.dims[0]!, B.dims[1]!];
      const W = new Float64Array(inputs * outputs);
      for (let o = 0; o < outputs; o++) for (let i = 0; i < inputs; i++) W[o * inputs + i] = alpha * (transB ? B.values[o * inputs + i]! : B.values[i * outputs + o]!);
      const layer = { op: 'dense' as const, inputs, outputs, W, b: op === 'Gemm' ? bias(2, outputs, attr(node, 'beta', 1)) : new Float64Array(outputs), relu: false };
      if (op === 'MatMul') pendingMatMul = layer;
      else pushDense(layer, label);
    } else if (op === 'Add') {
      if (!pendingMatMul) throw invalid(`node ${label}`, 'Add only as the bias of a MatMul', op);
      const C = inits.get(ins.find((n) => n !== current) ?? '');
      if (!C || (C.values.length !== pendingMatMul.outputs && C.values.length !== 1)) throw invalid(`node ${label} bias`, `${pendingMatMul.outputs} values`, C?.values.length);
      for (let o = 0; o < pendingMatMul.outputs; o++) pendingMatMul.b[o] = C.values[C.values.length === 1 ? 0 : o]!;
      pushDense(pendingMatMul, label);
      pendingMatMul = undefined;
    } else if (op === 'Conv') {
      if (!shape || shape[1] === 1) throw invalid(`node ${label}`, 'Conv on an image input [N, C, H, W] declared by the graph', declared ?? 'an unknown input shape');
      const Wt = weight(1);
      if (Wt.dims.length !== 4) throw invalid(`node ${label} weight dims`, '[outC, inC, k, k]', Wt.dims);
      const [OC, IC, KH, KW] = Wt.dims as [number, number, number, number];
      if (IC !== shape[0]) throw invalid(`node ${label} input channels`, String(shape[0]), IC);
      const { size: k, stride } = windowAttrs(node, label, [KH, KW]);
      if (k !== KH || k !== KW) throw invalid(`node ${label}.kernel_shape`, `the weight's ${KH}×${KW}`, k);
      if (shape[1] < k || shape[2] < k) throw invalid(`node ${label}`, `a kernel inside the ${shape[1]}×${shape[2]} input`, k);
      layers.push({ op: 'conv', inChannels: IC, channels: OC, kernel: k, stride, W: Float64Array.from(Wt.values), b: bias(2, OC), relu: false });
      shape = [OC, Math.floor((shape[1] - k) / stride) + 1, Math.floor((shape[2] - k) / stride) + 1];
    } else if (op === 'MaxPool' || op === 'AveragePool') {
      if (!shape || shape[1] === 1) throw invalid(`node ${label}`, 'pooling on an image tensor', shape);
      const { size: k, stride } = windowAttrs(node, label);
      if (shape[1] < k || shape[2] < k) throw invalid(`node ${label}`, `a window inside the ${shape[1]}×${shape[2]} input`, k);
      layers.push({ op: 'pool', mode: op === 'MaxPool' ? 'max' : 'avg', size: k, stride });
      shape = [shape[0], Math.floor((shape[1] - k) / stride) + 1, Math.floor((shape[2] - k) / stride) + 1];
    } else if (op === 'Relu') {
      const last = layers[layers.length - 1];
      if (!last || last.op === 'pool' || last.relu) throw invalid(`node ${label}`, 'Relu only directly after a dense or conv layer', op);
      last.relu = true;
    } else if (op === 'Sigmoid') output = 'sigmoid';
    else if (op === 'Softmax') output = 'softmax';
    current = node.output?.[0] ?? '';
  }
  if (pendingMatMul) pushDense(pendingMatMul, 'MatMul');
  const last = layers[layers.length - 1];
  if (!last || last.op !== 'dense' || last.relu) throw invalid('graph', 'a dense layer (Gemm or MatMul) without Relu last: its outputs are the scores', ops);
  return { shape: declared ?? [layers[0]!.op === 'dense' ? layers[0]!.inputs : 0, 1, 1], layers, output, ops };
}

/** Float inference of the parsed graph: class probabilities. */
export function floatProba(g: OnnxGraphModel, x: ArrayLike<number>): Float64Array {
  let v: Float64Array = Float64Array.from(x);
  let [C, H, W] = g.shape;
  for (const l of g.layers) {
    let out: Float64Array;
    if (l.op === 'dense') {
      out = Float64Array.from(l.b);
      for (let o = 0; o < l.outputs; o++) for (let i = 0; i < l.inputs; i++) out[o] += l.W[o * l.inputs + i]! * v[i]!;
      [C, H, W] = [l.outputs, 1, 1];
    } else {
      const k = l.op === 'conv' ? l.kernel : l.size;
      const OH = Math.floor((H - k) / l.stride) + 1, OW = Math.floor((W - k) / l.stride) + 1;
      const OC = l.op === 'conv' ? l.channels : C;
      out = new Float64Array(OC * OH * OW);
      for (let oc = 0; oc < OC; oc++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
        const at = (c: number, ky: number, kx: number) => v[c * H * W + (oy * l.stride + ky) * W + ox * l.stride + kx]!;
        let s = l.op === 'conv' ? l.b[oc]! : l.mode === 'max' ? -Infinity : 0;
        for (let ky = 0; ky < k; ky++) for (let kx = 0; kx < k; kx++) {
          if (l.op === 'conv') for (let c = 0; c < C; c++) s += l.W[oc * C * k * k + c * k * k + ky * k + kx]! * at(c, ky, kx);
          else s = l.mode === 'max' ? Math.max(s, at(oc, ky, kx)) : s + at(oc, ky, kx) / (k * k);
        }
        out[oc * OH * OW + oy * OW + ox] = s;
      }
      [C, H, W] = [OC, OH, OW];
    }
    if (l.op !== 'pool' && l.relu) for (let o = 0; o < out.length; o++) out[o] = Math.max(0, out[o]!);
    v = out;
  }
  if (v.length === 1) {
    const p = 1 / (1 + Math.exp(-v[0]!));
    return Float64Array.of(1 - p, p);
  }
  const m = Math.max(...v);
  const e = v.map((z) => Math.exp(z - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((z) => z / s);
}

export type ImportOptions = { name?: string; labels?: string[]; weightBits?: number; scaleBits?: number };

/**
 * Converts the parsed graph to an artifact: one dense layer → logistic regression, dense + ReLU +
 * dense → the one-hidden-layer MLP (both quantized by the ML code's `toArtifact`); anything deeper,
 * or with convolutions or pooling, → a `net` (onnx-net.ts, same rounding and scale rule).
 */
export function onnxToArtifact(g: OnnxGraphModel, options: ImportOptions = {}): ModelArtifact {
  const dense = g.layers.filter((l): l is FloatLayer & { op: 'dense' } => l.op === 'dense');
  const first = g.layers[0]!;
  const last = dense[dense.length - 1]!;
  const classes = Math.max(2, last.outputs);
  const labels = options.labels ?? Array.from({ length: classes }, (_, i) => `class${i}`);
  if (labels.length !== classes) throw invalid('labels', `${classes} labels`, labels.length);
  const inputs = g.shape[0] * g.shape[1] * g.shape[2];
  const common = { name: options.name ?? 'onnx-import', featurizer: { kind: 'dense' as const, size: inputs }, labels, weightBits: options.weightBits ?? 16, scaleBits: options.scaleBits };
  const isMlp = g.layers.length === 2 && dense.length === 2 && dense[0]!.relu;
  if (g.layers.length === 1 && first.op === 'dense') {
    const R = first.outputs;
    const W = new Float64Array(first.inputs * R); // feature-major
    for (let r = 0; r < R; r++) for (let j = 0; j < first.inputs; j++) W[j * R + r] = first.W[r * first.inputs + j]!;
    return toArtifact(new LinearModel('logreg', first.inputs, classes, R === 1, W, Float64Array.from(first.b)), common);
  }
  if (!isMlp) return netArtifact(g, common);
  const f = dense[0]!;
  const H = f.outputs;
  const W1 = new Float64Array(f.inputs * H);
  for (let i = 0; i < H; i++) for (let j = 0; j < f.inputs; j++) W1[j * H + i] = f.W[i * f.inputs + j]!;
  // A single logit becomes two classes [0, z]: argmax then equals sigmoid(z) > ½ (ties → class 0).
  const W2 = last.outputs === 1 ? Float64Array.from([...new Float64Array(H), ...last.W]) : Float64Array.from(last.W);
  const b2 = last.outputs === 1 ? Float64Array.of(0, last.b[0]!) : Float64Array.from(last.b);
  return toArtifact(new MlpModel(f.inputs, H, classes, W1, Float64Array.from(f.b), W2, b2), common);
}

export type ImportReport = { samples: number; argmaxAgreement: number; maxAbsError: number; weightBits: number; scaleBits: number; ops: string[] };

/** Argmax agreement and max |p_float − p_fixed| over sample inputs (float feature vectors). */
export function compareWithFloat(g: OnnxGraphModel, a: ModelArtifact, samples: readonly (readonly number[])[]): ImportReport {
  let agree = 0;
  let maxAbsError = 0;
  const argmax = (p: ArrayLike<number>) => {
    let best = 0;
    for (let k = 1; k < p.length; k++) if (p[k] > p[best]) best = k;
    return best;
  };
  for (const x of samples) {
    if (x.length !== a.arch.inputs) throw invalid('sample length', String(a.arch.inputs), x.length);
    const pf = floatProba(g, x);
    const pq = fixedProba(a, quantizeFeatures(a, denseToSparse(x)));
    if (argmax(pf) === argmax(pq)) agree++;
    for (let k = 0; k < pf.length; k++) maxAbsError = Math.max(maxAbsError, Math.abs(pf[k] - pq[k]));
  }
  return { samples: samples.length, argmaxAgreement: samples.length ? agree / samples.length : 1, maxAbsError, weightBits: a.weightBits, scaleBits: a.scaleBits, ops: g.ops };
}

export function importOnnx(bytes: Uint8Array, samples: readonly (readonly number[])[], options: ImportOptions = {}): { artifact: ModelArtifact; report: ImportReport } {
  const g = parseOnnx(bytes);
  const artifact = onnxToArtifact(g, options);
  return { artifact, report: compareWithFloat(g, artifact, samples) };
}
