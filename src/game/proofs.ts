import { HindsightError } from '../core/errors.js';
import type { ProofAttachment } from '../events/types/zk.js';
import { beliefFromScores, decodePublicSignals, fieldHex, isModelHashText, publicInputSignals, zkKeyId, type DecodedSignals, type PublicLayout } from '../statement/index.js';
import type { GameState, ItemState, ModelInfo, RevealedTrade } from './state.js';
import { getRound } from './rounds.js';
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

/**
 * `proven`: the scores the model's round batch proof (zk.batch) proved for this item, if any; a trade
 * without its own proof is then covered by it and must trade exactly the belief those scores give.
 */
export function checkTradeProof(state: GameState, model: ModelInfo, item: ItemState | undefined, trade: RevealedTrade, attachment: ProofAttachment | undefined, batchScores?: readonly bigint[]): void {
  if (!attachment && batchScores) {
    const key = model.vkey ? state.vkeys.get(model.vkey) : undefined;
    ensure(key !== undefined, 'zk.noVkey', 'model', 'a model whose verification key was published', model.hash);
    ensure(trade.kind === 'belief', 'zk.beliefRequired', 'trade.kind', 'a belief trade (a proof proves a belief)', trade.kind);
    return checkBelief(beliefFromScores(batchScores, key.layout.scaleBits), trade.belief);
  }
  if (!attachment) {
    ensure(!state.community?.config.requireProofs, 'zk.proofRequired', 'proof', 'a ZK proof (this community requires proofs): a round batch proof (zk.batch) before the reveal, or one attached to the trade', 'none');
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
  checkBelief(beliefFromScores(proven.scores, key.layout.scaleBits), trade.belief);
}

function checkBelief(expected: readonly bigint[], belief: readonly bigint[]): void {
  const same = expected.length === belief.length && expected.every((p, i) => p === belief[i]);
  ensure(same, 'zk.beliefMismatch', 'trade.belief', `the belief the proven scores give (${expected.join(',')})`, belief.join(','));
}

/**
 * A round batch proof: its pairing and its digest (which binds every item's text, featurized with
 * the committed featurizer, and the claimed scores) were checked at intake (the engine's
 * proof-check); here the statement's frame: a revealing round, the author's own model with a batch
 * key, items it sealed trades on and not proven before, and scores shaped as the key says. The
 * claimed scores of the listed items (slot order) are then what its reveals must trade.
 */
export const zkBatchHandler: Handler<'zk.batch'> = (state, ev) => {
  const p = ev.payload;
  const r = getRound(state, p.round);
  ensure(r.phase === 'revealing', 'reveal.wrongPhase', 'round', 'a closed round whose trades are being revealed', r.phase);
  ensure(ev.event.time < r.revealDeadline, 'reveal.late', 'time', `before the reveal deadline ${r.revealDeadline}`, ev.event.time);
  const model = state.models.get(p.model);
  ensure(model !== undefined, 'model.unknown', 'model', 'a committed model hash', p.model);
  ensure(model.owner === ev.event.author, 'model.notOwner', 'model', `a model owned by the author ${ev.event.author}`, `a model owned by ${model.owner}`);
  const key = model.vkey ? state.vkeys.get(model.vkey) : undefined;
  ensure(key !== undefined, 'zk.noVkey', 'model', 'a model committed with a published verification key', model.hash);
  ensure(key.layout.binding === 'digest' || key.layout.binding === 'fold', 'zk.layoutUnsupported', 'model.vkey', 'a batch key (digest or fold binding) for a round batch proof', `a ${key.layout.binding} key`);
  ensure(p.items.length <= key.layout.items, 'zk.items', 'items', `at most ${key.layout.items} items (the batch circuit's slots)`, p.items.length);
  ensure(new Set(p.items).size === p.items.length, 'zk.items', 'items', 'distinct item ids', 'a repeated id');
  ensure(p.batch.scores.length === key.layout.items && p.batch.scores.every((row) => row.length === key.layout.scores), 'zk.signalsMalformed', 'batch.scores', `${key.layout.items} slots of ${key.layout.scores} scores`, `${p.batch.scores.length} slots`);
  for (const item of p.items) {
    ensure(r.sealedByModelItem.has(`${p.model} ${item}`), 'reveal.unknownCommit', 'items', `items model ${p.model} committed sealed trades on in round ${p.round}`, item);
    ensure(!r.proven?.has(`${p.model} ${item}`), 'zk.batchExists', 'items', 'items not covered by an earlier batch proof', item);
  }
  r.proven ??= new Map();
  for (const [m, item] of p.items.entries()) r.proven.set(`${p.model} ${item}`, p.batch.scores[m]!.map((v) => BigInt(v)));
};

export const zkVkeyHandler: Handler<'zk.vkey'> = (state, ev) => {
  const id = zkKeyId(ev.payload);
  ensure(!state.vkeys.has(id), 'zk.vkeyExists', 'vkey', 'a verification key not published before', id);
  state.vkeys.set(id, { vkey: ev.payload.vkey, layout: ev.payload.layout });
};
