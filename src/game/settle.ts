import { createHash } from 'node:crypto';
import { GameRejection, InternalError } from '../core/errors.js';
import { fill, quote } from './exchange.js';
import { credit } from './ledger.js';
import { scorePosition } from './leaderboard.js';
import { getRound } from './rounds.js';
import type { GameState, MarketState, RoundState, SealedTrade } from './state.js';
import { ensure, type Handler } from './rules.js';

/** Execution order of sealed trades: sha256(seed ‖ commit CID), unknown to anyone until the seed is revealed. */
export function orderKey(seed: string, commitCid: string): string {
  return createHash('sha256').update(Buffer.from(seed, 'hex')).update(commitCid).digest('hex');
}

export function sha256Hex(hex: string): string {
  return createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');
}

/**
 * Executes a round's revealed sealed trades in seed order. A trade whose execution fails (a share
 * trade now above its max cost, or a belief trade that would buy nothing at the price it meets:
 * `trade.noOp`) is skipped — no fill, no position, not counted in the market's trades or volume —
 * and its whole lock refunded; an unrevealed commit forfeits its locked max cost to the treasury.
 */
export function executeSealed(state: GameState, r: RoundState, seed: string): void {
  const revealed: SealedTrade[] = [];
  for (const s of r.sealed.values()) {
    if (s.revealed) {
      s.revealed.orderKey = orderKey(seed, s.cid);
      revealed.push(s);
    } else {
      state.ledger.locked -= s.maxCost;
      state.ledger.treasury += s.maxCost;
    }
  }
  revealed.sort((a, b) => (a.revealed!.orderKey < b.revealed!.orderKey ? -1 : 1));
  for (const s of revealed) {
    const market = r.markets.get(s.item)!;
    const trade = s.revealed!.trade;
    let cost = 0n;
    try {
      const f = quote(market, trade, market.positions.get(s.model));
      fill(market, s.trader, s.model, trade, f);
      cost = f.cost;
    } catch (error) {
      if (!(error instanceof GameRejection)) throw error;
    }
    state.ledger.locked -= s.maxCost;
    state.ledger.escrow += cost;
    credit(state.ledger, s.trader, s.maxCost - cost);
  }
}

export const roundResolveHandler: Handler<'round.resolve'> = (state, ev) => {
  const p = ev.payload;
  const r = getRound(state, p.round);
  ensure(state.community!.config.committee === undefined, 'resolve.committeeCommunity', 'type', 'label.resolve (labels in this community come from its committee)', 'round.resolve');
  ensure(ev.event.author === state.community!.config.resolver, 'auth.notResolver', 'author', `the community resolver ${state.community!.config.resolver}`, ev.event.author);
  ensure(r.phase === 'revealing', 'round.wrongPhase', 'round', 'a closed round (trading over)', r.phase);
  ensure(r.rules === undefined || r.rules.resolution.fn === 'labels', 'resolve.computed', 'type', 'round.compute (this round\'s outcomes are computed from access reports)', 'round.resolve');
  const allRevealed = [...r.sealed.values()].every((s) => s.revealed !== null);
  ensure(allRevealed || ev.event.time >= r.revealDeadline, 'round.early', 'time', `at or after the reveal deadline ${r.revealDeadline} (some trades are unrevealed)`, ev.event.time);
  ensure(sha256Hex(p.seed) === r.seedCommitment, 'resolve.badSeed', 'seed', `a seed hashing to the committed ${r.seedCommitment}`, sha256Hex(p.seed));
  const labels = new Map<string, number | null>();
  for (const l of p.labels) {
    const market = r.markets.get(l.item);
    ensure(market !== undefined, 'item.unknown', 'labels.item', `an item of round ${p.round}`, l.item);
    ensure(!labels.has(l.item), 'resolve.duplicateLabel', 'labels.item', 'one label per item', l.item);
    ensure(l.outcome === null || l.outcome < market.outcomes, 'resolve.badOutcome', 'labels.outcome', `an outcome index below ${market.outcomes}`, l.outcome);
    labels.set(l.item, l.outcome);
  }
  resolveRound(state, r, p.seed, labels);
};

/** Shared by the resolver path and the committee path: execute, then record outcomes. Unlabelled items are voided. */
export function resolveRound(state: GameState, r: RoundState, seed: string, labels: Map<string, number | null>): void {
  executeSealed(state, r, seed);
  r.seed = seed;
  for (const market of r.markets.values()) {
    const outcome = labels.get(market.item) ?? null;
    market.outcome = outcome;
    market.voided = outcome === null;
  }
  r.phase = 'resolved';
}

export const roundSettleHandler: Handler<'round.settle'> = (state, ev) => {
  const r = getRound(state, ev.payload.round);
  ensure(r.phase === 'resolved', 'round.wrongPhase', 'round', 'a resolved round not yet settled', r.phase);
  for (const market of r.markets.values()) settleMarket(state, r.round, market);
  r.phase = 'settled';
};

/** Pays winning shares 1 unit each (or refunds a voided item), returns the rest to the treasury, scores models. */
export function settleMarket(state: GameState, round: number, market: MarketState): void {
  if (market.settled) return;
  const payouts = market.voided ? voidRefunds(market) : winnings(market);
  let paid = 0n;
  for (const [model, amount] of payouts) {
    const position = market.positions.get(model)!;
    credit(state.ledger, position.trader, amount);
    paid += amount;
    scorePosition(state, round, market, position, amount);
  }
  const leftover = market.escrow - paid;
  if (leftover < 0n) {
    throw new InternalError('internal.invariant', `settle: expected payouts within the escrow ${market.escrow}, got ${paid} for market ${market.item}`, { round, item: market.item });
  }
  state.ledger.escrow -= market.escrow;
  state.ledger.treasury += leftover;
  market.escrow = 0n;
  market.settled = true;
}

function winnings(market: MarketState): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const [model, position] of market.positions) out.set(model, position.shares[market.outcome!]!);
  return out;
}

/**
 * A voided item refunds each trader's net cost. A trader who sold at a profit has a negative net
 * cost and gets nothing back; if refunds exceed what the market holds (possible only after such
 * sales), they are scaled down pro rata, rounding down.
 */
function voidRefunds(market: MarketState): Map<string, bigint> {
  const out = new Map<string, bigint>();
  let owed = 0n;
  for (const p of market.positions.values()) if (p.netCost > 0n) owed += p.netCost;
  for (const [model, p] of market.positions) {
    const due = p.netCost > 0n ? p.netCost : 0n;
    out.set(model, owed <= market.escrow ? due : (due * market.escrow) / owed);
  }
  return out;
}

/** Voids a whole round at any phase before settlement: every lock and cost goes back, subsidies to the treasury. */
export function refundRound(state: GameState, r: RoundState): void {
  // Once resolved, sealed trades were executed or forfeited; before that every lock goes back.
  if (r.phase !== 'resolved') {
    for (const s of r.sealed.values()) {
      state.ledger.locked -= s.maxCost;
      credit(state.ledger, s.trader, s.maxCost);
    }
  }
  for (const market of r.markets.values()) {
    market.voided = true;
    market.outcome = null;
    settleMarket(state, r.round, market);
  }
}
