import type { DemoMetrics } from './demo-metrics.js';
import type { ServingRule } from './served.js';
import { round6, spearman } from './stats.js';
import type { CommitteeSummary } from '../sdk/member.js';
import type { ProofSummary } from './demo-proofs.js';
import type { ChainSummary } from './demo-chain.js';
import type { FlSummary } from './demo-fl.js';

/**
 * The `--json` summary contract (docs/demo.md), the last line of `hindsight demo --json`.
 * Money is in units (numbers with up to 6 decimals); log losses are natural-log means.
 */
export type DemoSummary = {
  rounds: number;
  items: number;
  trades: number;
  events: number;
  stateHash: string;
  market: { logLoss: number | null; accuracy: number | null };
  served: { rule: ServingRule; logLoss: number | null; accuracy: number | null; bestModelLogLoss: number | null };
  models: { hash: string; name: string; pnl: number; logLoss: number | null; accuracy: number | null }[];
  rankCorrelation: number;
  subsidy: { budget: number; spent: number };
  conservation: boolean;
  /** The committee's block, present when a committee resolved the labels. */
  committee?: CommitteeSummary;
  /** demo --proofs: round batch proofs made, items covered, proving and verification cost, the tampered batch refused. */
  proofs?: ProofSummary;
  /** demo --fl: the federated task (controllers, ε, δ, accuracy beside the central model's, payments) and its market line. */
  fl?: FlSummary;
  /** demo --chain: token units deposited (the budget and bankrolls), claimed and unclaimed on the local chain, rounds anchored, chain/ledger books. */
  chain?: ChainSummary;
};

const unitsOf = (micro: bigint): number => Number(micro) / 1e6;

export function buildSummary(args: { metrics: DemoMetrics; rounds: number; items: number; events: number; stateHash: string; serve: ServingRule; budget: bigint; conservation: boolean; committee?: CommitteeSummary; proofs?: ProofSummary }): DemoSummary {
  const { metrics } = args;
  const models = [...metrics.lines.entries()].map(([name, l]) => ({ hash: l.hash, name, pnl: unitsOf(l.pnl), logLoss: round6(l.score.logLoss), accuracy: round6(l.score.accuracy) }));
  models.sort((a, b) => b.pnl - a.pnl || a.name.localeCompare(b.name));
  // Quality is −log loss on every resolved item; lines that predicted nothing (the copycat) have none.
  const scored = [...metrics.lines.values()].filter((l) => l.score.logLoss !== null);
  const rankCorrelation = spearman(
    scored.map((l) => Number(l.pnl)),
    scored.map((l) => -(l.score.logLoss as number)),
  );
  const served = metrics.served(args.serve);
  const servedLines = [...metrics.lines.values()].map((l) => l.servedRounds.logLoss).filter((v): v is number => v !== null);
  return {
    rounds: args.rounds,
    items: args.items,
    trades: metrics.trades,
    events: args.events,
    stateHash: args.stateHash,
    market: { logLoss: round6(metrics.market.logLoss), accuracy: round6(metrics.market.accuracy) },
    served: { rule: args.serve, logLoss: round6(served.logLoss), accuracy: round6(served.accuracy), bestModelLogLoss: round6(servedLines.length ? Math.min(...servedLines) : null) },
    models,
    rankCorrelation: round6(rankCorrelation) ?? 0,
    subsidy: { budget: unitsOf(args.budget), spent: unitsOf(metrics.spent) },
    conservation: args.conservation,
    ...(args.committee ? { committee: { ...args.committee, labelAccuracy: round6(args.committee.labelAccuracy) ?? 0 } } : {}),
    ...(args.proofs ? { proofs: args.proofs } : {}),
  };
}
