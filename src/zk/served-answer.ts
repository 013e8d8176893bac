/**
 * A verifiable served answer: the blend (or the leader) a node serves for one input, with what
 * makes it checkable offline — each component model's proof of its scores on that input, its
 * model hash, and the blend weights as of the last settled round, derived from public P&L:
 *   w_i = exp(temper · pnl_i / b) / Σ_j exp(temper · pnl_j / b)   (statement/blend.ts)
 *   p   = Σ_i w_i · p_i,  p_i = beliefFromScores(proven scores_i) / PROB_SCALE
 * The answer carries the input it is about (text, or float features); every component's integer
 * input x is recomputed from it with the component's featurizer (item-input.ts, the code intake
 * binds item text with), so a proof about other text, or under another featurizer than the one
 * stated, is refused. `verifyServedAnswer` re-verifies every proof on that recomputed x,
 * recomputes the weights and the blend, and, given facts from the log (a replayed community or a
 * node), checks that every model hash is committed with the verification key and the featurizer
 * used, and that the P&L and liquidity are the log's.
 */
import { z } from 'zod';
import type { ErrorCode } from '../core/error-codes.js';
import { HindsightError } from '../core/errors.js';
import { FeaturizerSpecSchema } from '../events/types/zk.js';
import type { FeaturizerSpec } from '../ml/artifact-types.js';
import { PROB_SCALE } from '../market/index.js';
import { beliefFromScores } from '../statement/belief.js';
import { blendWeights } from '../statement/blend.js';
import { Groth16Proof, VerificationKey } from '../statement/groth16.js';
import { zkKeyId } from '../statement/key-id.js';
import { PublicLayout } from '../statement/layout.js';
import { featurizedInput } from './item-input.js';

/** Version 2 carries the input and each component's featurizer (version 1 did not bind x to the text). */
export const SERVED_FORMAT = 'hindsight-served/2';

const Int = z.string().regex(/^-?\d{1,80}$/);

/** What the client asked about: the same shapes `POST /v1/predict` takes (float features, not integers). */
export const ServedInput = z.union([
  z.strictObject({ text: z.string().max(65_536) }),
  z.strictObject({ features: z.array(z.number().finite()).max(65_536) }),
]);
export type ServedInput = z.infer<typeof ServedInput>;

export const ServedComponent = z.strictObject({
  modelHash: z.string(),
  name: z.string(),
  featurizer: FeaturizerSpecSchema.describe("the featurizer x was computed with: the one committed with the model in the log"),
  x: z.array(Int).describe("the quantized integer input this model was proven on: the featurizer's vector of the answer's input"),
  scores: z.array(Int),
  probabilities: z.array(z.number()),
  proof: Groth16Proof,
  publicSignals: z.array(z.string()),
  layout: PublicLayout,
  vkey: VerificationKey,
});
export type ServedComponent = z.infer<typeof ServedComponent>;

export const ServedAnswer = z
  .strictObject({
    format: z.literal(SERVED_FORMAT),
    rule: z.enum(['blend', 'leader']),
    input: ServedInput.describe('the item the answer is about; every component x is its featurization'),
    labels: z.array(z.string()),
    prediction: z.string(),
    predictedClass: z.number().int().min(0),
    probabilities: z.array(z.number()),
    asOfRound: z.number().int().min(0).describe('the last settled round whose P&L the weights use (0: none settled, equal weights)'),
    b: z.string().regex(/^\d{1,40}$/).describe("liquidity b of that round's markets, in micro-units"),
    temper: z.number().positive().max(1),
    lines: z.array(z.strictObject({ modelHash: z.string(), pnl: z.string().regex(/^-?\d{1,40}$/), weight: z.number().min(0).max(1) })).min(1),
    components: z.array(ServedComponent).min(1),
    insecureSetup: z.boolean(),
  })
  .describe('a served prediction with its proofs and blend weights');
export type ServedAnswer = z.infer<typeof ServedAnswer>;

/** What the log says, for the checks only a log can answer. */
export type ServedFacts = {
  /** The verification key id the model was committed with; undefined if the model is not committed. */
  committedKey(modelHash: string): Promise<string | null | undefined>;
  /** The featurizer committed with the model (null: none was); undefined if the model is not committed. */
  committedFeaturizer(modelHash: string): Promise<FeaturizerSpec | null | undefined>;
  /** Cumulative P&L (micro-units) of a model over rounds ≤ round. */
  pnlAsOf(modelHash: string, round: number): Promise<bigint>;
  /** Liquidity b (micro-units) of the round's first market by item id; null if none. */
  liquidity(round: number): Promise<bigint | null>;
};

export type ServedCheck = { valid: boolean; reason?: ErrorCode; message?: string; proofs: number; checkedAgainstLog: boolean };

const MICRO = 1e6;
const TOLERANCE = 1e-9;

/** Weights of the lines from their P&L (statement/blend.ts), as the node computes them. */
export function servedWeights(lines: readonly { modelHash: string; pnl: bigint }[], b: bigint, temper: number): Map<string, number> {
  return blendWeights(lines.map((l) => ({ name: l.modelHash, pnl: Number(l.pnl) / MICRO })), Math.max(Number(b), 1) / MICRO, temper);
}

export function componentProbabilities(scores: readonly bigint[], scaleBits: number): number[] {
  return beliefFromScores(scores, scaleBits).map((p) => Number(p) / Number(PROB_SCALE));
}

/** The blend of the components' proven probabilities under the weights (renormalized over the components). */
export function blendOf(components: readonly { modelHash: string; probabilities: readonly number[] }[], weights: ReadonlyMap<string, number>): number[] {
  const K = components[0]!.probabilities.length;
  const out = new Array<number>(K).fill(0);
  let total = 0;
  for (const c of components) {
    const w = weights.get(c.modelHash) ?? 0;
    total += w;
    for (let k = 0; k < K; k++) out[k]! += w * c.probabilities[k]!;
  }
  return out.map((v) => (total > 0 ? v / total : 0));
}

const argmax = (p: readonly number[]) => p.reduce((best, v, k) => (v > p[best]! ? k : best), 0);

/** One line per featurizer, field by field (two specs are the same featurizer iff their lines are equal). */
export function featurizerText(f: FeaturizerSpec): string {
  return f.kind === 'dense' ? `dense ${f.size}` : `hashed-ngrams ${f.buckets} buckets, ngrams ${f.ngrams.join(',')}, lowercase ${f.lowercase}, ${f.transform}`;
}

const inputKey = (i: ServedInput) => JSON.stringify('text' in i ? { text: i.text } : { features: i.features });
const inputText = (i: ServedInput) => ('text' in i ? `text ${JSON.stringify(i.text.length > 40 ? `${i.text.slice(0, 40)}…` : i.text)}` : `${i.features.length} features`);

/**
 * The integer input component `c` must be proven on: the answer's input through the component's
 * featurizer, by the same function intake binds item text with. A HindsightError (text for a dense
 * featurizer, a featurizer wider than the circuit) comes back as its code and message.
 */
function expectedInput(c: ServedComponent, input: ServedInput): bigint[] | { code: ErrorCode; message: string } {
  try {
    return featurizedInput(c.featurizer, c.layout, input);
  } catch (e) {
    if (!(e instanceof HindsightError)) throw e;
    return { code: e.code === 'zk.featurizerMismatch' ? e.code : 'served.inputMismatch', message: e.message };
  }
}

export type ServedVerifyOptions = {
  /** The item the client asked about; the answer must be about exactly it (default: trust the answer's `input`). */
  input?: ServedInput;
};

export async function verifyServedAnswer(value: unknown, facts?: ServedFacts, options: ServedVerifyOptions = {}): Promise<ServedCheck> {
  const fail = (reason: ErrorCode, message: string, proofs = 0): ServedCheck => ({ valid: false, reason, message, proofs, checkedAgainstLog: facts !== undefined });
  const format = (value as { format?: unknown } | null)?.format;
  if (format === 'hindsight-served/1') return fail('served.invalidAnswer', `answer.format: expected ${SERVED_FORMAT} (it carries the input every proof is bound to), got hindsight-served/1; ask the node again`);
  const parsed = ServedAnswer.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return fail('served.invalidAnswer', `answer.${issue.path.join('.')}: ${issue.message}`);
  }
  const a = parsed.data;
  if (options.input && inputKey(options.input) !== inputKey(a.input)) {
    return fail('served.inputMismatch', `input: expected the item you asked about (${inputText(options.input)}), got an answer about ${inputText(a.input)}`);
  }
  const { verifyInference } = await import('./inference.js');
  // 1. every component's input recomputed from the answer's input, its proof on that input and
  //    its model hash, its claimed scores; against the log, its key and featurizer
  const proven: { modelHash: string; probabilities: number[] }[] = [];
  for (const [i, c] of a.components.entries()) {
    const x = expectedInput(c, a.input);
    if (!Array.isArray(x)) return fail(x.code, `components[${i}]: ${x.message}`, i);
    const j = x.findIndex((v, k) => v.toString() !== c.x[k]);
    if (j >= 0 || c.x.length !== x.length) {
      const at = j >= 0 ? j : Math.min(x.length, c.x.length);
      return fail('served.inputMismatch', `components[${i}].x[${at}]: expected ${x[at] ?? 'nothing'} (the answer's ${inputText(a.input)} through ${featurizerText(c.featurizer)}), got ${c.x[at] ?? 'nothing'}`, i);
    }
    let r: Awaited<ReturnType<typeof verifyInference>>;
    try {
      r = await verifyInference(c.vkey, c.layout, c.proof, c.publicSignals, { modelHash: c.modelHash, inputs: [x] });
    } catch (e) {
      if (!(e instanceof HindsightError)) throw e;
      return fail(e.code, `components[${i}]: ${e.message}`, i); // e.g. an input outside the key's range
    }
    if (!r.valid || !r.items?.[0]) return fail(r.reason ?? 'zk.proofInvalid', `components[${i}]: ${r.message ?? 'expected a valid proof'}`, i);
    if (r.items[0].scores.join() !== c.scores.join()) return fail('zk.claimMismatch', `components[${i}].scores: expected the proven ${r.items[0].scores.join(',')}, got ${c.scores.join(',')}`, i + 1);
    const probabilities = componentProbabilities(r.items[0].scores.map(BigInt), c.layout.scaleBits);
    proven.push({ modelHash: c.modelHash, probabilities });
    if (facts) {
      const key = await facts.committedKey(c.modelHash);
      if (key === undefined) return fail('served.logMismatch', `components[${i}].modelHash: expected a model committed in the log, got ${c.modelHash}`, i + 1);
      const id = zkKeyId({ vkey: c.vkey, layout: c.layout });
      if (key !== id) return fail('served.logMismatch', `components[${i}].vkey: expected the key committed with the model (${key}), got ${id}`, i + 1);
      // The model hash does not cover the featurizer; the log's model.commit does.
      const f = await facts.committedFeaturizer(c.modelHash);
      if (!f || featurizerText(f) !== featurizerText(c.featurizer)) {
        return fail('served.featurizerMismatch', `components[${i}].featurizer: expected the featurizer committed with the model (${f ? featurizerText(f) : 'none'}), got ${featurizerText(c.featurizer)}`, i + 1);
      }
    }
  }
  // 2. the weights from public P&L, then the blend from the proven components
  const lines = a.lines.map((l) => ({ modelHash: l.modelHash, pnl: BigInt(l.pnl) }));
  if (facts) {
    const b = a.asOfRound > 0 ? await facts.liquidity(a.asOfRound) : null;
    if (a.asOfRound > 0 && (b === null || b.toString() !== a.b)) return fail('served.logMismatch', `b: expected the log's ${b} for round ${a.asOfRound}, got ${a.b}`, proven.length);
    for (const l of lines) {
      const pnl = await facts.pnlAsOf(l.modelHash, a.asOfRound);
      if (pnl !== l.pnl) return fail('served.logMismatch', `lines[${l.modelHash}].pnl: expected the log's ${pnl} as of round ${a.asOfRound}, got ${l.pnl}`, proven.length);
    }
  }
  const weights = servedWeights(lines, BigInt(a.b), a.temper);
  for (const l of a.lines) {
    const w = weights.get(l.modelHash)!;
    if (Math.abs(w - l.weight) > TOLERANCE) return fail('served.weightMismatch', `lines[${l.modelHash}].weight: expected ${w} from its P&L, got ${l.weight}`, proven.length);
  }
  const inLines = new Set(a.lines.map((l) => l.modelHash));
  const outside = proven.find((c) => !inLines.has(c.modelHash));
  if (outside) return fail('served.invalidAnswer', `components: expected models listed in lines, got ${outside.modelHash}`, proven.length);
  if (a.rule === 'leader') {
    const best = [...a.lines].sort((x, y) => (BigInt(x.pnl) === BigInt(y.pnl) ? (x.modelHash < y.modelHash ? -1 : 1) : BigInt(y.pnl) > BigInt(x.pnl) ? 1 : -1))[0]!;
    if (a.components.length !== 1 || a.components[0]!.modelHash !== best.modelHash) return fail('served.weightMismatch', `components: expected only the leader ${best.modelHash} (highest P&L), got ${a.components.map((c) => c.modelHash).join(',')}`, proven.length);
  }
  const p = a.rule === 'leader' ? proven[0]!.probabilities : blendOf(proven, weights);
  if (p.length !== a.probabilities.length || p.some((v, k) => Math.abs(v - a.probabilities[k]!) > TOLERANCE)) {
    return fail('served.blendMismatch', `probabilities: expected ${p.map((v) => v.toFixed(12)).join('/')} from the proven components, got ${a.probabilities.join('/')}`, proven.length);
  }
  const k = argmax(p);
  if (a.predictedClass !== k || a.prediction !== a.labels[k]) return fail('served.blendMismatch', `predictedClass: expected ${k} (${a.labels[k]}), got ${a.predictedClass} (${a.prediction})`, proven.length);
  return { valid: true, proofs: proven.length, checkedAgainstLog: facts !== undefined };
}
