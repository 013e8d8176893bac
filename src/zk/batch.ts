/**
 * Round batch proofs: one proof per operator per round covering every item it trades, with a
 * constant number of public signals, so checking it costs the same pairing whatever the item count.
 * Logistic regressions and MLPs use the folded circuit of batch-fold.ts (`fold` binding: the first
 * layer proven once per batch, no per-item input hash); imported nets use the digest circuit below.
 *
 * The digest batch circuit wraps the per-item inference circuit (circuit-gen.ts, `hash` binding, M items)
 * and exposes only two signals: the model hash and
 *   digest = chain(header("HSB1" ‖ M ‖ K), inputHash[0], scores[0][0..K), inputHash[1], …)
 * with the Poseidon chain of the model hash (src/ml/commitment/poseidon.ts) and scores as field
 * elements. The prover hands its claimed scores beside the proof; a verifier recomputes every
 * item's input hash from features it derives itself (the item's text through the committed
 * featurizer), hashes them with the claimed scores and compares with the proven digest. A proof on
 * other text, with another featurizer or with altered scores fails that comparison.
 * Unused slots (an operator trading fewer than M items) hold the zero input.
 */
import { expectedGot } from '../core/errors.js';
import type { ModelArtifact } from '../ml/artifact-types.js';
import { fixedScores } from '../ml/artifact.js';
import { chainChunks, chainHash } from '../ml/commitment/poseidon.js';
import { toField } from '../statement/field.js';
import type { Groth16Proof, VerificationKey } from '../statement/groth16.js';
import type { InputSpec, PublicLayout } from '../statement/layout.js';
import { fieldHex } from '../statement/model-hash-text.js';
import { FOLD_SIGNALS, foldExpected, foldWitness, generateFoldCircuit } from './batch-fold.js';
import { compileCircom } from './circom.js';
import { generateModelCircuit } from './circuit-gen.js';
import { fastGroth16Verify } from './fast-verify.js';
import { circuitInput, type ModelCircuit } from './inference.js';
import { inputHash } from './input-hash.js';
import type { InputRange } from './input-spec.js';
import { setupCircuit, type SetupOptions } from './setup.js';
import { fullProve } from './snarkjs.js';
import { readFileSync } from 'node:fs';

/** "HSB1" — domain separation from model and input hashes. */
const BATCH_TAG = 0x48534231n;

export function batchHeader(items: number, scores: number): bigint {
  return ((BATCH_TAG << 32n) | BigInt(items)) << 8n | BigInt(scores);
}

/** What a batch prover publishes: the Groth16 proof, its public signals (2 digest, 5 fold), and the claimed scores per slot. */
export type BatchProof = { proof: Groth16Proof; publicSignals: string[]; scores: string[][] };

export type BatchVerifyResult =
  | { valid: true; modelHash: string; scores: bigint[][] }
  | { valid: false; reason: 'zk.signalsMalformed' | 'zk.proofInvalid' | 'zk.modelMismatch' | 'zk.digestMismatch'; message: string };

/** The digest a batch proof outputs for these input hashes and (signed) scores. */
export async function batchDigest(layout: Pick<PublicLayout, 'items' | 'scores'>, inputHashes: readonly bigint[], scores: readonly (readonly bigint[])[]): Promise<bigint> {
  const words: bigint[] = [];
  for (let m = 0; m < layout.items; m++) words.push(inputHashes[m]!, ...scores[m]!.map(toField));
  return chainHash(batchHeader(layout.items, layout.scores), words);
}

/** The circom source and layout of the batch circuit of `a` for `items` slots. */
export function generateBatchCircuit(a: ModelArtifact, options: { items: number; input?: InputRange }): { source: string; layout: PublicLayout } {
  const inner = generateModelCircuit(a, { items: options.items, binding: 'hash', input: options.input });
  const mainLine = 'component main = HindsightModel();';
  if (!inner.source.includes(mainLine)) throw expectedGot('zk.compileFailed', 'inference circuit', `a main component "${mainLine}"`, 'another shape');
  const M = options.items;
  const K = inner.layout.scores;
  const W = inner.layout.inputWords;
  const words = M * (1 + K);
  const sizes = chainChunks(words);
  const calls = sizes
    .map((n, c) => {
      const at = c * 15;
      const prev = c === 0 ? batchHeader(M, K).toString() : `dh${c - 1}.out`;
      return `  component dh${c} = Poseidon(${n + 1});\n  dh${c}.inputs[0] <== ${prev};\n  for (var i = 0; i < ${n}; i++) dh${c}.inputs[i + 1] <== stmt[${at} + i];`;
    })
    .join('\n');
  const wrapper = `
template HindsightBatch() {
  signal input wWords[${inner.source.match(/signal input wWords\[(\d+)\]/)![1]}];
  signal input xWords[${M}][${W}];
  signal output modelHash;
  signal output digest;
  component inner = HindsightModel();
  for (var i = 0; i < ${inner.source.match(/signal input wWords\[(\d+)\]/)![1]}; i++) inner.wWords[i] <== wWords[i];
  for (var m = 0; m < ${M}; m++) for (var w = 0; w < ${W}; w++) inner.xWords[m][w] <== xWords[m][w];
  modelHash <== inner.modelHash;
  signal stmt[${words}];
  for (var m = 0; m < ${M}; m++) {
    stmt[m * ${1 + K}] <== inner.inputHash[m];
    for (var k = 0; k < ${K}; k++) stmt[m * ${1 + K} + 1 + k] <== inner.scores[m][k];
  }
${calls}
  digest <== dh${sizes.length - 1}.out;
}

component main = HindsightBatch();
`;
  const source = inner.source.replace(mainLine, wrapper);
  return { source, layout: { ...inner.layout, binding: 'digest' } };
}

/**
 * Compiles and sets up (both cached) the batch circuit of `a`'s architecture: folded
 * (batch-fold.ts) for logistic regressions and MLPs, the per-item digest circuit for nets.
 */
export async function buildBatchCircuit(a: ModelArtifact, options: { items: number; input?: InputRange } & SetupOptions): Promise<ModelCircuit> {
  const { source, layout } = a.arch.kind === 'net' ? generateBatchCircuit(a, options) : generateFoldCircuit(a, options);
  const circuit = await compileCircom(source, 'batch');
  const setup = await setupCircuit(circuit, options);
  return { circuit, setup, layout };
}

function zeroInput(input: InputSpec): bigint[] {
  return new Array<bigint>(input.count).fill(0n);
}

/** Pads `xs` (one integer input per traded item, at most layout.items) with zero inputs. */
export function padInputs(layout: Pick<PublicLayout, 'items' | 'input'>, xs: readonly (readonly (number | bigint)[])[]): (readonly (number | bigint)[])[] {
  if (xs.length < 1 || xs.length > layout.items) throw expectedGot('zk.items', 'items', `1 to ${layout.items} items (the batch circuit's slots)`, xs.length);
  return [...xs, ...Array.from({ length: layout.items - xs.length }, () => zeroInput(layout.input))];
}

const bytes = new Map<string, Uint8Array>();
const cached = (path: string): Uint8Array => {
  let b = bytes.get(path);
  if (!b) bytes.set(path, (b = new Uint8Array(readFileSync(path))));
  return b;
};

/** Proves `a`'s scores on `xs` (≤ layout.items items) with a built batch circuit. */
export async function proveBatch(mc: ModelCircuit, a: ModelArtifact, xs: readonly (readonly (number | bigint)[])[]): Promise<BatchProof> {
  if (mc.layout.binding === 'fold') {
    const padded = padInputs(mc.layout, xs);
    const { input, scores } = await foldWitness(a, mc.layout, padded);
    const { proof, publicSignals } = await fullProve(input, cached(mc.circuit.wasmPath), cached(mc.setup.zkeyPath));
    return { proof, publicSignals, scores: scores.map((row) => row.map(String)) };
  }
  if (mc.layout.binding !== 'digest') throw expectedGot('zk.layoutUnsupported', 'layout.binding', 'digest or fold (a batch circuit)', mc.layout.binding);
  const padded = padInputs(mc.layout, xs);
  const { proof, publicSignals } = await fullProve(circuitInput(a, { ...mc.layout, binding: 'hash' }, padded), cached(mc.circuit.wasmPath), cached(mc.setup.zkeyPath));
  return { proof, publicSignals, scores: padded.map((x) => fixedScores(a, x).map(String)) };
}

function parseScores(layout: Pick<PublicLayout, 'items' | 'scores' | 'scoreBits'>, scores: readonly (readonly string[])[]): bigint[][] | string {
  if (scores.length !== layout.items) return `scores: expected ${layout.items} slots, got ${scores.length}`;
  const out: bigint[][] = [];
  for (const [m, row] of scores.entries()) {
    if (row.length !== layout.scores) return `scores[${m}]: expected ${layout.scores} entries, got ${row.length}`;
    if (row.some((s) => !/^-?\d{1,80}$/.test(s))) return `scores[${m}]: expected signed decimal integers, got ${JSON.stringify(row)}`;
    const values = row.map((s) => BigInt(s));
    // Scores are compared as field elements; a claim off by a multiple of r must not pass.
    const bound = 1n << BigInt(layout.scoreBits);
    if (values.some((v) => v >= bound || v <= -bound)) return `scores[${m}]: expected integers within ±2^${layout.scoreBits} (the key's score range), got ${JSON.stringify(row)}`;
    out.push(values);
  }
  return out;
}

/**
 * Checks a batch proof: its pairing, the model hash, and that its digest is that of `inputs` (the
 * integer features of the traded items, derived by the verifier; padded with zero inputs) and the
 * claimed scores. Never throws for a bad proof.
 */
export async function verifyBatch(
  vkey: VerificationKey,
  layout: PublicLayout,
  batch: BatchProof,
  expect: { modelHash: bigint | string; inputs: readonly (readonly (number | bigint)[])[] },
): Promise<BatchVerifyResult> {
  if (layout.binding !== 'digest' && layout.binding !== 'fold') return { valid: false, reason: 'zk.signalsMalformed', message: `layout.binding: expected digest or fold (a batch key), got ${layout.binding}` };
  const n = layout.binding === 'fold' ? FOLD_SIGNALS : 2;
  if (batch.publicSignals.length !== n || vkey.nPublic !== n || batch.publicSignals.some((s) => !/^\d{1,80}$/.test(s))) {
    return { valid: false, reason: 'zk.signalsMalformed', message: `publicSignals: expected ${n} signals for a ${n}-signal ${layout.binding} key, got ${batch.publicSignals.length} signals (key: ${vkey.nPublic})` };
  }
  const scores = parseScores(layout, batch.scores);
  if (typeof scores === 'string') return { valid: false, reason: 'zk.signalsMalformed', message: scores };
  if (layout.binding === 'fold') return verifyFold(vkey, layout, batch, expect, scores);
  const refused = await pairingRefusal(vkey, batch);
  if (refused) return refused;
  const [modelHash, digest] = batch.publicSignals.map((s) => BigInt(s)) as [bigint, bigint];
  const want = typeof expect.modelHash === 'bigint' ? expect.modelHash : BigInt(expect.modelHash);
  if (modelHash !== want) return { valid: false, reason: 'zk.modelMismatch', message: `proof.publicSignals[0]: expected the model hash ${fieldHex(want)}, got ${fieldHex(modelHash)}` };
  let hashes: bigint[];
  try {
    hashes = await Promise.all(padInputs(layout, expect.inputs).map((x) => inputHash(layout.input, x)));
  } catch (e) {
    return { valid: false, reason: 'zk.digestMismatch', message: `inputs: expected features the circuit can hold, got: ${(e as Error).message}` };
  }
  const expected = await batchDigest(layout, hashes, scores);
  if (expected !== digest) {
    return {
      valid: false,
      reason: 'zk.digestMismatch',
      message: `proof.publicSignals[1]: expected the digest of these items' features and the claimed scores (${fieldHex(expected)}), got ${fieldHex(digest)} (a proof on other text, another featurizer or altered scores)`,
    };
  }
  return { valid: true, modelHash: fieldHex(modelHash), scores };
}

async function verifyFold(
  vkey: VerificationKey,
  layout: PublicLayout,
  batch: BatchProof,
  expect: { modelHash: bigint | string; inputs: readonly (readonly (number | bigint)[])[] },
  scores: bigint[][],
): Promise<BatchVerifyResult> {
  const signals = batch.publicSignals.map((s) => BigInt(s));
  const want = typeof expect.modelHash === 'bigint' ? expect.modelHash : BigInt(expect.modelHash);
  if (signals[0] !== want) return { valid: false, reason: 'zk.modelMismatch', message: `proof.publicSignals[0]: expected the model hash ${fieldHex(want)}, got ${fieldHex(signals[0]!)}` };
  let inputs: (readonly (number | bigint)[])[];
  try {
    inputs = padInputs(layout, expect.inputs);
  } catch (e) {
    return { valid: false, reason: 'zk.digestMismatch', message: `inputs: ${(e as Error).message}` };
  }
  const check = await foldExpected(layout, signals, inputs, scores);
  if (!check.ok) return { valid: false, reason: 'zk.digestMismatch', message: check.message };
  const refused = await pairingRefusal(vkey, batch);
  if (refused) return refused;
  return { valid: true, modelHash: fieldHex(want), scores };
}

/** The Groth16 pairing check of a batch, as a refusal (undefined when the proof verifies). */
async function pairingRefusal(vkey: VerificationKey, batch: BatchProof): Promise<BatchVerifyResult | undefined> {
  try {
    if (await fastGroth16Verify(vkey, batch.publicSignals, batch.proof)) return undefined;
  } catch (e) {
    return { valid: false, reason: 'zk.proofInvalid', message: `proof: expected a well-formed Groth16 proof, got an error: ${(e as Error).message}` };
  }
  return { valid: false, reason: 'zk.proofInvalid', message: 'proof: expected a valid Groth16 proof for these public signals, got a failing pairing check' };
}
