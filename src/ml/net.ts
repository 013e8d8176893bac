/**
 * Layered networks (`arch.kind = 'net'`): the shapes each layer sees and the exact fixed-point
 * inference the circuit of src/zk/net-circuit.ts reproduces. Values are integers at scale 2^F:
 *   linear   a = W·x + b·2^F                     (dense on the flattened tensor, or valid conv)
 *   rescale  v = floor(a / 2^F), then max(0, v) if the layer has relu   (every linear but the last)
 *   pool     max of the window, or floor(sum / area) with area a power of two
 * The last layer is dense without relu; its outputs are the scores (scale 2^(2F)), class = argmax.
 */
import { ValidationError } from '../core/errors.js';
import type { NetArch, NetLayer, NetWeights } from './artifact-types.js';

export type Shape = [number, number, number];

/** Shape of a linear layer's weights: rows = output units (dense) or output channels (conv). */
export type LinearShape = { layer: number; rows: number; cols: number };

export type NetPlan = {
  /** Input and output shape of every layer. */
  shapes: { input: Shape; output: Shape }[];
  /** The dense/conv layers in order, with their weight matrix shape. */
  linear: LinearShape[];
};

function fail(field: string, expected: string, got: string): never {
  throw new ValidationError('artifact.invalid', `${field}: expected ${expected}, got ${got}`, { field, expected, got });
}

const isPow2 = (n: number) => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;

/** Checks the architecture and derives every layer's shapes; throws artifact.invalid on a bad one. */
export function netPlan(arch: NetArch): NetPlan {
  const [C, H, W] = arch.shape;
  if (C * H * W !== arch.inputs) fail('arch.shape', `channels·height·width = inputs (${arch.inputs})`, JSON.stringify(arch.shape));
  if (arch.layers.length === 0) fail('arch.layers', 'at least one layer', '[]');
  let cur: Shape = [C, H, W];
  const shapes: NetPlan['shapes'] = [];
  const linear: LinearShape[] = [];
  arch.layers.forEach((l, i) => {
    const field = `arch.layers[${i}]`;
    const input = cur;
    const window = (k: number, s: number): [number, number] => {
      if (input[1] < k || input[2] < k) fail(field, `a ${k}×${k} window inside the ${input[1]}×${input[2]} input`, 'a larger window');
      return [Math.floor((input[1] - k) / s) + 1, Math.floor((input[2] - k) / s) + 1];
    };
    if (l.op === 'dense') {
      linear.push({ layer: i, rows: l.outputs, cols: input[0] * input[1] * input[2] });
      cur = [l.outputs, 1, 1];
    } else if (l.op === 'conv') {
      const [oh, ow] = window(l.kernel, l.stride);
      linear.push({ layer: i, rows: l.channels, cols: input[0] * l.kernel * l.kernel });
      cur = [l.channels, oh, ow];
    } else {
      if (l.size < 2) fail(`${field}.size`, 'a pooling window of at least 2', String(l.size));
      if (l.mode === 'avg' && !isPow2(l.size * l.size)) fail(`${field}.size`, 'an average window whose area is a power of two (2×2, 4×4, …)', String(l.size));
      const [oh, ow] = window(l.size, l.stride);
      cur = [input[0], oh, ow];
    }
    shapes.push({ input, output: cur });
  });
  const last = arch.layers[arch.layers.length - 1] as NetLayer;
  if (last.op !== 'dense' || last.relu) fail('arch.layers', 'a dense layer without relu last (its outputs are the scores)', last.op);
  if (last.outputs !== arch.classes) fail('arch.classes', `the last layer's outputs (${last.outputs})`, String(arch.classes));
  return { shapes, linear };
}

/** Checks the weights against the plan's shapes and the signed weight range. */
export function checkNetWeights(arch: NetArch, w: NetWeights, weightBits: number, source = '<artifact>'): void {
  const { linear } = netPlan(arch);
  const limit = 2 ** (weightBits - 1);
  if (!w.layers || w.layers.length !== linear.length) fail(`${source}: weights.layers`, `${linear.length} linear layers`, String(w.layers?.length));
  linear.forEach((ls, j) => {
    const { W, b } = w.layers[j]!;
    const f = `${source}: weights.layers[${j}]`;
    if (W.length !== ls.rows) fail(`${f}.W`, `${ls.rows} rows`, String(W.length));
    if (b.length !== ls.rows) fail(`${f}.b`, `${ls.rows} biases`, String(b.length));
    for (const [name, row] of [...W.map((r, i) => [`W[${i}]`, r] as const), ['b', b] as const]) {
      if (name !== 'b' && row.length !== ls.cols) fail(`${f}.${name}`, `${ls.cols} columns`, String(row.length));
      for (let i = 0; i < row.length; i++) if (!Number.isInteger(row[i]) || row[i]! > limit - 1 || row[i]! < -limit) fail(`${f}.${name}[${i}]`, `a signed integer in [${-limit}, ${limit - 1}]`, String(row[i]));
    }
  });
}

/** Integer scores of a net on one integer input (C, H, W order), exactly as the circuit computes them. */
export function netScores(arch: NetArch, w: NetWeights, F: number, x: readonly bigint[]): bigint[] {
  const { shapes } = netPlan(arch);
  const bigF = BigInt(F);
  const lastLinear = arch.layers.length - 1;
  let v = x.slice();
  let j = 0;
  arch.layers.forEach((l, i) => {
    const [C, H, Wd] = shapes[i]!.input;
    const [OC, OH, OW] = shapes[i]!.output;
    const out: bigint[] = new Array<bigint>(OC * OH * OW).fill(0n);
    if (l.op === 'pool') {
      const area = BigInt(l.size * l.size);
      for (let c = 0; c < OC; c++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
        let acc: bigint | null = null;
        for (let ky = 0; ky < l.size; ky++) for (let kx = 0; kx < l.size; kx++) {
          const val = v[c * H * Wd + (oy * l.stride + ky) * Wd + ox * l.stride + kx]!;
          acc = acc === null ? val : l.mode === 'max' ? (val > acc ? val : acc) : acc + val;
        }
        // floor division by a power of two: >> on bigint floors, negative values included
        out[c * OH * OW + oy * OW + ox] = l.mode === 'max' ? acc! : acc! >> BigInt(Math.log2(Number(area)));
      }
      v = out;
      return;
    }
    const { W, b } = w.layers[j++]!;
    if (l.op === 'dense') {
      for (let o = 0; o < OC; o++) {
        let s = BigInt(b[o]!) << bigF;
        const row = W[o]!;
        for (let t = 0; t < v.length; t++) if (v[t] !== 0n) s += BigInt(row[t]!) * v[t]!;
        out[o] = s;
      }
    } else {
      const k = l.kernel;
      for (let oc = 0; oc < OC; oc++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
        let s = BigInt(b[oc]!) << bigF;
        const row = W[oc]!;
        for (let c = 0; c < C; c++) for (let ky = 0; ky < k; ky++) for (let kx = 0; kx < k; kx++) {
          s += BigInt(row[c * k * k + ky * k + kx]!) * v[c * H * Wd + (oy * l.stride + ky) * Wd + ox * l.stride + kx]!;
        }
        out[oc * OH * OW + oy * OW + ox] = s;
      }
    }
    v = i === lastLinear ? out : out.map((a) => {
      const r = a >> bigF;
      return l.relu && r < 0n ? 0n : r;
    });
  });
  return v;
}
