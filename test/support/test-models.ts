/**
 * Small deterministic artifacts for tests and benches (seeded; no training needed).
 */
import type { FeaturizerSpec, ModelArtifact } from '../../src/ml/artifact-types.js';
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
