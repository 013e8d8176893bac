import { GameRejection } from '../core/errors.js';
import { liquidityForSubsidy, quoteShares, quoteTradeToBelief, validateBelief } from '../market/index.js';
import type { MarketState, Position, RevealedTrade } from './state.js';
import { reject } from './rules.js';

/** The game's side of the LMSR: market state in, quotes out; `fill` is the only mutation. */
export function openMarket(item: string, outcomes: number, subsidy: bigint): MarketState {
  return {
    item,
    outcomes,
    b: liquidityForSubsidy(subsidy, outcomes),
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

/** Quotes a trade against the market; throws GameRejection if it is invalid or costs more than maxCost. */
export function quote(market: MarketState, trade: RevealedTrade, position: Position | undefined): Fill {
  if (trade.kind === 'belief') {
    if (trade.belief.length !== market.outcomes) {
      reject('belief.wrongLength', `belief: expected ${market.outcomes} probabilities, got ${trade.belief.length}`, { field: 'belief' });
    }
    validateBelief(trade.belief, market.outcomes);
    const { delta, cost } = quoteTradeToBelief(market.q, market.b, trade.belief, trade.maxCost);
    return { delta, cost };
  }
  if (trade.delta.length !== market.outcomes) {
    reject('trade.wrongLength', `delta: expected ${market.outcomes} share amounts, got ${trade.delta.length}`, { field: 'delta' });
  }
  trade.delta.forEach((d, i) => {
    const held = position?.shares[i] ?? 0n;
    if (held + d < 0n) reject('trade.oversell', `delta[${i}]: expected to sell at most the ${held} micro-shares held, got ${d}`, { field: `delta.${i}` });
  });
  const { cost } = quoteShares(market.q, market.b, trade.delta, trade.maxCost);
  return { delta: trade.delta, cost };
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
