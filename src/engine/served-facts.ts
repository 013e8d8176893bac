/**
 * The log's side of a verifiable served answer (src/zk/served-answer.ts): which verification key and
 * featurizer a model was committed with, its P&L as of a settled round, and that round's liquidity
 * — read from a replayed state (the node serving, or `hindsight verify --dir`).
 */
import type { GameState } from '../game/state.js';
import type { ServedFacts } from '../zk/served-answer.js';

/** The last round whose phase is settled (0 when none is). */
export function lastSettledRound(state: GameState): number {
  let last = 0;
  for (const [n, r] of state.rounds) if (r.phase === 'settled' && n > last) last = n;
  return last;
}

export function factsFromState(state: GameState): ServedFacts {
  return {
    committedKey: async (hash) => {
      const m = state.models.get(hash);
      return m ? m.vkey : undefined;
    },
    committedFeaturizer: async (hash) => {
      const m = state.models.get(hash);
      return m ? (m.featurizer ?? null) : undefined;
    },
    pnlAsOf: async (hash, round) => {
      let pnl = 0n;
      for (const [r, h] of state.leaderboard.get(hash)?.history ?? []) if (r <= round) pnl += h.pnl;
      return pnl;
    },
    liquidity: async (round) => {
      const markets = state.rounds.get(round)?.markets;
      if (!markets || markets.size === 0) return null;
      const first = [...markets.keys()].sort()[0]!;
      return markets.get(first)!.b;
    },
  };
}
