/**
 * Generates the circom source of an inference circuit from a model architecture (weights are
 * private inputs, so one circuit — and one verification key — serves every model of the same
 * architecture, scale and weight width). Exactly the fixed-point semantics of
 * src/ml/artifact-types.ts:
 *   logreg  score = W·x + b·2^F                          (binary: class 1 iff score > 0)
 *   mlp     h = max(0, ⌊(W1·x + b1·2^F) / 2^F⌋), score = W2·h + b2·2^F
 *   class   argmax(score), lowest index wins ties
 * Rescale = hinted bit decomposition of a + 2^A (A bounds |a|): its low F bits are the remainder,
 * the rest the quotient, the top bit the sign, so floor + ReLU cost A+2 constraints per unit.
 * Weights arrive packed (src/statement/packing.ts) and are unpacked bit by bit, which range-checks them and feeds
 * the Poseidon commitment (src/ml/commitment/model-hash.ts) without hashing every weight separately.
 *
 * Public signals: in the order and PublicLayout of src/statement/layout.ts.
 */
import { expectedGot } from '../core/errors.js';
import type { ModelArtifact } from '../ml/artifact-types.js';
import { modelHeader, weightLayout } from '../ml/commitment/model-hash.js';
import { chainChunks } from '../ml/commitment/poseidon.js';
import type { InputBinding, InputSpec, PublicLayout } from '../statement/layout.js';
import type { SegmentLayout } from '../statement/packing.js';
import { inputHeader, inputLayout } from './input-hash.js';
import { inputSpecOf, type InputRange } from './input-spec.js';
import { netCircuit } from './net-circuit.js';

export type CircuitOptions = { items?: number; binding?: InputBinding; input?: InputRange };

const bitLength = (v: bigint): number => v.toString(2).length;

export function bounds(a: ModelArtifact, input: InputSpec): { scoreBits: number; actBits: number } {
  const F = BigInt(a.scaleBits);
  const wMax = 1n << BigInt(a.weightBits - 1);
  const xMax = input.signed ? 1n << BigInt(input.bits - 1) : (1n << BigInt(input.bits)) - 1n;
  const N = BigInt(a.arch.inputs);
  let scoreBound: bigint;
  let actBits = 0;
  if (a.arch.kind === 'logreg') {
    scoreBound = N * wMax * xMax + (wMax << F);
  } else if (a.arch.kind === 'mlp') {
    const aBound = N * wMax * xMax + (wMax << F);
    actBits = Math.max(bitLength(aBound), a.scaleBits + 1);
    const hMax = 1n << BigInt(actBits - a.scaleBits);
    scoreBound = BigInt(a.arch.hidden) * wMax * hMax + (wMax << F);
  } else {
    throw expectedGot('zk.layoutUnsupported', 'arch.kind', 'logreg or mlp (nets are bounded layer by layer in net-circuit.ts)', a.arch.kind);
  }
  const scoreBits = bitLength(2n * scoreBound + 2n);
  if (scoreBits + 1 > 252 || actBits + 1 > 252) {
    throw expectedGot('zk.circuitBounds', 'score range', 'under 2^251 (smaller weightBits/scaleBits/inputs)', `2^${Math.max(scoreBits, actBits)}`);
  }
  return { scoreBits, actBits };
}

/** Emits `signal name[...dims][count]` filled from packed words (one Num2Bits per word). */
export function unpack(name: string, seg: SegmentLayout, words: (w: string) => string, loops: string[], idx: string): string {
  const full = Math.floor(seg.count / seg.perWord);
  const rest = seg.count - full * seg.perWord;
  const dims = loops.map((l) => `[${l.split(':')[1]}]`).join('');
  const open = loops.map((l) => `for (var ${l.split(':')[0]} = 0; ${l.split(':')[0]} < ${l.split(':')[1]}; ${l.split(':')[0]}++) {`).join(' ');
  const close = loops.map(() => '}').join(' ');
  const body = (comp: string, wordIdx: string, k: number, base: string) => `
      ${comp} = Num2Bits(${k * seg.bits});
      ${comp}.in <== ${words(wordIdx)};
      for (var ui = 0; ui < ${k}; ui++) {
        var lc = 0;
        for (var ub = 0; ub < ${seg.bits}; ub++) lc += ${comp}.out[ui * ${seg.bits} + ub] * (1 << ub);
        ${name}${idx}[${base} + ui] <== lc - ${seg.offset};
      }`;
  return `
  signal ${name}${dims}[${seg.count}];
  ${full > 0 ? `component ${name}_bits${dims}[${full}];` : ''}
  ${rest > 0 ? `component ${name}_rest${dims};` : ''}
  ${open}
    ${full > 0 ? `for (var uw = 0; uw < ${full}; uw++) {${body(`${name}_bits${idx}[uw]`, 'uw', seg.perWord, `uw * ${seg.perWord}`)}
    }` : ''}
    ${rest > 0 ? `{${body(`${name}_rest${idx}`, String(full), rest, String(full * seg.perWord))}
    }` : ''}
  ${close}`;
}

/** Emits a Poseidon chain over `nWords` words, assigning the result to `out`. */
export function chain(name: string, header: bigint | string, nWords: number, word: (w: string) => string, out: string, loops: string[], idx: string): string {
  const sizes = chainChunks(nWords);
  const full = sizes.filter((s) => s === 15).length;
  const last = sizes.length > full ? sizes[sizes.length - 1] : 0;
  const dims = loops.map((l) => `[${l.split(':')[1]}]`).join('');
  const open = loops.map((l) => `for (var ${l.split(':')[0]} = 0; ${l.split(':')[0]} < ${l.split(':')[1]}; ${l.split(':')[0]}++) {`).join(' ');
  const close = loops.map(() => '}').join(' ');
  const prev = (c: string) => `${name}${idx}[${c} - 1].out`;
  return `
  ${full > 0 ? `component ${name}${dims}[${full}];` : ''}
  ${last > 0 ? `component ${name}_last${dims};` : ''}
  ${open}
    ${full > 0 ? `for (var hc = 0; hc < ${full}; hc++) {
      ${name}${idx}[hc] = Poseidon(16);
      if (hc == 0) { ${name}${idx}[hc].inputs[0] <== ${header}; } else { ${name}${idx}[hc].inputs[0] <== ${prev('hc')}; }
      for (var hi = 0; hi < 15; hi++) ${name}${idx}[hc].inputs[hi + 1] <== ${word('hc * 15 + hi')};
    }` : ''}
    ${last > 0 ? `${name}_last${idx} = Poseidon(${last + 1});
    ${name}_last${idx}.inputs[0] <== ${full > 0 ? `${name}${idx}[${full - 1}].out` : header};
    for (var hi = 0; hi < ${last}; hi++) ${name}_last${idx}.inputs[hi + 1] <== ${word(`${full * 15} + hi`)};
    ${out} <== ${name}_last${idx}.out;` : `${out} <== ${name}${idx}[${full - 1}].out;`}
  ${close}`;
}

export function generateModelCircuit(a: ModelArtifact, options: CircuitOptions = {}): { source: string; layout: PublicLayout } {
  const M = options.items ?? 1;
  if (!Number.isInteger(M) || M < 1) throw expectedGot('zk.items', 'items', 'a positive integer', M);
  const binding = options.binding ?? 'hash';
  const input = inputSpecOf(a, options.input);
  const xl = inputLayout(input);
  const wl = weightLayout(a);
  const net = a.arch.kind === 'net' ? netCircuit({ ...a, arch: a.arch }, input, M) : undefined;
  const { scoreBits, actBits } = net ? { scoreBits: net.scoreBits, actBits: 0 } : bounds(a, input);
  const N = a.arch.inputs;
  const binary = a.arch.kind === 'logreg' && a.arch.binary;
  const K = binary ? 1 : a.arch.classes;
  if (!binary && K < 2) throw expectedGot('zk.classes', 'arch.classes', 'at least 2 (or a binary logreg)', K);
  const F = a.scaleBits;
  const SCALE = 1n << BigInt(F);
  const TWO_B = 1n << BigInt(scoreBits);

  let segOffset = 0;
  const weights = wl.segments
    .map((seg) => {
      const off = segOffset;
      segOffset += seg.words;
      return unpack(seg.name, seg, (w) => `wWords[${off} + ${w}]`, [], '');
    })
    .join('\n');

  const xDecl =
    binding === 'public'
      ? `signal input x[${M}][${N}];`
      : `signal input xWords[${M}][${xl.words}];${unpack('x', xl, (w) => `xWords[m][${w}]`, [`m:${M}`], '[m]')}`;
  const inputHashes =
    binding === 'hash'
      ? `signal output inputHash[${M}];${chain('xh', inputHeader(input), xl.words, (w) => `xWords[m][${w}]`, 'inputHash[m]', [`m:${M}`], '[m]')}`
      : '';

  let layers: string;
  if (net) {
    layers = net.code;
  } else if (a.arch.kind === 'logreg') {
    layers = `
  signal prod[${M}][${K}][${N}];
  for (var m = 0; m < ${M}; m++) for (var k = 0; k < ${K}; k++) {
    var s = 0;
    for (var j = 0; j < ${N}; j++) { prod[m][k][j] <== W[k * ${N} + j] * x[m][j]; s += prod[m][k][j]; }
    scores[m][k] <== s + b[k] * ${SCALE};
  }`;
  } else if (a.arch.kind === 'mlp') {
    const H = a.arch.hidden;
    const TWO_A = 1n << BigInt(actBits);
    layers = `
  signal prod1[${M}][${H}][${N}];
  signal hidden[${M}][${H}];
  component act[${M}][${H}];
  for (var m = 0; m < ${M}; m++) for (var i = 0; i < ${H}; i++) {
    var s = 0;
    for (var j = 0; j < ${N}; j++) { prod1[m][i][j] <== W1[i * ${N} + j] * x[m][j]; s += prod1[m][i][j]; }
    act[m][i] = Num2Bits(${actBits + 1});
    act[m][i].in <== s + b1[i] * ${SCALE} + ${TWO_A};
    var low = 0;
    for (var t = ${F}; t < ${actBits}; t++) low += act[m][i].out[t] * (1 << (t - ${F}));
    hidden[m][i] <== act[m][i].out[${actBits}] * low;
  }
  signal prod2[${M}][${K}][${H}];
  for (var m = 0; m < ${M}; m++) for (var k = 0; k < ${K}; k++) {
    var s = 0;
    for (var i = 0; i < ${H}; i++) { prod2[m][k][i] <== W2[k * ${H} + i] * hidden[m][i]; s += prod2[m][k][i]; }
    scores[m][k] <== s + b2[k] * ${SCALE};
  }`;
  } else {
    throw expectedGot('zk.layoutUnsupported', 'arch.kind', 'logreg, mlp or net', (a.arch as { kind: string }).kind);
  }

  const argmax = binary
    ? `
  component pos[${M}];
  for (var m = 0; m < ${M}; m++) {
    pos[m] = Num2Bits(${scoreBits + 1});
    pos[m].in <== scores[m][0] - 1 + ${TWO_B};
    predicted[m] <== pos[m].out[${scoreBits}];
  }`
    : `
  signal best[${M}][${K}];
  signal idx[${M}][${K}];
  signal gain[${M}][${K}];
  component gt[${M}][${K}];
  for (var m = 0; m < ${M}; m++) {
    best[m][0] <== scores[m][0];
    idx[m][0] <== 0;
    for (var k = 1; k < ${K}; k++) {
      gt[m][k] = Num2Bits(${scoreBits + 1});
      gt[m][k].in <== scores[m][k] - best[m][k - 1] - 1 + ${TWO_B};
      gain[m][k] <== gt[m][k].out[${scoreBits}] * (scores[m][k] - best[m][k - 1]);
      best[m][k] <== best[m][k - 1] + gain[m][k];
      idx[m][k] <== idx[m][k - 1] + gt[m][k].out[${scoreBits}] * (k - idx[m][k - 1]);
    }
    predicted[m] <== idx[m][${K - 1}];
  }`;

  const source = `pragma circom 2.1.0;
// Generated by hindsight src/zk/circuit-gen.ts — ${a.arch.kind} ${JSON.stringify(a.arch)} F=${F} weightBits=${a.weightBits} input=${JSON.stringify(input)} binding=${binding} items=${M}
include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";

template HindsightModel() {
  signal input wWords[${wl.words}];
  ${xDecl}
  signal output modelHash;
  signal output predicted[${M}];
  signal output scores[${M}][${K}];
  ${inputHashes}
${weights}
${chain('wh', modelHeader(a), wl.words, (w) => `wWords[${w}]`, 'modelHash', [], '')}
${layers}
${argmax}
}

component main${binding === 'public' ? ' {public [x]}' : binding === 'packed' ? ' {public [xWords]}' : ''} = HindsightModel();
`;
  const layout: PublicLayout = {
    version: 1,
    kind: a.arch.kind,
    items: M,
    scores: K,
    classes: a.arch.classes,
    binding,
    input,
    inputWords: xl.words,
    scaleBits: F,
    weightBits: a.weightBits,
    scoreBits,
    modelHeader: modelHeader(a).toString(),
  };
  return { source, layout };
}
