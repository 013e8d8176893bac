import { GameRejection } from '../core/errors.js';
import { ONE as FIXED_ONE, scoringRule, validateBelief, type ScoringRuleName } from '../market/index.js';
import type { MarketState, Position, RevealedTrade } from './state.js';
import { reject } from './rules.js';

/**
 * The game's side of the market maker: market state in, quotes out; `fill` is the only mutation.
 * A market records its scoring rule only when it is not the LMSR, so states and stateHashes of
 * communities that never chose a rule stay as they were.
 */
export function openMarket(item: string, outcomes: number, subsidy: bigint, rule: ScoringRuleName = 'lmsr'): MarketState {
  return {
    item,
    outcomes,
    ...(rule === 'lmsr' ? {} : { rule }),
    b: scoringRule(rule).liquidityForSubsidy(subsidy, outcomes),
    subsidy,
    q: Array.from({ length: outcomes }, () => 0n),
    escrow: subsidy,
    volume: 0n,
    trades: 0,
    positions: new Map(),
    outcome: null,
    voided: false,
    settled: false,
  };
}

export type Fill = { delta: bigint[]; cost: bigint };

/**
 * Quotes a trade against the market; throws GameRejection if it is invalid, costs more than
 * maxCost, or would change nothing (`trade.noOp`: no share moves, so there is nothing to record).
 */
export function quote(market: MarketState, trade: RevealedTrade, position: Position | undefined): Fill {
  const { beliefDeltas, quoteShares, quoteTradeToBelief } = scoringRule(market.rule);
  if (trade.kind === 'belief') {
    if (trade.belief.length !== market.outcomes) {
      reject('belief.wrongLength', `belief: expected ${market.outcomes} probabilities, got ${trade.belief.length}`, { field: 'belief' });
    }
    const floored = validateBelief(trade.belief, market.outcomes);
    const { delta, cost, reachedBelief } = quoteTradeToBelief(market.q, market.b, trade.belief, trade.maxCost);
    // The full move rounds each outcome to whole micro-shares, so a belief the price already shows
    // (say, the one the last trade moved it to) may still round to one micro-share. It is a no-op
    // when no outcome is a whole micro-share away; checked only for the rare tiny full moves.
    if (reachedBelief && delta.every((d) => d <= 1n) && beliefDeltas(market.q, market.b, floored).every((d) => d < FIXED_ONE)) {
      reject('trade.noOp', 'belief: expected a belief that differs from the current price by at least one micro-share, got one the price already shows (the trade would buy nothing)', { field: 'belief' });
    }
    if (isNoOp(delta)) {
      reject('trade.noOp', `maxCost: expected enough to buy at least one micro-share toward the belief, got ${trade.maxCost} (the trade would buy nothing)`, { field: 'maxCost' });
    }
    return { delta, cost };
  }
  checkShareDelta(market, trade.delta);
  trade.delta.forEach((d, i) => {
    const held = position?.shares[i] ?? 0n;
    if (held + d < 0n) reject('trade.oversell', `delta[${i}]: expected to sell at most the ${held} micro-shares held, got ${d}`, { field: `delta.${i}` });
  });
  const { cost } = quoteShares(market.q, market.b, trade.delta, trade.maxCost);
  return { delta: trade.delta, cost };
}

/** A market's current prices at PROB_SCALE under its own scoring rule. */
export function marketPrices(market: Pick<MarketState, 'q' | 'b' | 'rule'>): bigint[] {
  return scoringRule(market.rule).prices(market.q, market.b);
}

/** True when a trade moves no share: all of its deltas are zero. */
export function isNoOp(delta: readonly bigint[]): boolean {
  return delta.every((d) => d === 0n);
}

/** The checks a share trade passes before any price is known: one amount per outcome, not all zero. */
export function checkShareDelta(market: MarketState, delta: readonly bigint[]): void {
  if (delta.length !== market.outcomes) {
    reject('trade.wrongLength', `delta: expected ${market.outcomes} share amounts, got ${delta.length}`, { field: 'delta' });
  }
  if (isNoOp(delta)) reject('trade.noOp', 'delta: expected at least one nonzero share amount, got all zeros (the trade would change nothing)', { field: 'delta' });
}

/** Records a quoted fill: shares move to the position, the cost into the market's escrow. */
export function fill(market: MarketState, trader: string, model: string, trade: RevealedTrade, f: Fill): Position {
  let position = market.positions.get(model);
  if (!position) {
    position = { trader, model, shares: Array.from({ length: market.outcomes }, () => 0n), netCost: 0n, belief: null };
    market.positions.set(model, position);
  }
  for (let i = 0; i < market.outcomes; i++) {
    market.q[i]! += f.delta[i]!;
    position.shares[i]! += f.delta[i]!;
  }
  position.netCost += f.cost;
  if (trade.kind === 'belief') position.belief = trade.belief;
  market.escrow += f.cost;
  market.volume += f.cost < 0n ? -f.cost : f.cost;
  market.trades += 1;
  return position;
}
