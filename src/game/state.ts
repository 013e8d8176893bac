import type { CommunityConfig } from '../events/types/core.js';
import type { FeaturizerSpecPayload } from '../events/types/zk.js';
import type { ProofKey } from '../statement/index.js';
import type { ScoringRuleName } from '../market/scoring-rule.js';
import type { CommunityRulesState, RoundRulesState } from './reward-rules-state.js';
import type { ChainState } from './chain-state.js';
import type { FlTaskState } from './fl.js';
import type { DataOwnerState } from './data.js';
import type { CommitteeRound, Member, Submission } from './committee-state.js';

/**
 * The whole game state. Mutable for speed (a round with 10,000 items × 20 models must apply
 * hundreds of thousands of trades), so handlers follow one rule: check everything first, then
 * mutate; a handler that throws has changed nothing. Maps keep insertion order, but the canonical
 * encoding (canonical.ts) sorts keys, so the stateHash depends only on content.
 */
export type AuthorState = { head: string; nonce: number; events: number };

export type LedgerState = {
  balances: Map<string, bigint>;
  treasury: bigint;
  /** Max costs locked by sealed trade commits, not yet executed or forfeited. */
  locked: bigint;
  /** Money held by markets: subsidies plus traders' costs, until settlement. */
  escrow: bigint;
  /** Bonds members locked to sit on committees. */
  bonded: bigint;
  /** Everything ever minted: the conservation check compares the sum of the above to this. */
  minted: bigint;
};

export type ModelInfo = {
  hash: string;
  owner: string;
  name: string;
  architecture: string;
  committedAt: number;
  vkey: string | null;
  /** Committed beside the hash: what the node featurizes item text with to bind proofs (absent: none). */
  featurizer?: FeaturizerSpecPayload;
};

export type ModelStats = {
  hash: string;
  pnl: bigint;
  cost: bigint;
  payout: bigint;
  itemsTraded: number;
  /** Σ −ln(belief of the realized outcome), fixed point at FIXED_SCALE, over resolved belief trades. */
  logLossSum: bigint;
  /** Σ Brier score at FIXED_SCALE. */
  brierSum: bigint;
  scoredItems: number;
  /** Ten buckets of predicted probability: [predictions, hits]. */
  calibration: [number, number][];
  history: Map<number, { pnl: bigint; items: number }>;
};

export type SealedTrade = {
  cid: string;
  trader: string;
  round: number;
  item: string;
  model: string;
  commitment: string;
  maxCost: bigint;
  revealed: { trade: RevealedTrade; orderKey: string } | null;
};

export type RevealedTrade =
  | { kind: 'belief'; belief: bigint[]; maxCost: bigint }
  | { kind: 'shares'; delta: bigint[]; maxCost: bigint };

export type Position = { trader: string; model: string; shares: bigint[]; netCost: bigint; belief: bigint[] | null };

export type MarketState = {
  item: string;
  outcomes: number;
  /** The market maker's scoring rule when it is not the LMSR (src/market/scoring-rule.ts). */
  rule?: ScoringRuleName;
  b: bigint;
  subsidy: bigint;
  q: bigint[];
  /** Money this market holds (subsidy + net trader costs). */
  escrow: bigint;
  volume: bigint;
  trades: number;
  positions: Map<string, Position>;
  outcome: number | null;
  voided: boolean;
  settled: boolean;
};

export type RoundPhase = 'scheduled' | 'trading' | 'revealing' | 'resolved' | 'settled' | 'void';

export type ItemState = { id: string; outcomes: number; input: { text: string } | { features: number[] } };

export type RoundState = {
  round: number;
  phase: RoundPhase;
  subsidyPerItem: bigint;
  tradingDeadline: number;
  revealDeadline: number;
  seedCommitment: string;
  seed: string | null;
  items: Map<string, ItemState>;
  markets: Map<string, MarketState>;
  sealed: Map<string, SealedTrade>;
  /** `${model} ${item}` → commit CID: one sealed trade per model per item, checked in O(1). */
  sealedByModelItem: Map<string, string>;
  /** `${model} ${item}` → scores proven by the model's round batch proof (zk.batch); absent until one. */
  proven?: Map<string, bigint[]>;
  /** Models that traded this round (for per-round leaderboard history). */
  openedAt: number | null;
  /** Committee path: label commits end / label reveals end, in event time. */
  labelCommitDeadline: number;
  labelRevealDeadline: number;
  /** Encrypted candidate items members submitted for this round, by item id. */
  submissions: Map<string, Submission>;
  /** The round's sortition committee, drawn at round.open when the community has one. */
  committee: CommitteeRound | null;
  /** The reward rules pinned when the round was scheduled, when the community configured any (reward-rules.ts). */
  rules?: RoundRulesState;
};

export type CommunityState = { id: string; name: string; creator: string; config: CommunityConfig; genesis: string };

export type GameState = {
  community: CommunityState | null;
  /** Events applied, accepted or rejected, i.e. the log position this state reflects. */
  seq: number;
  accepted: number;
  rejected: number;
  /** Latest event time seen: the game's only clock. */
  clock: number;
  authors: Map<string, AuthorState>;
  ledger: LedgerState;
  models: Map<string, ModelInfo>;
  rounds: Map<number, RoundState>;
  leaderboard: Map<string, ModelStats>;
  /** Verification keys published with zk.vkey, by id (sha256 hex of their payload). */
  vkeys: Map<string, ProofKey>;
  /** Federated-learning tasks by id (src/game/fl.ts). */
  fl: Map<string, FlTaskState>;
  /** Members' sealed training data: key epochs, chunks, grants (src/game/data.ts); absent until the first data event. */
  data?: Map<string, DataOwnerState>;
  /** Community members by canonical DID. */
  members: Map<string, Member>;
  /** Randomness beacon for sortition: genesis-derived, then updated by each committee's revealed salts. */
  beacon: { seed: string; seq: number; round: number } | null;
  /** Published resolution functions, scheduled rule changes and proposals; absent until the first such event. */
  rules?: CommunityRulesState;
  /** The on-chain treasury as recorded in the log (src/game/chain.ts); absent until the first chain event. */
  chain?: ChainState;
};

export function emptyState(): GameState {
  return {
    community: null,
    seq: 0,
    accepted: 0,
    rejected: 0,
    clock: 0,
    authors: new Map(),
    ledger: { balances: new Map(), treasury: 0n, locked: 0n, escrow: 0n, bonded: 0n, minted: 0n },
    models: new Map(),
    rounds: new Map(),
    leaderboard: new Map(),
    vkeys: new Map(),
    fl: new Map(),
    members: new Map(),
    beacon: null,
  };
}
