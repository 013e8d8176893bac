import { canonicalDid } from '../events/did.js';
import type { GameState } from './state.js';

/** JSON-safe read models of membership, submissions and committees (money as micro-unit strings). */

export type MemberView = { did: string; left: boolean; bond: string; unbonding: { amount: string; availableAt: number } | null; slashed: string; rewarded: string };

export type CommitteeView = {
  round: number;
  phase: string;
  seed: string;
  beaconRound: number;
  members: string[];
  committed: string[];
  revealed: string[];
  resolved: boolean;
  labels: { item: string; label: number | null }[];
  rewards: { did: string; amount: string }[];
  penalties: { did: string; amount: string }[];
  deadlines: { trading: number; tradeReveal: number; labelCommit: number; labelReveal: number };
};

export type SubmissionView = { id: string; submitter: string; outcomes: number; buckets: number[] | null; status: string; voidReason: string | null };

export function memberView(state: GameState, did: string): MemberView | null {
  const m = state.members.get(canonicalDid(did));
  if (!m) return null;
  return { did: m.did, left: m.left, bond: m.bond.toString(), unbonding: m.unbonding ? { amount: m.unbonding.amount.toString(), availableAt: m.unbonding.availableAt } : null, slashed: m.slashed.toString(), rewarded: m.rewarded.toString() };
}

export function committeeView(state: GameState, round: number): CommitteeView | null {
  const r = state.rounds.get(round);
  const c = r?.committee;
  if (!r || !c) return null;
  return {
    round,
    phase: r.phase,
    seed: c.seed,
    beaconRound: c.beaconRound,
    members: [...c.members],
    committed: [...c.commits.keys()],
    revealed: [...c.reveals.keys()],
    resolved: c.resolved,
    labels: [...c.labels].map(([item, label]) => ({ item, label })),
    rewards: [...c.rewards].map(([did, amount]) => ({ did, amount: amount.toString() })),
    penalties: [...c.penalties].map(([did, amount]) => ({ did, amount: amount.toString() })),
    deadlines: { trading: r.tradingDeadline, tradeReveal: r.revealDeadline, labelCommit: r.labelCommitDeadline, labelReveal: r.labelRevealDeadline },
  };
}

export function submissionsView(state: GameState, round: number): SubmissionView[] {
  const r = state.rounds.get(round);
  return r ? [...r.submissions.values()].map((s) => ({ id: s.id, submitter: s.submitter, outcomes: s.outcomes, buckets: s.buckets, status: s.status, voidReason: s.voidReason })) : [];
}

export type HistoryRow = { round: number; item: string; outcomes: number; buckets: number[] | null; input: { text: string } | { features: number[] }; label: number };

/**
 * Public training data, the last step of a round: every labelled item of every settled round up to
 * `uptoRound`, with its decrypted input and final label. Voided items are left out.
 */
export function publicHistory(state: GameState, uptoRound: number): HistoryRow[] {
  const rows: HistoryRow[] = [];
  for (const r of [...state.rounds.values()].sort((a, b) => a.round - b.round)) {
    if (r.round > uptoRound || r.phase !== 'settled') continue;
    for (const item of r.items.values()) {
      const market = r.markets.get(item.id);
      if (!market || market.voided || market.outcome === null) continue;
      rows.push({ round: r.round, item: item.id, outcomes: item.outcomes, buckets: r.submissions.get(item.id)?.buckets ?? null, input: item.input, label: market.outcome });
    }
  }
  return rows;
}
