/**
 * A parsed ONNX graph → a `net` artifact (src/ml/net.ts): the layers keep their order, ReLU flags
 * and windows; every weight and bias is round(v·2^F) (half away from zero, as `toArtifact`), with
 * F the largest fraction width ≤ maxScaleBits at which the largest weight still fits weightBits.
 * A single output logit becomes two classes [0, z], as for the one-hidden-layer MLP.
 */
import { ValidationError } from '../core/errors.js';
import type { FeaturizerSpec, ModelArtifact, NetLayer } from '../ml/artifact-types.js';
import { roundHalfAway } from '../ml/artifact.js';
import { validateArtifact } from '../ml/artifact-schema.js';
import type { OnnxGraphModel } from './onnx-import.js';

type Common = { name: string; featurizer: FeaturizerSpec; labels: string[]; weightBits: number; scaleBits?: number; maxScaleBits?: number };

export function netArtifact(g: OnnxGraphModel, o: Common): ModelArtifact {
  const { weightBits } = o;
  if (!Number.isInteger(weightBits) || weightBits < 2 || weightBits > 32) {
    throw new ValidationError('artifact.invalid', `weightBits: expected an integer in 2..32, got ${weightBits}`, { field: 'weightBits' });
  }
  const limit = 2 ** (weightBits - 1) - 1;
  const linear = g.layers.filter((l) => l.op !== 'pool') as (OnnxGraphModel['layers'][number] & { W: Float64Array; b: Float64Array })[];
  let maxAbs = 0;
  for (const l of linear) for (const arr of [l.W, l.b]) for (let i = 0; i < arr.length; i++) maxAbs = Math.max(maxAbs, Math.abs(arr[i]!));
  let F = o.scaleBits ?? 0;
  if (o.scaleBits === undefined) for (let f = o.maxScaleBits ?? 16; f > 0; f--) if (roundHalfAway(maxAbs * 2 ** f) <= limit) { F = f; break; }
  const q = (v: number) => Math.max(-limit, Math.min(limit, roundHalfAway(v * 2 ** F)));
  const rows = (W: Float64Array, n: number, cols: number) => Array.from({ length: n }, (_, r) => Array.from(W.subarray(r * cols, (r + 1) * cols), q));

  const layers: NetLayer[] = [];
  const weights: { W: number[][]; b: number[] }[] = [];
  const lastIndex = g.layers.length - 1;
  g.layers.forEach((l, i) => {
    if (l.op === 'pool') {
      layers.push({ op: 'pool', mode: l.mode, size: l.size, stride: l.stride });
    } else if (l.op === 'conv') {
      layers.push({ op: 'conv', channels: l.channels, kernel: l.kernel, stride: l.stride, relu: l.relu });
      weights.push({ W: rows(l.W, l.channels, l.inChannels * l.kernel * l.kernel), b: Array.from(l.b, q) });
    } else if (i === lastIndex && l.outputs === 1) {
      layers.push({ op: 'dense', outputs: 2, relu: false });
      weights.push({ W: [new Array<number>(l.inputs).fill(0), Array.from(l.W, q)], b: [0, q(l.b[0]!)] });
    } else {
      layers.push({ op: 'dense', outputs: l.outputs, relu: l.relu });
      weights.push({ W: rows(l.W, l.outputs, l.inputs), b: Array.from(l.b, q) });
    }
  });
  const inputs = g.shape[0] * g.shape[1] * g.shape[2];
  const artifact: ModelArtifact = {
    format: 'hindsight-model/1',
    name: o.name,
    arch: { kind: 'net', inputs, shape: g.shape, classes: o.labels.length, layers },
    featurizer: o.featurizer,
    labels: o.labels,
    scaleBits: F,
    weightBits,
    weights: { layers: weights },
  };
  return validateArtifact(artifact);
}
