/**
 * ONNX → model artifact, for graphs made of Gemm / MatMul+Add / Relu / Sigmoid / Softmax / Flatten
 * (what PyTorch's exporter and sklearn converters produce for linear models and 1-hidden-layer
 * MLPs). The float layers are quantized with the ML code's own `toArtifact` (same rounding and
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

const { onnx } = onnxProto;

/** A dense layer in row-major [out][in] form. */
export type DenseLayer = { inputs: number; outputs: number; W: Float64Array; b: Float64Array };
export type OnnxGraphModel = { layers: DenseLayer[]; hiddenRelu: boolean; output: 'sigmoid' | 'softmax' | 'none'; ops: string[] };

const SUPPORTED = ['Gemm', 'MatMul', 'Add', 'Relu', 'Sigmoid', 'Softmax', 'Flatten', 'Identity'];

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

/** Parses the graph into dense layers (Gemm, or MatMul followed by Add) with activations. */
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
  const layers: DenseLayer[] = [];
  const ops: string[] = [];
  let hiddenRelu = false;
  let output: OnnxGraphModel['output'] = 'none';
  let pendingMatMul: DenseLayer | undefined;
  for (const node of graph.node ?? []) {
    const op = node.opType ?? '';
    ops.push(op);
    if (!SUPPORTED.includes(op)) throw invalid(`node ${node.name || op}.opType`, SUPPORTED.join(' / '), op);
    const ins = node.input ?? [];
    const data = ins.find((n) => !inits.has(n));
    if (data !== current) throw invalid(`node ${node.name || op}.input`, `a chain from ${current}`, ins);
    if (output !== 'none') throw invalid(`node ${node.name || op}`, 'nothing after the output activation', op);
    const weight = (i: number) => {
      const t = inits.get(ins[i] ?? '');
      if (!t) throw invalid(`node ${node.name || op}.input[${i}]`, 'an initializer', ins[i]);
      return t;
    };
    if (op === 'Gemm' || op === 'MatMul') {
      if (pendingMatMul) throw invalid(`node ${node.name || op}`, 'Add after MatMul', op);
      if (layers.length === 2 || (layers.length === 1 && !hiddenRelu)) throw invalid(`node ${node.name || op}`, 'at most two dense layers with a Relu between', op);
      const B = weight(1);
      if (B.dims.length !== 2) throw invalid(`node ${node.name || op} weight dims`, '2-D', B.dims);
      const alpha = op === 'Gemm' ? attr(node, 'alpha', 1) : 1;
      const beta = op === 'Gemm' ? attr(node, 'beta', 1) : 1;
      if (op === 'Gemm' && attr(node, 'transA', 0) !== 0) throw invalid(`node ${node.name} transA`, '0', 1);
      const transB = op === 'Gemm' ? attr(node, 'transB', 0) === 1 : false;
      const [inputs, outputs] = transB ? [B.dims[1], B.dims[0]] : [B.dims[0], B.dims[1]];
      const W = new Float64Array(inputs * outputs);
      for (let o = 0; o < outputs; o++) for (let i = 0; i < inputs; i++) W[o * inputs + i] = alpha * (transB ? B.values[o * inputs + i] : B.values[i * outputs + o]);
      const b = new Float64Array(outputs);
      if (op === 'Gemm' && ins[2]) {
        const C = weight(2);
        if (C.values.length !== outputs && C.values.length !== 1) throw invalid(`node ${node.name} bias`, `${outputs} values`, C.values.length);
        for (let o = 0; o < outputs; o++) b[o] = beta * C.values[C.values.length === 1 ? 0 : o];
      }
      const layer = { inputs, outputs, W, b };
      if (op === 'MatMul') pendingMatMul = layer;
      else layers.push(layer);
    } else if (op === 'Add') {
      if (!pendingMatMul) throw invalid(`node ${node.name || op}`, 'Add only as the bias of a MatMul', op);
      const C = inits.get(ins.find((n) => n !== current) ?? '');
      if (!C || (C.values.length !== pendingMatMul.outputs && C.values.length !== 1)) throw invalid(`node ${node.name || op} bias`, `${pendingMatMul.outputs} values`, C?.values.length);
      for (let o = 0; o < pendingMatMul.outputs; o++) pendingMatMul.b[o] = C.values[C.values.length === 1 ? 0 : o];
      layers.push(pendingMatMul);
      pendingMatMul = undefined;
    } else {
      if (pendingMatMul) {
        layers.push(pendingMatMul);
        pendingMatMul = undefined;
      }
      if (op === 'Relu') {
        if (layers.length !== 1 || hiddenRelu) throw invalid(`node ${node.name || op}`, 'Relu only after the first dense layer', op);
        hiddenRelu = true;
      } else if (op === 'Sigmoid') output = 'sigmoid';
      else if (op === 'Softmax') output = 'softmax';
    }
    current = node.output?.[0] ?? '';
  }
  if (pendingMatMul) layers.push(pendingMatMul);
  if (layers.length === 0) throw invalid('graph', 'at least one Gemm or MatMul', ops);
  if (layers.length === 2 && layers[1].inputs !== layers[0].outputs) throw invalid('layer 2 inputs', String(layers[0].outputs), layers[1].inputs);
  if (hiddenRelu && layers.length !== 2) throw invalid('graph', 'a second dense layer after Relu', ops);
  return { layers, hiddenRelu, output, ops };
}

/** Float inference of the parsed graph: class probabilities. */
export function floatProba(g: OnnxGraphModel, x: ArrayLike<number>): Float64Array {
  let v = Float64Array.from(x);
  g.layers.forEach((l, li) => {
    const out = Float64Array.from(l.b);
    for (let o = 0; o < l.outputs; o++) for (let i = 0; i < l.inputs; i++) out[o] += l.W[o * l.inputs + i] * v[i];
    if (li === 0 && g.hiddenRelu) for (let o = 0; o < out.length; o++) out[o] = Math.max(0, out[o]);
    v = out;
  });
  if (v.length === 1) {
    const p = 1 / (1 + Math.exp(-v[0]));
    return Float64Array.of(1 - p, p);
  }
  const m = Math.max(...v);
  const e = v.map((z) => Math.exp(z - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((z) => z / s);
}

export type ImportOptions = { name?: string; labels?: string[]; weightBits?: number; scaleBits?: number };

/** Converts the parsed graph to the ML code's float model and quantizes it to an artifact. */
export function onnxToArtifact(g: OnnxGraphModel, options: ImportOptions = {}): ModelArtifact {
  const first = g.layers[0];
  const last = g.layers[g.layers.length - 1];
  const classes = Math.max(2, last.outputs);
  const labels = options.labels ?? Array.from({ length: classes }, (_, i) => `class${i}`);
  if (labels.length !== classes) throw invalid('labels', `${classes} labels`, labels.length);
  const common = { name: options.name ?? 'onnx-import', featurizer: { kind: 'dense' as const, size: first.inputs }, labels, weightBits: options.weightBits ?? 16, scaleBits: options.scaleBits };
  if (g.layers.length === 1) {
    const R = first.outputs;
    const W = new Float64Array(first.inputs * R); // feature-major
    for (let r = 0; r < R; r++) for (let j = 0; j < first.inputs; j++) W[j * R + r] = first.W[r * first.inputs + j];
    return toArtifact(new LinearModel('logreg', first.inputs, classes, R === 1, W, Float64Array.from(first.b)), common);
  }
  const H = first.outputs;
  const W1 = new Float64Array(first.inputs * H);
  for (let i = 0; i < H; i++) for (let j = 0; j < first.inputs; j++) W1[j * H + i] = first.W[i * first.inputs + j];
  // A single logit becomes two classes [0, z]: argmax then equals sigmoid(z) > ½ (ties → class 0).
  const W2 = last.outputs === 1 ? Float64Array.from([...new Float64Array(H), ...last.W]) : Float64Array.from(last.W);
  const b2 = last.outputs === 1 ? Float64Array.of(0, last.b[0]) : Float64Array.from(last.b);
  return toArtifact(new MlpModel(first.inputs, H, classes, W1, Float64Array.from(first.b), W2, b2), common);
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
