/**
 * Folded round batch proofs (`fold` binding, logistic regression and MLP): the first layer is
 * proven once per batch on a random linear combination of the items' inputs instead of once per
 * item, and no item's features enter the circuit.
 *
 * Statement, with M slots, inputs x_j ∈ Z^N (the verifier's own featurization), first-layer
 * weights W (P×N: the LR's rows, or the MLP's W1) and pre-activations z_j = W·x_j (no bias):
 *   public  modelHash   = model hash of the private weights (as every inference circuit)
 *           digest      = chain("HSB2" ‖ M ‖ K; scores_0…, scores_1…, …)      (the proven scores)
 *           commitment  = LR: digest (scores determine z_j = score_j − b·2^F)
 *                         MLP: chain("HSP1" ‖ M ‖ P; salt, z_0…, z_1…, …)      (salted: hides W1·x_j)
 *           point       = Poseidon("HSE1", chain("HSX1" ‖ N; X), rho)          (X private)
 *           inputEval   = Σ_i point^i·X_i                                      (Horner, N−1 products)
 *           scoreEval   = Σ_k rho^k·score_k over the scores in row order       (Horner)
 *           rho         = challenge(modelHash, every x_j, digest, commitment, claimed scores)
 *                                                                              (input, computed outside)
 *   circuit W·X = Σ_j rho^j·z_j (Horner, P·(M−1) constraints); scores_j from z_j (LR: + b·2^F;
 *           MLP: rescale, ReLU, second layer) per item.
 * The verifier never hashes: it checks rho, then inputEval against Σ_j rho^j·(Σ_i point^i·x_j[i])
 * of its own inputs and scoreEval against the claimed scores. Soundness: with e_j = z_j − W·x_j,
 * the circuit forces Σ_j rho^j·e_j = 0 for the X it was given. The z_j are fixed by the public
 * digest/commitment, W by the model hash, and rho is a hash of both and of the inputs, so a prover
 * must choose every e_j before rho exists; unless all e_j = 0, the polynomial Σ e_j·t^j of degree
 * < M has fewer than M roots, so it vanishes at rho with probability < M/r (≈ 2^-246) per hash the
 * prover tries. If rho did not depend on the committed pre-activations, a prover could pick them
 * after seeing rho and solve one linear equation for a false z_j. The circuit's X equals the
 * verifier's because point is a hash of that X (and rho): a different X' makes Σ_i point^i·(X'_i −
 * X_i) a non-zero polynomial of degree < N evaluated at a point fixed only after X', zero with
 * probability < N/r. The claimed scores equal the proven ones by the same argument at rho, which
 * is drawn after both are fixed (the proven ones by the digest, the claimed ones by being hashed
 * into rho). The point must not be one the prover knows before it publishes its claims — at the
 * digest, for instance, small integer offsets with a root there are easy to find by lattice
 * reduction, so claims off by a few units would pass.
 * Integers equal field elements here: |W·x_j| and every score are far below r/2 for inputs in the
 * layout's range, which the verifier checks (the circuit no longer sees x_j).
 */
import { randomBytes } from 'node:crypto';
import { expectedGot } from '../core/errors.js';
import type { LogRegWeights, MlpWeights, ModelArtifact } from '../ml/artifact-types.js';
import { fixedScores } from '../ml/artifact.js';
import { modelHeader, poseidonModelHash, weightLayout, weightWords } from '../ml/commitment/model-hash.js';
import { chainHash } from '../ml/commitment/poseidon.js';
import { toField } from '../statement/field.js';
import type { InputSpec, PublicLayout } from '../statement/layout.js';
import { bounds, chain, unpack } from './circuit-gen.js';
import { checkedSparseInputs, fieldEval, sparseChallenge, sparseFold, sparseFoldEval, sparseInputs } from './fold-sparse.js';
import { inputLayout } from './input-hash.js';
import { inputSpecOf, type InputRange } from './input-spec.js';

const DIGEST_TAG = 0x48534232n; // "HSB2"
const COMMIT_TAG = 0x48535031n; // "HSP1"
const FOLD_X_TAG = 0x48535831n; // "HSX1"
const POINT_TAG = 0x48534531n; // "HSE1"

/** modelHash, digest, commitment, point, inputEval, scoreEval (outputs), then rho (input). */
export const FOLD_SIGNALS = 7;

export const foldDigestHeader = (items: number, scores: number): bigint => (((DIGEST_TAG << 32n) | BigInt(items)) << 8n) | BigInt(scores);
const commitHeader = (items: number, width: number): bigint => (((COMMIT_TAG << 32n) | BigInt(items)) << 32n) | BigInt(width);
const foldXHeader = (n: number): bigint => (FOLD_X_TAG << 32n) | BigInt(n);

/** First-layer width P: the LR's score rows or the MLP's hidden units. */
function firstLayer(a: ModelArtifact): { W: number[][]; width: number } {
  if (a.arch.kind === 'logreg') return { W: (a.weights as LogRegWeights).W, width: (a.weights as LogRegWeights).W.length };
  if (a.arch.kind === 'mlp') return { W: (a.weights as MlpWeights).W1, width: a.arch.hidden };
  throw expectedGot('zk.layoutUnsupported', 'arch.kind', 'logreg or mlp (a folded batch proves the first dense layer once)', a.arch.kind);
}

/** The circom source and layout of the folded batch circuit of `a` for `items` slots. */
export function generateFoldCircuit(a: ModelArtifact, options: { items: number; input?: InputRange }): { source: string; layout: PublicLayout } {
  const M = options.items;
  if (!Number.isInteger(M) || M < 1) throw expectedGot('zk.items', 'items', 'a positive integer', M);
  const input = inputSpecOf(a, options.input);
  const { scoreBits, actBits } = bounds(a, input);
  const { width: P } = firstLayer(a);
  const N = a.arch.inputs;
  const binary = a.arch.kind === 'logreg' && a.arch.binary;
  const K = binary ? 1 : a.arch.classes;
  const F = a.scaleBits;
  const SCALE = 1n << BigInt(F);
  const wl = weightLayout(a);
  let off = 0;
  const weights = wl.segments.map((seg) => { const at = off; off += seg.words; return unpack(seg.name, seg, (w) => `wWords[${at} + ${w}]`, [], ''); }).join('\n');
  const W = a.arch.kind === 'logreg' ? 'W' : 'W1';
  let perItem: string;
  // A logistic regression's circuit takes its scale F as a private input (bound through the model
  // hash's header, whose other fields stay constants), so models differing only in F share one
  // circuit and one setup; the MLP's rescale needs F as a constant.
  const lr = a.arch.kind === 'logreg';
  const headerBase = modelHeader({ ...a, scaleBits: 0 });
  const header = lr ? `${headerBase} + scaleBits * 256` : modelHeader(a);
  if (lr) {
    perItem = `
  component fb = Num2Bits(6);
  fb.in <== scaleBits;
  signal sp[6];
  sp[0] <== 1 + fb.out[0];
  for (var i = 1; i < 6; i++) sp[i] <== sp[i - 1] * (1 + fb.out[i] * ((1 << (1 << i)) - 1));
  signal bs[${K}];
  for (var k = 0; k < ${K}; k++) bs[k] <== b[k] * sp[5];
  for (var m = 0; m < ${M}; m++) for (var k = 0; k < ${K}; k++) sc[m * ${K} + k] <== z[m][k] + bs[k];`;
  } else {
    const H = P;
    perItem = `
  signal hidden[${M}][${H}];
  component act[${M}][${H}];
  for (var m = 0; m < ${M}; m++) for (var i = 0; i < ${H}; i++) {
    act[m][i] = Num2Bits(${actBits + 1});
    act[m][i].in <== z[m][i] + b1[i] * ${SCALE} + ${1n << BigInt(actBits)};
    var low = 0;
    for (var t = ${F}; t < ${actBits}; t++) low += act[m][i].out[t] * (1 << (t - ${F}));
    hidden[m][i] <== act[m][i].out[${actBits}] * low;
  }
  signal prod2[${M}][${K}][${H}];
  for (var m = 0; m < ${M}; m++) for (var k = 0; k < ${K}; k++) {
    var s = 0;
    for (var i = 0; i < ${H}; i++) { prod2[m][k][i] <== W2[k * ${H} + i] * hidden[m][i]; s += prod2[m][k][i]; }
    sc[m * ${K} + k] <== s + b2[k] * ${SCALE};
  }
  signal cw[${1 + M * H}];
  cw[0] <== salt;
  for (var m = 0; m < ${M}; m++) for (var i = 0; i < ${H}; i++) cw[1 + m * ${H} + i] <== z[m][i];
${chain('ch', commitHeader(M, H), 1 + M * H, (w) => `cw[${w}]`, 'commitment', [], '')}`;
  }
  const source = `pragma circom 2.1.0;
// Generated by hindsight src/zk/batch-fold.ts — folded batch, ${a.arch.kind} inputs=${N} hidden=${lr ? 0 : P} classes=${a.arch.classes} scores=${K}${lr ? '' : ` F=${F}`} weightBits=${a.weightBits} items=${M}
include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";

template HindsightFold() {
  signal input wWords[${wl.words}];
  signal input X[${N}];
  signal input z[${M}][${P}];
  ${lr ? 'signal input scaleBits;' : 'signal input salt;'}
  signal input rho;
  signal output modelHash;
  signal output digest;
  signal output commitment;
  signal output point;
  signal output inputEval;
  signal output scoreEval;
${weights}
${chain('wh', header, wl.words, (w) => `wWords[${w}]`, 'modelHash', [], '')}
  signal xHash;
${chain('xh', foldXHeader(N), N, (w) => `X[${w}]`, 'xHash', [], '')}
  component ep = Poseidon(3);
  ep.inputs[0] <== ${POINT_TAG};
  ep.inputs[1] <== xHash;
  ep.inputs[2] <== rho;
  point <== ep.out;
${horner('xe', N, (i) => `X[${i}]`, 'point', 'inputEval')}
  signal fprod[${P}][${N}];
  signal acc[${P}][${M}];
  for (var p = 0; p < ${P}; p++) {
    var s = 0;
    for (var i = 0; i < ${N}; i++) { fprod[p][i] <== ${W}[p * ${N} + i] * X[i]; s += fprod[p][i]; }
    acc[p][${M - 1}] <== z[${M - 1}][p];
    for (var j = ${M - 2}; j >= 0; j--) acc[p][j] <== acc[p][j + 1] * rho + z[j][p];
    acc[p][0] === s;
  }
  signal sc[${M * K}];
${perItem}
${chain('dg', foldDigestHeader(M, K), M * K, (w) => `sc[${w}]`, 'digest', [], '')}
${horner('se', M * K, (i) => `sc[${i}]`, 'rho', 'scoreEval')}
  ${a.arch.kind === 'logreg' ? 'commitment <== digest;' : ''}
}

component main {public [rho]} = HindsightFold();
`;
  const layout: PublicLayout = {
    version: 1,
    kind: a.arch.kind,
    items: M,
    scores: K,
    classes: a.arch.classes,
    binding: 'fold',
    input,
    inputWords: inputLayout(input).words,
    scaleBits: F,
    weightBits: a.weightBits,
    scoreBits,
    modelHeader: modelHeader(a).toString(),
  };
  return { source, layout };
}

/** circom: `out` = Σ_i at^i·word(i) for i < n, by Horner (n − 1 constraints). */
function horner(name: string, n: number, word: (i: string) => string, at: string, out: string): string {
  return `
  signal ${name}[${n}];
  ${name}[${n - 1}] <== ${word(String(n - 1))};
  for (var i = ${n - 2}; i >= 0; i--) ${name}[i] <== ${name}[i + 1] * ${at} + ${word('i')};
  ${out} <== ${name}[0];`;
}

/** The digest of the claimed (signed) scores, one row per slot. */
export function foldDigest(layout: Pick<PublicLayout, 'items' | 'scores'>, scores: readonly (readonly bigint[])[]): Promise<bigint> {
  return chainHash(foldDigestHeader(layout.items, layout.scores), scores.flatMap((row) => row.map(toField)));
}

/** Checks every input is an integer vector of the layout's width and range; returns a message if not. */
export function inputRangeError(spec: InputSpec, xs: readonly (readonly (number | bigint)[])[]): string | undefined {
  const checked = checkedSparseInputs(spec, xs);
  return typeof checked === 'string' ? checked : undefined;
}

/** X = Σ_j rho^j·x_j mod r (sparse: zero features cost nothing). */
export function foldInputs(n: number, xs: readonly (readonly (number | bigint)[])[], rho: bigint): bigint[] {
  return sparseFold(n, sparseInputs(xs), rho);
}

/** The evaluation point a circuit outputs for its folded input X and challenge rho. */
export async function foldPoint(X: readonly bigint[], rho: bigint): Promise<bigint> {
  return chainHash(POINT_TAG, [await chainHash(foldXHeader(X.length), X), rho]);
}

/** The prover's side: the private witness input and the claimed scores of padded slots `xs`. */
export async function foldWitness(a: ModelArtifact, layout: PublicLayout, xs: readonly (readonly (number | bigint)[])[]): Promise<{ input: Record<string, unknown>; scores: bigint[][] }> {
  if (modelHeader(a).toString() !== layout.modelHeader) throw expectedGot('zk.archMismatch', 'model', 'the architecture/scale/weightBits this circuit was built for', 'another');
  const { W } = firstLayer(a);
  const sparse = sparseInputs(xs);
  const z = sparse.map((x) => W.map((row) => { let s = 0n; for (let k = 0; k < x.index.length; k++) s += BigInt(row[x.index[k]!]!) * x.value[k]!; return s; }));
  const scores = xs.map((x) => fixedScores(a, x));
  const digest = await foldDigest(layout, scores);
  const salt = a.arch.kind === 'mlp' ? BigInt(`0x${randomBytes(31).toString('hex')}`) : undefined;
  const commitment = salt === undefined ? digest : await chainHash(commitHeader(layout.items, W.length), [salt, ...z.flat().map(toField)]);
  const rho = sparseChallenge(await poseidonModelHash(a), sparse, digest, commitment, scores);
  const X = sparseFold(layout.input.count, sparse, rho);
  const str = (v: bigint) => v.toString();
  return {
    input: {
      wWords: weightWords(a).map(str),
      X: X.map(str),
      z: z.map((row) => row.map((v) => str(toField(v)))),
      ...(salt === undefined ? { scaleBits: String(a.scaleBits) } : { salt: str(salt) }),
      rho: str(rho),
    },
    scores,
  };
}

/**
 * The verifier's side, for a proof's public signals whose pairing is checked separately: the
 * signals a valid proof must carry for these inputs and claimed scores. Returns which one differs.
 * No Poseidon: the circuit's hashes are only read, and the evaluation points are rho and point.
 */
export function foldExpected(
  layout: PublicLayout,
  signals: readonly bigint[],
  inputs: readonly (readonly (number | bigint)[])[],
  scores: readonly (readonly bigint[])[],
): { ok: true } | { ok: false; message: string } {
  const [modelHash, digest, commitment, point, inputEval, scoreEval, rho] = signals as [bigint, bigint, bigint, bigint, bigint, bigint, bigint];
  const sparse = checkedSparseInputs(layout.input, inputs);
  if (typeof sparse === 'string') return { ok: false, message: `${sparse} (the key's input range)` };
  const wantRho = sparseChallenge(modelHash, sparse, digest, commitment, scores);
  if (wantRho !== rho) return { ok: false, message: `proof.publicSignals[6]: expected the challenge of these items' features and the claimed scores (${wantRho}), got ${rho} (a proof on other text, another featurizer or altered scores)` };
  const wantScores = fieldEval(scores.flat(), rho);
  if (wantScores !== scoreEval) return { ok: false, message: `proof.publicSignals[5]: expected the claimed scores evaluated at the challenge (${wantScores}), got ${scoreEval} (altered scores)` };
  const wantX = sparseFoldEval(layout.input.count, sparse, rho, point);
  if (wantX !== inputEval) return { ok: false, message: `proof.publicSignals[4]: expected the folded features evaluated at the proof's point (${wantX}), got ${inputEval} (a proof on other text or another featurizer)` };
  return { ok: true };
}
