/**
 * A verifiable served answer: the blend (or the leader) a node serves for one input, with what
 * makes it checkable offline — each component model's proof of its scores on that input, its
 * model hash, and the blend weights as of the last settled round, derived from public P&L:
 *   w_i = exp(temper · pnl_i / b) / Σ_j exp(temper · pnl_j / b)   (statement/blend.ts)
 *   p   = Σ_i w_i · p_i,  p_i = beliefFromScores(proven scores_i) / PROB_SCALE
 * `verifyServedAnswer` re-verifies every proof, recomputes the weights and the blend, and, given
 * facts from the log (a replayed community or a node), checks that every model hash is committed
 * with the verification key used, and that the P&L and liquidity are the log's.
 */
import { z } from 'zod';
import type { ErrorCode } from '../core/error-codes.js';
import { PROB_SCALE } from '../market/index.js';
import { beliefFromScores } from '../statement/belief.js';
import { blendWeights } from '../statement/blend.js';
import { Groth16Proof, VerificationKey } from '../statement/groth16.js';
import { zkKeyId } from '../statement/key-id.js';
import { PublicLayout } from '../statement/layout.js';

const Int = z.string().regex(/^-?\d{1,80}$/);

export const ServedComponent = z.strictObject({
  modelHash: z.string(),
  name: z.string(),
  x: z.array(Int).describe('the quantized integer input this model was proven on'),
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
    format: z.literal('hindsight-served/1'),
    rule: z.enum(['blend', 'leader']),
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

export async function verifyServedAnswer(value: unknown, facts?: ServedFacts): Promise<ServedCheck> {
  const fail = (reason: ErrorCode, message: string, proofs = 0): ServedCheck => ({ valid: false, reason, message, proofs, checkedAgainstLog: facts !== undefined });
  const parsed = ServedAnswer.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return fail('served.invalidAnswer', `answer.${issue.path.join('.')}: ${issue.message}`);
  }
  const a = parsed.data;
  const { verifyInference } = await import('./inference.js');
  // 1. every component's proof, bound to its model hash and its input, and its claimed scores
  const proven: { modelHash: string; probabilities: number[] }[] = [];
  for (const [i, c] of a.components.entries()) {
    const r = await verifyInference(c.vkey, c.layout, c.proof, c.publicSignals, { modelHash: c.modelHash, inputs: [c.x.map((v) => BigInt(v))] });
    if (!r.valid || !r.items?.[0]) return fail(r.reason ?? 'zk.proofInvalid', `components[${i}]: ${r.message ?? 'expected a valid proof'}`, i);
    if (r.items[0].scores.join() !== c.scores.join()) return fail('zk.claimMismatch', `components[${i}].scores: expected the proven ${r.items[0].scores.join(',')}, got ${c.scores.join(',')}`, i + 1);
    const probabilities = componentProbabilities(r.items[0].scores.map(BigInt), c.layout.scaleBits);
    proven.push({ modelHash: c.modelHash, probabilities });
    if (facts) {
      const key = await facts.committedKey(c.modelHash);
      if (key === undefined) return fail('served.logMismatch', `components[${i}].modelHash: expected a model committed in the log, got ${c.modelHash}`, i + 1);
      const id = zkKeyId({ vkey: c.vkey, layout: c.layout });
      if (key !== id) return fail('served.logMismatch', `components[${i}].vkey: expected the key committed with the model (${key}), got ${id}`, i + 1);
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
