import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedPredict, fixedScores, validateArtifact } from '../ml/index.js';
import type { ModelArtifact, NetLayer } from '../ml/artifact-types.js';
import { poseidonModelHash } from '../ml/commitment/model-hash.js';
import type { PublicLayout } from '../statement/layout.js';
import type { CompiledCircuit } from './circom.js';
import { terminateCurve } from './curve.js';
import { compileModelCircuit, evaluateCircuit } from './inference.js';
import { randomNet } from '../../test/support/test-models.js';

afterAll(terminateCurve);

const ITEMS = 2;
type Case = { name: string; shape: [number, number, number]; layers: NetLayer[] };
const cases: Case[] = [
  {
    name: '3 hidden dense layers (ReLU, ReLU, linear)',
    shape: [6, 1, 1],
    layers: [
      { op: 'dense', outputs: 5, relu: true },
      { op: 'dense', outputs: 4, relu: true },
      { op: 'dense', outputs: 3, relu: false },
      { op: 'dense', outputs: 3, relu: false },
    ],
  },
  {
    // every conv/pool path in one circuit (one compile): a stride-2 conv over 2 input channels
    // without ReLU, overlapping average windows, a stride-1 conv with ReLU, max windows, dense
    name: 'conv (stride 2, 2 channels in, no ReLU) + average pool + conv (ReLU) + max pool + dense',
    shape: [2, 10, 10],
    layers: [
      { op: 'conv', channels: 2, kernel: 2, stride: 2, relu: false },
      { op: 'pool', mode: 'avg', size: 2, stride: 1 },
      { op: 'conv', channels: 2, kernel: 2, stride: 1, relu: true },
      { op: 'pool', mode: 'max', size: 2, stride: 1 },
      { op: 'dense', outputs: 2, relu: false },
    ],
  },
];

describe.each(cases)('net circuit — $name — equals the JS fixed-point model', ({ shape, layers }) => {
  let compiled: { circuit: CompiledCircuit; layout: PublicLayout };
  const make = (seed: number): ModelArtifact => randomNet(shape, layers, { seed, weightBits: 6, scaleBits: 3 });
  beforeAll(async () => {
    compiled = await compileModelCircuit(make(1), { binding: 'public', items: ITEMS });
  }, 120_000);

  it('on random weights and inputs, including range extremes (property)', async () => {
    expect(validateArtifact(make(1))).toBeTruthy();
    const N = shape[0] * shape[1] * shape[2];
    const { bits, signed } = compiled.layout.input;
    const lo = signed ? -(2 ** (bits - 1)) : 0;
    const hi = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
    const feature = fc.oneof(fc.integer({ min: lo, max: hi }), fc.constantFrom(lo, hi, 0));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1 << 30 }), fc.array(fc.array(feature, { minLength: N, maxLength: N }), { minLength: ITEMS, maxLength: ITEMS }), async (seed, xs) => {
        const a = make(seed);
        const out = await evaluateCircuit(compiled, a, xs);
        expect(out.modelHash).toBe(await poseidonModelHash(a));
        xs.forEach((x, m) => {
          expect(out.items[m].scores).toEqual(fixedScores(a, x));
          expect(out.items[m].predicted).toBe(fixedPredict(a, x));
        });
      }),
      { numRuns: 8, seed: 7 },
    );
  }, 120_000);
});

describe('net artifacts', () => {
  it('refuse a shape that does not match the layers, an odd average window, and a ReLU on the scores', () => {
    const ok = randomNet([1, 4, 4], [{ op: 'conv', channels: 1, kernel: 2, stride: 1, relu: true }, { op: 'dense', outputs: 2, relu: false }]);
    expect(() => validateArtifact({ ...ok, arch: { ...ok.arch, shape: [1, 4, 5] } })).toThrow(/expected channels·height·width = inputs \(16\)/);
    const pool = { ...ok, arch: { ...ok.arch, layers: [ok.arch.kind === 'net' ? ok.arch.layers[0] : null, { op: 'pool', mode: 'avg', size: 3, stride: 1 }, { op: 'dense', outputs: 2, relu: false }] } };
    expect(() => validateArtifact(pool)).toThrow(/average window whose area is a power of two/);
    const relu = { ...ok, arch: { ...ok.arch, layers: [{ op: 'conv', channels: 1, kernel: 2, stride: 1, relu: true }, { op: 'dense', outputs: 2, relu: true }] } };
    expect(() => validateArtifact(relu)).toThrow(/a dense layer without relu last/);
  });

  it('hash the architecture: the same weights under another layer shape have another model hash', async () => {
    const a = randomNet([1, 4, 4], [{ op: 'conv', channels: 1, kernel: 2, stride: 1, relu: true }, { op: 'dense', outputs: 2, relu: false }]);
    const b = structuredClone(a);
    if (b.arch.kind === 'net' && b.arch.layers[0]!.op === 'conv') b.arch.layers[0]!.relu = false;
    expect(await poseidonModelHash(a)).not.toBe(await poseidonModelHash(b));
  });
});
