import type { LineWealth } from '../statement/blend.js';

/**
 * The served prediction: what inference-as-a-service answers for round
 * n's inputs, decided only from the leaderboard as of round n−1 (P&L settled before round n).
 *
 *  - leader: the model line with the highest cumulative P&L so far answers alone.
 *  - blend:  a wealth-weighted average of the lines' beliefs. The weight is the wealth a full-Kelly
 *            bettor would have: a log-scoring trade earns b·(ln r_y − ln p_y), so exp(P&L / b) is
 *            proportional to Π r_y / p_y — each line's likelihood ratio against the market, i.e.
 *            Bayesian model averaging with wealth as the posterior (Beygelzimer, Langford & Pennock
 *            2012). `temper` < 1 flattens it (a fractional-Kelly bettor's wealth): one sealed pass
 *            per round makes P&L a noisy likelihood, and full Kelly concentrates on last round's
 *            leader too fast; the demo serves temper 0.1 (measured, docs/demo.md).
 */
export type ServingRule = 'leader' | 'blend';

// one definition of the blend for the simulation and the node's verifiable served answer
export { blend, blendWeights, type LineWealth } from '../statement/blend.js';

export function leaderOf(lines: readonly LineWealth[]): string | null {
  let best: LineWealth | null = null;
  for (const l of lines) if (!best || l.pnl > best.pnl || (l.pnl === best.pnl && l.name < best.name)) best = l;
  return best?.name ?? null;
}
