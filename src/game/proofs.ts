import { HindsightError } from '../core/errors.js';
import type { ProofAttachment } from '../events/types/zk.js';
import { beliefFromScores, decodePublicSignals, fieldHex, isModelHashText, publicInputSignals, zkKeyId, type DecodedSignals, type PublicLayout } from '../statement/index.js';
import type { GameState, ItemState, ModelInfo, RevealedTrade } from './state.js';
import { ensure, reject, type Handler } from './rules.js';

/**
 * The deterministic half of proof-carrying trades. The pairing check (snarkjs) is a stateless
 * check the node runs before an event enters the log, like a signature (the engine's proof-check);
 * here apply checks what the proof's public signals bind: the model hash, the item's features
 * (public and packed bindings; a hash binding's Poseidon input hash is checked at intake) and the
 * traded belief, which must be exactly `beliefFromScores` of the proven scores.
 */
function readSignals(layout: PublicLayout, signals: readonly string[]): DecodedSignals {
  ensure(layout.items === 1, 'zk.layoutUnsupported', 'layout.items', 'a one-item proof for a trade', layout.items);
  try {
    return decodePublicSignals(layout, signals);
  } catch (e) {
    if (e instanceof HindsightError) reject(e.code, e.message, e.details, { cause: e });
    throw e;
  }
}

function inputMatches(layout: PublicLayout, item: ItemState, bound: readonly bigint[]): boolean {
  if (!('features' in item.input)) return false;
  let want: bigint[] | null;
  try {
    want = publicInputSignals(layout, item.input.features);
  } catch {
    return false; // features outside the circuit's input range: no proof can be about them
  }
  return want !== null && want.length === bound.length && want.every((w, i) => w === bound[i]);
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
  const { modelHash, items } = readSignals(key.layout, attachment.publicSignals);
  const proven = items[0]!;
  ensure(isModelHashText(model.hash) && BigInt(model.hash) === modelHash, 'zk.modelMismatch', 'proof.publicSignals[0]', `the model hash ${model.hash}`, fieldHex(modelHash));
  ensure(item !== undefined, 'item.notPublished', 'item', 'an item whose input is public', 'an item still sealed');
  if ('inputs' in proven) {
    ensure(inputMatches(key.layout, item, proven.inputs), 'zk.inputMismatch', 'proof.publicSignals', `the features of item ${item.id}`, 'a proof about another input');
  }
  const expected = beliefFromScores(proven.scores, key.layout.scaleBits);
  const same = expected.length === trade.belief.length && expected.every((p, i) => p === trade.belief[i]);
  ensure(same, 'zk.beliefMismatch', 'trade.belief', `the belief the proven scores give (${expected.join(',')})`, trade.belief.join(','));
}

export const zkVkeyHandler: Handler<'zk.vkey'> = (state, ev) => {
  const id = zkKeyId(ev.payload);
  ensure(!state.vkeys.has(id), 'zk.vkeyExists', 'vkey', 'a verification key not published before', id);
  state.vkeys.set(id, { vkey: ev.payload.vkey, layout: ev.payload.layout });
};
