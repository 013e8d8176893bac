import { createHash } from 'node:crypto';
import { encode } from '../core/encoding.js';
import type { TradeBody } from '../events/types/core.js';
import { checkShareDelta, fill, quote } from './exchange.js';
import { validateBelief } from '../market/index.js';
import { checkTradeProof } from './proofs.js';
import { credit, debit, ensureFunds } from './ledger.js';
import { getRound } from './rounds.js';
import type { GameState, MarketState, RevealedTrade, RoundState } from './state.js';
import { ensure, type GameEvent, type Handler } from './rules.js';

/** sha256 over the DAG-CBOR of everything a sealed trade fixes; what `trade.commit` publishes. */
export function tradeCommitment(args: { round: number; item: string; model: string; trade: TradeBody; salt: string }): string {
  return createHash('sha256').update(encode(args)).digest('hex');
}

export function toRevealed(trade: TradeBody): RevealedTrade {
  return trade.kind === 'belief'
    ? { kind: 'belief', belief: trade.belief.map(BigInt), maxCost: BigInt(trade.maxCost) }
    : { kind: 'shares', delta: trade.delta.map(BigInt), maxCost: BigInt(trade.maxCost) };
}

function tradingMarket(state: GameState, ev: GameEvent, round: number, item: string, model: string): { r: RoundState; market: MarketState } {
  const r = getRound(state, round);
  ensure(r.phase === 'trading', 'market.closed', 'round', 'a round in its trading phase', r.phase);
  ensure(ev.event.time < r.tradingDeadline, 'market.closed', 'time', `before the trading deadline ${r.tradingDeadline}`, ev.event.time);
  const market = r.markets.get(item);
  ensure(market !== undefined, 'item.unknown', 'item', `an item of round ${round}`, item);
  const info = state.models.get(model);
  ensure(info !== undefined, 'model.unknown', 'model', 'a committed model hash', model);
  ensure(info.owner === ev.event.author, 'model.notOwner', 'model', `a model owned by the author ${ev.event.author}`, `a model owned by ${info.owner}`);
  ensure(r.openedAt !== null && info.committedAt < r.openedAt, 'model.committedLate', 'model', `a model committed before round ${round} opened`, `committed at event ${info.committedAt}`);
  return { r, market };
}

export const tradeCommitHandler: Handler<'trade.commit'> = (state, ev) => {
  const p = ev.payload;
  ensure(state.community?.config.trading !== 'continuous', 'trade.sealedDisabled', 'type', 'trade.execute (this community trades continuously)', 'trade.commit');
  const { r, market } = tradingMarket(state, ev, p.round, p.item, p.model);
  const maxCost = BigInt(p.maxCost);
  ensure(maxCost > 0n, 'trade.badMaxCost', 'maxCost', 'a positive amount', p.maxCost);
  const key = `${p.model} ${p.item}`;
  ensure(!r.sealedByModelItem.has(key), 'trade.duplicate', 'item', 'one sealed trade per model per item', `a second commit for ${p.item}`);
  ensureFunds(state.ledger, ev.event.author, maxCost, 'maxCost');
  debit(state.ledger, ev.event.author, maxCost);
  state.ledger.locked += maxCost;
  r.sealedByModelItem.set(key, ev.cid);
  r.sealed.set(ev.cid, { cid: ev.cid, trader: ev.event.author, round: p.round, item: p.item, model: p.model, commitment: p.commitment, maxCost, revealed: null });
};

export const tradeRevealHandler: Handler<'trade.reveal'> = (state, ev) => {
  const p = ev.payload;
  const r = getRound(state, p.round);
  ensure(r.phase === 'revealing', 'reveal.wrongPhase', 'round', 'a closed round whose trades are being revealed', r.phase);
  ensure(ev.event.time < r.revealDeadline, 'reveal.late', 'time', `before the reveal deadline ${r.revealDeadline}`, ev.event.time);
  const sealed = r.sealed.get(p.commit);
  ensure(sealed !== undefined, 'reveal.unknownCommit', 'commit', `the CID of a trade.commit in round ${p.round}`, p.commit);
  ensure(sealed.trader === ev.event.author, 'reveal.notOwner', 'commit', `a commit by the author ${ev.event.author}`, `a commit by ${sealed.trader}`);
  ensure(sealed.revealed === null, 'reveal.duplicate', 'commit', 'a commit not revealed yet', 'already revealed');
  const commitment = tradeCommitment({ round: p.round, item: sealed.item, model: sealed.model, trade: p.trade, salt: p.salt });
  ensure(commitment === sealed.commitment, 'reveal.mismatch', 'trade', `a trade and salt hashing to ${sealed.commitment}`, commitment);
  const trade = toRevealed(p.trade);
  ensure(trade.maxCost === sealed.maxCost, 'reveal.mismatch', 'trade.maxCost', `the locked max cost ${sealed.maxCost}`, trade.maxCost);
  const market = r.markets.get(sealed.item)!;
  // Shape checks now, so a malformed belief or an all-zero share trade is refused at reveal; prices are checked at execution.
  checkShape(market, trade);
  checkTradeProof(state, state.models.get(sealed.model)!, r.items.get(sealed.item), trade, p.proof, r.proven?.get(`${sealed.model} ${sealed.item}`));
  sealed.revealed = { trade, orderKey: '' };
};

/**
 * What a revealed trade can be judged on before it executes: its shape, and for a share trade that
 * it moves something. Whether a belief trade buys anything depends on the price when it executes.
 */
function checkShape(market: MarketState, trade: RevealedTrade): void {
  if (trade.kind === 'shares') return checkShareDelta(market, trade.delta);
  ensure(trade.belief.length === market.outcomes, 'belief.wrongLength', 'belief', `${market.outcomes} entries`, trade.belief.length);
  validateBelief(trade.belief, market.outcomes);
}

export const tradeExecuteHandler: Handler<'trade.execute'> = (state, ev) => {
  const p = ev.payload;
  ensure(state.community?.config.trading === 'continuous', 'trade.continuousDisabled', 'type', 'trade.commit then trade.reveal (this community trades sealed)', 'trade.execute');
  const { r, market } = tradingMarket(state, ev, p.round, p.item, p.model);
  const trade = toRevealed(p.trade);
  checkTradeProof(state, state.models.get(p.model)!, r.items.get(p.item), trade, p.proof);
  const f = quote(market, trade, market.positions.get(p.model));
  if (f.cost > 0n) ensureFunds(state.ledger, ev.event.author, f.cost, 'cost');
  if (f.cost >= 0n) debit(state.ledger, ev.event.author, f.cost);
  else credit(state.ledger, ev.event.author, -f.cost);
  state.ledger.escrow += f.cost;
  fill(market, ev.event.author, p.model, trade, f);
};
