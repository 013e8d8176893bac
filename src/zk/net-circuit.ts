/**
 * The layers of a `net` circuit (src/ml/net.ts semantics, bit for bit), emitted into the template
 * of circuit-gen.ts: it reads `x[M][N]` and the unpacked weights `W<j>`, `b<j>`, and assigns
 * `scores[M][K]`. Costs per item (A = bits of a pre-activation bound, B = of a value bound):
 *   dense / conv   one product constraint per weight use, then A+2 per output for rescale (+ReLU)
 *   max pool       B+3 per comparison (area − 1 per output)
 *   avg pool       A+1 per output (floor division by the area, a power of two)
 * Bounds are worst cases from weightBits and the input range, so no valid input can wrap the field.
 */
import { expectedGot } from '../core/errors.js';
import type { ModelArtifact, NetArch } from '../ml/artifact-types.js';
import { netPlan } from '../ml/net.js';
import type { InputSpec } from '../statement/layout.js';

const bitLength = (v: bigint): number => v.toString(2).length;

/**
 * `layerConstraints[i]`: the non-linear constraints layer i emits for all M items (what is left
 * after --O2 folds the linear ones): one per product, A+1 per bit decomposition, one per ReLU gate
 * and per max-pool select. The weight commitment and the input binding come on top.
 */
export type NetCircuit = { code: string; scoreBits: number; layerConstraints: number[] };

export function netCircuit(a: ModelArtifact & { arch: NetArch }, input: InputSpec, M: number): NetCircuit {
  const arch = a.arch;
  const { shapes, linear } = netPlan(arch);
  const F = a.scaleBits;
  const SCALE = 1n << BigInt(F);
  const wMax = 1n << BigInt(a.weightBits - 1);
  let vBound = input.signed ? 1n << BigInt(input.bits - 1) : (1n << BigInt(input.bits)) - 1n;
  const last = arch.layers.length - 1;
  const parts: string[] = [];
  let scoreBits = 0;
  const layerConstraints: number[] = [];
  let j = 0;
  let src = 'x';
  const check = (bits: number) => {
    if (bits + 1 > 252) throw expectedGot('zk.circuitBounds', 'value range', 'under 2^251 (smaller weightBits/scaleBits or fewer layers)', `2^${bits}`);
  };
  arch.layers.forEach((l, i) => {
    const [C, H, W] = shapes[i]!.input;
    const [OC, OH, OW] = shapes[i]!.output;
    const OUT = OC * OH * OW;
    const dst = i === last ? 'scores' : `v${i}`;
    if (l.op === 'pool') {
      const n = l.size * l.size;
      const at = (t: string) => `${src}[m][c * ${H * W} + (oy * ${l.stride} + (${t}) \\ ${l.size}) * ${W} + ox * ${l.stride} + (${t}) % ${l.size}]`;
      if (l.mode === 'max') {
        const B = bitLength(2n * vBound) + 1;
        check(B);
        parts.push(`
  signal ${dst}[${M}][${OUT}];
  signal mx${i}[${M}][${OUT}][${n}];
  signal g${i}[${M}][${OUT}][${n - 1}];
  component c${i}[${M}][${OUT}][${n - 1}];
  for (var m = 0; m < ${M}; m++) for (var c = 0; c < ${OC}; c++) for (var oy = 0; oy < ${OH}; oy++) for (var ox = 0; ox < ${OW}; ox++) {
    var o = c * ${OH * OW} + oy * ${OW} + ox;
    mx${i}[m][o][0] <== ${at('0')};
    for (var t = 1; t < ${n}; t++) {
      c${i}[m][o][t - 1] = Num2Bits(${B + 1});
      c${i}[m][o][t - 1].in <== ${at('t')} - mx${i}[m][o][t - 1] + ${1n << BigInt(B)};
      g${i}[m][o][t - 1] <== c${i}[m][o][t - 1].out[${B}] * (${at('t')} - mx${i}[m][o][t - 1]);
      mx${i}[m][o][t] <== mx${i}[m][o][t - 1] + g${i}[m][o][t - 1];
    }
    ${dst}[m][o] <== mx${i}[m][o][${n - 1}];
  }`);
        layerConstraints.push(M * OUT * (n - 1) * (B + 2));
      } else {
        const s = Math.log2(n);
        const A = Math.max(bitLength(BigInt(n) * vBound), s + 1);
        check(A);
        parts.push(`
  signal ${dst}[${M}][${OUT}];
  component r${i}[${M}][${OUT}];
  for (var m = 0; m < ${M}; m++) for (var c = 0; c < ${OC}; c++) for (var oy = 0; oy < ${OH}; oy++) for (var ox = 0; ox < ${OW}; ox++) {
    var o = c * ${OH * OW} + oy * ${OW} + ox;
    var sum = 0;
    for (var t = 0; t < ${n}; t++) sum += ${at('t')};
    r${i}[m][o] = Num2Bits(${A + 1});
    r${i}[m][o].in <== sum + ${1n << BigInt(A)};
    var low = 0;
    for (var q = ${s}; q < ${A}; q++) low += r${i}[m][o].out[q] * (1 << (q - ${s}));
    ${dst}[m][o] <== low + (r${i}[m][o].out[${A}] - 1) * ${1n << BigInt(A - s)};
  }`);
        vBound = 1n << BigInt(A - s);
        layerConstraints.push(M * OUT * (A + 1));
      }
      src = dst;
      return;
    }
    const { rows, cols } = linear[j]!;
    const aBound = BigInt(cols) * wMax * vBound + (wMax << BigInt(F));
    const loops =
      l.op === 'dense'
        ? `for (var m = 0; m < ${M}; m++) for (var o = 0; o < ${rows}; o++) {
    var s = 0;
    for (var t = 0; t < ${cols}; t++) { p${i}[m][o][t] <== W${j}[o * ${cols} + t] * ${src}[m][t]; s += p${i}[m][o][t]; }
    var a = s + b${j}[o] * ${SCALE};`
        : `for (var m = 0; m < ${M}; m++) for (var oc = 0; oc < ${OC}; oc++) for (var oy = 0; oy < ${OH}; oy++) for (var ox = 0; ox < ${OW}; ox++) {
    var o = oc * ${OH * OW} + oy * ${OW} + ox;
    var s = 0;
    for (var c = 0; c < ${C}; c++) for (var ky = 0; ky < ${l.kernel}; ky++) for (var kx = 0; kx < ${l.kernel}; kx++) {
      var t = c * ${l.kernel * l.kernel} + ky * ${l.kernel} + kx;
      p${i}[m][o][t] <== W${j}[oc * ${cols} + t] * ${src}[m][c * ${H * W} + (oy * ${l.stride} + ky) * ${W} + ox * ${l.stride} + kx];
      s += p${i}[m][o][t];
    }
    var a = s + b${j}[oc] * ${SCALE};`;
    j++;
    if (i === last) {
      scoreBits = bitLength(2n * aBound + 2n);
      check(scoreBits);
      parts.push(`
  signal p${i}[${M}][${OUT}][${cols}];
  ${loops}
    scores[m][o] <== a;
  }`);
      layerConstraints.push(M * OUT * cols);
    } else {
      const A = Math.max(bitLength(aBound), F + 1);
      check(A);
      const relu = l.relu;
      parts.push(`
  signal p${i}[${M}][${OUT}][${cols}];
  signal ${dst}[${M}][${OUT}];
  component r${i}[${M}][${OUT}];
  ${loops}
    r${i}[m][o] = Num2Bits(${A + 1});
    r${i}[m][o].in <== a + ${1n << BigInt(A)};
    var low = 0;
    for (var q = ${F}; q < ${A}; q++) low += r${i}[m][o].out[q] * (1 << (q - ${F}));
    ${relu ? `${dst}[m][o] <== r${i}[m][o].out[${A}] * low;` : `${dst}[m][o] <== low + (r${i}[m][o].out[${A}] - 1) * ${1n << BigInt(A - F)};`}
  }`);
      vBound = 1n << BigInt(A - F);
      layerConstraints.push(M * OUT * (cols + A + 1 + (relu ? 1 : 0)));
      src = dst;
    }
  });
  return { code: parts.join('\n'), scoreBits, layerConstraints };
}
