import { createHash } from 'node:crypto';
import { encode } from '../core/encoding.js';
import type { ProofAttachment } from '../events/types/zk.js';
import { apportion, logSumExp, FRAC_BITS } from './market/index.js';
import { PROB_SCALE } from './market/index.js';
import type { GameState, ItemState, ModelInfo, RevealedTrade } from './state.js';
import { ensure, registerHandler } from './rules.js';

/**
 * The deterministic half of proof-carrying trades. The pairing check (snarkjs) is a stateless
 * check the node runs before an event enters the log, like a signature (src/node/proof-check.ts);
 * here apply checks what the proof's public signals bind: the model hash, the item's features and
 * the traded belief, which must be exactly `beliefFromScores` of the proven scores.
 */
export type ProofLayout = {
  kind: 'logreg' | 'mlp';
  items: number;
  scores: number;
  classes: number;
  binding: 'public' | 'hash' | 'packed';
  input: { count: number; bits: number; signed: boolean };
  inputWords: number;
  scaleBits: number;
  [key: string]: unknown;
};

/** BN254 scalar field order: public signals are field elements; negatives wrap around it. */
const FIELD_R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
const signedField = (v: bigint): bigint => (v > FIELD_R / 2n ? v - FIELD_R : v);

export function zkKeyId(payload: { vkey: Record<string, unknown>; layout: Record<string, unknown> }): string {
  return createHash('sha256').update(encode(payload)).digest('hex');
}

/**
 * The belief a proven model trades: softmax of its fixed-point scores (scale 2^(2·scaleBits)) at
 * PROB_SCALE, summing to exactly 10^12. A binary logistic regression has one score, the logit of
 * class 1. All bigint, so the node and every operator compute the same vector.
 */
export function beliefFromScores(scores: readonly bigint[], scaleBits: number): bigint[] {
  const logits = scores.length === 1 ? [0n, scores[0]!] : [...scores];
  const shift = BigInt(FRAC_BITS) - 2n * BigInt(scaleBits);
  const fixed = logits.map((s) => (shift >= 0n ? s << shift : s >> -shift));
  return apportion(logSumExp(fixed).weights, PROB_SCALE);
}

/** Signals of a one-item proof: [modelHash, predicted, scores…, (inputHash | inputs…)]. */
function readSignals(layout: ProofLayout, signals: readonly string[]): { modelHash: bigint; scores: bigint[]; inputs: bigint[] | null } {
  const K = layout.scores;
  const inputs = layout.binding === 'public' ? layout.input.count : layout.binding === 'packed' ? layout.inputWords : 1;
  ensure(layout.items === 1, 'zk.layoutUnsupported', 'layout.items', 'a one-item proof for a trade', layout.items);
  ensure(signals.length === 2 + K + inputs, 'zk.signals_malformed', 'proof.publicSignals', `${2 + K + inputs} signals for this verification key`, signals.length);
  const v = signals.map((s) => BigInt(s));
  return { modelHash: v[0]!, scores: v.slice(2, 2 + K).map(signedField), inputs: layout.binding === 'public' ? v.slice(2 + K) : null };
}

export function checkTradeProof(state: GameState, model: ModelInfo, item: ItemState | undefined, trade: RevealedTrade, attachment: ProofAttachment | undefined): void {
  if (!attachment) {
    ensure(!state.community?.config.requireProofs, 'zk.proofRequired', 'proof', 'a ZK proof (this community requires proofs)', 'none');
    return;
  }
  ensure(model.vkey !== null, 'zk.noVkey', 'model', 'a model committed with a verification key', model.hash);
  const key = state.vkeys.get(model.vkey);
  ensure(key !== undefined, 'zk.noVkey', 'model', 'a model whose verification key was published', model.vkey);
  ensure(trade.kind === 'belief', 'zk.beliefRequired', 'trade.kind', 'a belief trade (a proof proves a belief)', trade.kind);
  const { modelHash, scores, inputs } = readSignals(key.layout, attachment.publicSignals);
  ensure(/^0x[0-9a-f]{1,64}$/.test(model.hash) && BigInt(model.hash) === modelHash, 'zk.model_mismatch', 'proof.publicSignals[0]', `the model hash ${model.hash}`, `0x${modelHash.toString(16).padStart(64, '0')}`);
  ensure(item !== undefined, 'item.notPublished', 'item', 'an item whose input is public', 'an item still sealed');
  if (inputs) {
    const features = 'features' in item.input ? item.input.features : null;
    const same = features !== null && features.length === inputs.length && features.every((x, i) => ((BigInt(x) % FIELD_R) + FIELD_R) % FIELD_R === inputs[i]);
    ensure(same, 'zk.input_mismatch', 'proof.publicSignals', `the features of item ${item.id}`, 'a proof about another input');
  }
  const expected = beliefFromScores(scores, key.layout.scaleBits);
  const same = expected.length === trade.belief.length && expected.every((p, i) => p === trade.belief[i]);
  ensure(same, 'zk.belief_mismatch', 'trade.belief', `the belief the proven scores give (${expected.join(',')})`, trade.belief.join(','));
}

registerHandler('zk.vkey', (state, ev) => {
  const p = ev.payload as { vkey: Record<string, unknown>; layout: ProofLayout };
  const id = zkKeyId(p);
  ensure(!state.vkeys.has(id), 'zk.vkeyExists', 'vkey', 'a verification key not published before', id);
  for (const field of ['kind', 'items', 'scores', 'binding', 'input', 'scaleBits'] as const) {
    ensure(p.layout[field] !== undefined, 'zk.layoutInvalid', `layout.${field}`, 'a PublicLayout field', undefined);
  }
  state.vkeys.set(id, { vkey: p.vkey, layout: p.layout });
});
