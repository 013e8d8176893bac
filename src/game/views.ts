import { prices } from './market/lmsr.js';
import { conservation, type ConservationReport } from './ledger.js';
import { leaderboard, type LeaderboardRow } from './leaderboard.js';
import type { GameState, MarketState, RoundState } from './state.js';

/**
 * JSON-safe read models of the state (money as decimal strings of micro-units), shared by the
 * embedded client, the CLI and the HTTP API so every surface answers the same thing.
 */
export type MarketView = {
  round: number;
  item: string;
  outcomes: number;
  b: string;
  subsidy: string;
  q: string[];
  /** Prices at PROB_SCALE (10^12). */
  prices: string[];
  volume: string;
  trades: number;
  outcome: number | null;
  voided: boolean;
  settled: boolean;
  positions: { model: string; trader: string; shares: string[]; netCost: string; belief: string[] | null }[];
};

export type RoundView = {
  round: number;
  phase: RoundState['phase'];
  subsidyPerItem: string;
  tradingDeadline: number;
  revealDeadline: number;
  seed: string | null;
  items: { id: string; outcomes: number; input: { text: string } | { features: number[] } }[];
  sealed: { commit: string; trader: string; item: string; model: string; maxCost: string; revealed: boolean }[];
  outcomes: { item: string; outcome: number | null }[];
};

export type StateView = {
  community: string | null;
  seq: number;
  accepted: number;
  rejected: number;
  clock: number;
  rounds: { round: number; phase: RoundState['phase']; items: number }[];
  treasury: string;
  conservation: ConservationReport;
};

export function marketView(round: number, m: MarketState): MarketView {
  return {
    round,
    item: m.item,
    outcomes: m.outcomes,
    b: m.b.toString(),
    subsidy: m.subsidy.toString(),
    q: m.q.map(String),
    prices: prices(m.q, m.b).map(String),
    volume: m.volume.toString(),
    trades: m.trades,
    outcome: m.outcome,
    voided: m.voided,
    settled: m.settled,
    positions: [...m.positions.values()].map((p) => ({
      model: p.model,
      trader: p.trader,
      shares: p.shares.map(String),
      netCost: p.netCost.toString(),
      belief: p.belief ? p.belief.map(String) : null,
    })),
  };
}

export function roundView(r: RoundState): RoundView {
  return {
    round: r.round,
    phase: r.phase,
    subsidyPerItem: r.subsidyPerItem.toString(),
    tradingDeadline: r.tradingDeadline,
    revealDeadline: r.revealDeadline,
    seed: r.seed,
    items: [...r.items.values()].map((i) => ({ id: i.id, outcomes: i.outcomes, input: i.input })),
    sealed: [...r.sealed.values()].map((s) => ({ commit: s.cid, trader: s.trader, item: s.item, model: s.model, maxCost: s.maxCost.toString(), revealed: s.revealed !== null })),
    outcomes: [...r.markets.values()].map((m) => ({ item: m.item, outcome: m.outcome })),
  };
}

export function stateView(state: GameState): StateView {
  return {
    community: state.community?.id ?? null,
    seq: state.seq,
    accepted: state.accepted,
    rejected: state.rejected,
    clock: state.clock,
    rounds: [...state.rounds.values()].map((r) => ({ round: r.round, phase: r.phase, items: r.items.size })),
    treasury: state.ledger.treasury.toString(),
    conservation: conservation(state.ledger),
  };
}

export function findMarket(state: GameState, round: number, item: string): MarketView | null {
  const m = state.rounds.get(round)?.markets.get(item);
  return m ? marketView(round, m) : null;
}

export { leaderboard, type LeaderboardRow };
