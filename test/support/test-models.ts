/**
 * Small deterministic artifacts for tests and benches (seeded; no training needed).
 */
import type { FeaturizerSpec, ModelArtifact, NetArch, NetLayer } from '../../src/ml/artifact-types.js';
import { netPlan } from '../../src/ml/net.js';
import { seededRandom } from './random.js';

export { seededRandom };

const ints = (rand: () => number, n: number, bits: number): number[] => {
  const half = 2 ** (bits - 1);
  return Array.from({ length: n }, () => Math.floor(rand() * 2 * half) - half);
};

const dense = (size: number): FeaturizerSpec => ({ kind: 'dense', size });

export type TestModelOptions = { seed?: number; scaleBits?: number; weightBits?: number; featurizer?: FeaturizerSpec };

export function randomLogReg(inputs: number, classes: number, binary: boolean, o: TestModelOptions = {}): ModelArtifact {
  const rand = seededRandom(o.seed ?? 1);
  const wb = o.weightBits ?? 8;
  const rows = binary ? 1 : classes;
  return {
    format: 'hindsight-model/1',
    name: `test-logreg-${inputs}x${classes}${binary ? '-binary' : ''}`,
    arch: { kind: 'logreg', inputs, classes, binary },
    featurizer: o.featurizer ?? dense(inputs),
    labels: Array.from({ length: classes }, (_, i) => `c${i}`),
    scaleBits: o.scaleBits ?? 6,
    weightBits: wb,
    weights: { W: Array.from({ length: rows }, () => ints(rand, inputs, wb)), b: ints(rand, rows, wb) },
  };
}

export function randomMlp(inputs: number, hidden: number, classes: number, o: TestModelOptions = {}): ModelArtifact {
  const rand = seededRandom(o.seed ?? 2);
  const wb = o.weightBits ?? 8;
  return {
    format: 'hindsight-model/1',
    name: `test-mlp-${inputs}-${hidden}-${classes}`,
    arch: { kind: 'mlp', inputs, hidden, classes },
    featurizer: o.featurizer ?? dense(inputs),
    labels: Array.from({ length: classes }, (_, i) => `c${i}`),
    scaleBits: o.scaleBits ?? 6,
    weightBits: wb,
    weights: {
      W1: Array.from({ length: hidden }, () => ints(rand, inputs, wb)),
      b1: ints(rand, hidden, wb),
      W2: Array.from({ length: classes }, () => ints(rand, hidden, wb)),
      b2: ints(rand, classes, wb),
    },
  };
}

/** Random integer inputs within the circuit's input range. */
export function randomInputs(rand: () => number, n: number, bits: number, signed: boolean): number[] {
  const lo = signed ? -(2 ** (bits - 1)) : 0;
  const span = signed ? 2 ** bits : 2 ** bits;
  return Array.from({ length: n }, () => lo + Math.floor(rand() * span));
}

/** A random `net` artifact with the given input shape and layers (weights uniform in weightBits). */
export function randomNet(shape: [number, number, number], layers: NetLayer[], o: TestModelOptions = {}): ModelArtifact {
  const rand = seededRandom(o.seed ?? 3);
  const wb = o.weightBits ?? 8;
  const inputs = shape[0] * shape[1] * shape[2];
  const arch: NetArch = { kind: 'net', inputs, shape, classes: (layers[layers.length - 1] as { outputs: number }).outputs, layers };
  const weights = {
    layers: netPlan(arch).linear.map((l) => ({ W: Array.from({ length: l.rows }, () => ints(rand, l.cols, wb)), b: ints(rand, l.rows, wb) })),
  };
  return {
    format: 'hindsight-model/1',
    name: `test-net-${layers.map((l) => l.op).join('-')}`,
    arch,
    featurizer: o.featurizer ?? dense(inputs),
    labels: Array.from({ length: arch.classes }, (_, i) => `c${i}`),
    scaleBits: o.scaleBits ?? 4,
    weightBits: wb,
    weights,
  };
}
