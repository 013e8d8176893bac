import { ONE as FIXED_ONE } from '../market/fixed.js';
import { PROB_SCALE, lnProbability } from '../market/lmsr.js';
import { emptyStats } from './models.js';
import type { GameState, MarketState, ModelStats, Position } from './state.js';

/** −ln p for a probability at PROB_SCALE, at FIXED_ONE; p is floored at 10^-12 so a 0 belief costs ≈ 27.6, not ∞. */
function negLnProb(p: bigint): bigint {
  return -lnProbability(p > 0n ? p : 1n);
}

/**
 * Scores one settled position for its model: P&L always; log loss, Brier and calibration when the
 * position carries a belief and the item resolved (a voided item teaches nothing about quality).
 */
export function scorePosition(state: GameState, round: number, market: MarketState, position: Position, payout: bigint): void {
  let stats = state.leaderboard.get(position.model);
  if (!stats) {
    stats = emptyStats(position.model);
    state.leaderboard.set(position.model, stats);
  }
  const pnl = payout - position.netCost;
  stats.pnl += pnl;
  stats.cost += position.netCost;
  stats.payout += payout;
  stats.itemsTraded += 1;
  const h = stats.history.get(round) ?? { pnl: 0n, items: 0 };
  h.pnl += pnl;
  h.items += 1;
  stats.history.set(round, h);
  if (market.outcome === null || position.belief === null) return;
  const y = market.outcome;
  const belief = position.belief;
  stats.logLossSum += negLnProb(belief[y]!);
  let brier = 0n;
  for (let i = 0; i < belief.length; i++) {
    const err = belief[i]! - (i === y ? PROB_SCALE : 0n);
    brier += err * err;
  }
  // Σ (r_i − o_i)² at PROB_SCALE², rescaled to FIXED_ONE.
  stats.brierSum += (brier * FIXED_ONE) / (PROB_SCALE * PROB_SCALE);
  stats.scoredItems += 1;
  for (let i = 0; i < belief.length; i++) {
    const bucket = Math.min(9, Number((belief[i]! * 10n) / PROB_SCALE));
    const cell = stats.calibration[bucket]!;
    cell[0] += 1;
    if (i === y) cell[1] += 1;
  }
}

export type LeaderboardRow = {
  rank: number;
  hash: string;
  name: string;
  owner: string;
  pnl: string;
  itemsTraded: number;
  scoredItems: number;
  /** Mean log loss and Brier as decimal strings (display only; the exact sums stay in state). */
  logLoss: string | null;
  brier: string | null;
  calibration: { bucket: string; predictions: number; hits: number }[];
  history: { round: number; pnl: string; items: number }[];
};

function meanText(sum: bigint, n: number): string | null {
  if (n === 0) return null;
  const scaled = (sum * 1_000_000n) / (FIXED_ONE * BigInt(n));
  return (Number(scaled) / 1e6).toFixed(6);
}

/** Models ranked by total P&L (ties: lower log loss, then hash). */
export function leaderboard(state: GameState): LeaderboardRow[] {
  const rows = [...state.leaderboard.values()].map((s: ModelStats) => {
    const info = state.models.get(s.hash);
    return {
      stats: s,
      row: {
        rank: 0,
        hash: s.hash,
        name: info?.name ?? '',
        owner: info?.owner ?? '',
        pnl: s.pnl.toString(),
        itemsTraded: s.itemsTraded,
        scoredItems: s.scoredItems,
        logLoss: meanText(s.logLossSum, s.scoredItems),
        brier: meanText(s.brierSum, s.scoredItems),
        calibration: s.calibration.map(([predictions, hits], i) => ({ bucket: `${i / 10}-${(i + 1) / 10}`, predictions, hits })),
        history: [...s.history.entries()].sort((a, b) => a[0] - b[0]).map(([round, h]) => ({ round, pnl: h.pnl.toString(), items: h.items })),
      },
    };
  });
  rows.sort((a, b) => (a.stats.pnl === b.stats.pnl ? (a.row.hash < b.row.hash ? -1 : 1) : a.stats.pnl > b.stats.pnl ? -1 : 1));
  return rows.map((r, i) => ({ ...r.row, rank: i + 1 }));
}
