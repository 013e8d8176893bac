/**
 * The market maker's scoring rule is a community choice: logarithmic (LMSR, the default) or
 * quadratic (QMSR). Both expose the same pure, state-in/state-out functions, so the game quotes
 * and fills trades without knowing which one a market uses.
 *
 * | rule | b from subsidy | worst-case maker loss | a trade to r pays when y happens |
 * |---|---|---|---|
 * | lmsr | subsidy / ln K | b·ln K ≤ subsidy | b·(ln r_y − ln p_y) |
 * | qmsr | subsidy·K/(K−1) | b·(1 − 1/K) ≤ subsidy | b·(2r_y − ‖r‖²) − b·(2p_y − ‖p‖²) |
 */
import { beliefDeltas, quoteTradeToBelief, type BeliefTrade } from './trade-to-belief.js';
import { liquidityForSubsidy, makerWorstCaseLoss, prices, quoteShares, cost, type ShareQuote } from './lmsr.js';
import { qmsrBeliefDeltas, qmsrCost, qmsrLiquidityForSubsidy, qmsrPrices, qmsrQuoteShares, qmsrQuoteTradeToBelief, qmsrWorstCaseLoss } from './qmsr.js';
import { invalid } from './validate.js';

export const SCORING_RULES = ['lmsr', 'qmsr'] as const;
export type ScoringRuleName = (typeof SCORING_RULES)[number];

export type ScoringRule = {
  readonly name: ScoringRuleName;
  liquidityForSubsidy(subsidyMicro: bigint, outcomes: number): bigint;
  makerWorstCaseLoss(b: bigint, outcomes: number): bigint;
  /** C(q) in micro-units, rounded up. */
  cost(q: readonly bigint[], b: bigint): bigint;
  prices(q: readonly bigint[], b: bigint): bigint[];
  quoteShares(q: readonly bigint[], b: bigint, delta: readonly bigint[], maxCost?: bigint): ShareQuote;
  quoteTradeToBelief(q: readonly bigint[], b: bigint, belief: readonly bigint[], maxCost: bigint): BeliefTrade;
  /** Unrounded full-move deltas (micro-shares at 2^64) toward a validated, floored belief. */
  beliefDeltas(q: readonly bigint[], b: bigint, floored: readonly bigint[]): bigint[];
};

export const LMSR: ScoringRule = { name: 'lmsr', liquidityForSubsidy, makerWorstCaseLoss, cost, prices, quoteShares, quoteTradeToBelief, beliefDeltas };

export const QMSR: ScoringRule = {
  name: 'qmsr',
  liquidityForSubsidy: qmsrLiquidityForSubsidy,
  makerWorstCaseLoss: qmsrWorstCaseLoss,
  cost: qmsrCost,
  prices: qmsrPrices,
  quoteShares: qmsrQuoteShares,
  quoteTradeToBelief: qmsrQuoteTradeToBelief,
  beliefDeltas: qmsrBeliefDeltas,
};

/** The rule by name; absent means the LMSR (markets opened before rules were configurable). */
export function scoringRule(name: ScoringRuleName | undefined = 'lmsr'): ScoringRule {
  if (name === 'lmsr') return LMSR;
  if (name === 'qmsr') return QMSR;
  throw invalid('market.rule', 'rule', `one of ${SCORING_RULES.join(', ')}`, name);
}
