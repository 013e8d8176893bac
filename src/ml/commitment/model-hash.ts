/**
 * The model hash: a Poseidon commitment of an artifact's architecture, scale and integer weights.
 * It is what `model.commit`, trades, the leaderboard and proofs all name a model by, and what the
 * inference circuits output (they hash the private weights the same way), so a proof shows that
 * its prediction came from exactly the committed weights.
 *
 * Definition (v1): words = segments packed per src/statement/packing.ts at weightBits (signed), in
 * the order logreg: W (row-major), b;  mlp: W1, b1, W2, b2 (each segment starts a new word);
 * hash = chainHash(header, words) (poseidon.ts) with header = MODEL_TAG ‖ arch ‖ scaleBits ‖
 * weightBits (modelHeader below). Written as text: 0x + 64 lowercase hex digits (fieldHex).
 */
import { createHash } from 'node:crypto';
import { expectedGot } from '../../core/errors.js';
import { fieldHex } from '../../statement/model-hash-text.js';
import { packSegment, segmentLayout, type SegmentLayout } from '../../statement/packing.js';
import type { LogRegWeights, MlpWeights, ModelArtifact, NetArch, NetWeights } from '../artifact-types.js';
import { netPlan } from '../net.js';
import { chainHash } from './poseidon.js';

/** "HSM1" — domain separation from input hashes and other Poseidon uses. */
const MODEL_TAG = 0x48534d31n;

export type WeightLayout = { segments: SegmentLayout[]; words: number };

function archNumbers(a: ModelArtifact): { kind: bigint; inputs: number; hidden: number; classes: number; binary: bigint; rows: number } {
  if (a.arch.kind === 'logreg') {
    const rows = a.arch.binary ? 1 : a.arch.classes;
    return { kind: 1n, inputs: a.arch.inputs, hidden: 0, classes: a.arch.classes, binary: a.arch.binary ? 1n : 0n, rows };
  }
  if (a.arch.kind === 'net') return { kind: 3n, inputs: a.arch.inputs, hidden: 0, classes: a.arch.classes, binary: 0n, rows: a.arch.classes };
  return { kind: 2n, inputs: a.arch.inputs, hidden: a.arch.hidden, classes: a.arch.classes, binary: 0n, rows: a.arch.classes };
}

/**
 * A net's layers do not fit the fixed header fields, so its header is MODEL_TAG ‖ kind 3 (8 bits) ‖
 * the top 200 bits of sha256 over the canonical architecture, scale and weight width: 240 bits,
 * below the field modulus, and any change of layer, shape, scale or width changes the hash.
 */
function netHeader(arch: NetArch, scaleBits: number, weightBits: number): bigint {
  const layers = arch.layers.map((l) =>
    l.op === 'dense' ? ['dense', l.outputs, l.relu] : l.op === 'conv' ? ['conv', l.channels, l.kernel, l.stride, l.relu] : ['pool', l.mode, l.size, l.stride],
  );
  const text = JSON.stringify(['hindsight-net/1', arch.inputs, arch.shape, arch.classes, layers, scaleBits, weightBits]);
  const digest = BigInt(`0x${createHash('sha256').update(text).digest('hex')}`);
  return (((MODEL_TAG << 8n) | 3n) << 200n) | (digest >> 56n);
}

export function weightLayout(a: ModelArtifact): WeightLayout {
  const n = archNumbers(a);
  const wb = a.weightBits;
  const seg = (name: string, count: number) => segmentLayout({ name, count, bits: wb, signed: true });
  if (a.arch.kind === 'net') {
    const segments = netPlan(a.arch).linear.flatMap((l, j) => [seg(`W${j}`, l.rows * l.cols), seg(`b${j}`, l.rows)]);
    return { segments, words: segments.reduce((s, x) => s + x.words, 0) };
  }
  const segments =
    a.arch.kind === 'logreg'
      ? [seg('W', n.rows * n.inputs), seg('b', n.rows)]
      : [seg('W1', n.hidden * n.inputs), seg('b1', n.hidden), seg('W2', n.classes * n.hidden), seg('b2', n.classes)];
  return { segments, words: segments.reduce((s, x) => s + x.words, 0) };
}

export function modelHeader(a: ModelArtifact): bigint {
  if (a.arch.kind === 'net') return netHeader(a.arch, a.scaleBits, a.weightBits);
  const n = archNumbers(a);
  let h = MODEL_TAG;
  for (const [v, bits] of [
    [n.kind, 8n],
    [n.binary, 8n],
    [BigInt(n.inputs), 32n],
    [BigInt(n.hidden), 32n],
    [BigInt(n.classes), 32n],
    [BigInt(a.scaleBits), 8n],
    [BigInt(a.weightBits), 8n],
  ] as const) {
    h = (h << bits) | v;
  }
  return h;
}

function flat(rows: number[][], count: number, field: string): number[] {
  const out = rows.flat();
  if (out.length !== count) throw expectedGot('zk.weightsShape', field, `${count} values`, out.length);
  return out;
}

/** The weight values per segment, flattened in hash order. */
export function weightValues(a: ModelArtifact): number[][] {
  const n = archNumbers(a);
  if (a.arch.kind === 'logreg') {
    const w = a.weights as LogRegWeights;
    return [flat(w.W, n.rows * n.inputs, 'weights.W'), flat([w.b], n.rows, 'weights.b')];
  }
  if (a.arch.kind === 'net') {
    const w = a.weights as NetWeights;
    return netPlan(a.arch).linear.flatMap((l, j) => [
      flat(w.layers[j]?.W ?? [], l.rows * l.cols, `weights.layers[${j}].W`),
      flat([w.layers[j]?.b ?? []], l.rows, `weights.layers[${j}].b`),
    ]);
  }
  const w = a.weights as MlpWeights;
  return [
    flat(w.W1, n.hidden * n.inputs, 'weights.W1'),
    flat([w.b1], n.hidden, 'weights.b1'),
    flat(w.W2, n.classes * n.hidden, 'weights.W2'),
    flat([w.b2], n.classes, 'weights.b2'),
  ];
}

/** Packed weight words (the circuit's private input), range-checked against weightBits. */
export function weightWords(a: ModelArtifact): bigint[] {
  const layout = weightLayout(a);
  const values = weightValues(a);
  return layout.segments.flatMap((s, i) => packSegment(s, values[i]!));
}

/** The model hash as a field element. */
export async function poseidonModelHash(a: ModelArtifact): Promise<bigint> {
  return chainHash(modelHeader(a), weightWords(a));
}

/** The model hash as text (0x + 64 lowercase hex), as events and APIs carry it. */
export async function modelHashHex(a: ModelArtifact): Promise<string> {
  return fieldHex(await poseidonModelHash(a));
}
