import { decode } from '../core/encoding.js';
import { canonicalDid } from '../events/did.js';
import type { SignedEvent } from '../events/envelope.js';
import { stateHash } from '../game/canonical.js';
import { leaderboard } from '../game/leaderboard.js';
import { balanceOf, conservation } from '../game/ledger.js';
import type { GameState, MarketState, RoundState } from '../game/state.js';
import { scoringRule } from '../market/scoring-rule.js';
import type { EventStore, StoredEvent } from '../store/index.js';
import type {
  AuthorView, CommitteeView, CommunityView, EventsPage, LeaderboardRow, LoggedEvent, MarketView, MemberView, ModelView, RoundView, StateView, SubmissionsView,
} from './view-schemas.js';
import { committeeView, memberView, submissionsView } from '../game/committee-view.js';

/**
 * The read models of a game state, built once here for every surface: the HTTP routes and
 * EmbeddedClient call these functions, and HttpClient checks what a node sends against the same
 * schemas (view-schemas.ts), so an operator sees the same answer in process and over the network.
 */

export function marketView(round: number, m: MarketState): MarketView {
  return {
    round,
    item: m.item,
    outcomes: m.outcomes,
    b: m.b.toString(),
    subsidy: m.subsidy.toString(),
    q: m.q.map(String),
    prices: scoringRule(m.rule).prices(m.q, m.b).map(String),
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
    stateHash: stateHash(state),
  };
}

export function communityView(state: GameState): CommunityView | null {
  const c = state.community;
  return c ? { id: c.id, name: c.name, genesis: c.genesis, config: c.config } : null;
}

export function authorView(state: GameState, did: string): AuthorView {
  const a = state.authors.get(canonicalDid(did));
  return { did, head: a?.head ?? null, nonce: a?.nonce ?? 0, balance: balanceOf(state.ledger, did).toString() };
}

export function modelView(state: GameState, hash: string): ModelView | null {
  const m = state.models.get(hash);
  return m ? { hash: m.hash, owner: m.owner, name: m.name, architecture: m.architecture, vkey: m.vkey, featurizer: m.featurizer ?? null } : null;
}

export function findRound(state: GameState, round: number): RoundView | null {
  const r = state.rounds.get(round);
  return r ? roundView(r) : null;
}

export function findMarket(state: GameState, round: number, item: string): MarketView | null {
  const m = state.rounds.get(round)?.markets.get(item);
  return m ? marketView(round, m) : null;
}

export function leaderboardView(state: GameState): LeaderboardRow[] {
  return leaderboard(state);
}

/** A stored row as the API shows it: index columns plus the signed event as JSON. */
export function toLoggedEvent(stored: StoredEvent): LoggedEvent {
  return { seq: stored.seq, cid: stored.cid, type: stored.type, author: stored.author, round: stored.round, event: decode<SignedEvent>(stored.bytes) };
}

export async function readLog(store: EventStore, after: number, limit: number): Promise<LoggedEvent[]> {
  return (await store.readAfter(after, limit)).map(toLoggedEvent);
}

/** A page of the log and the head read after it, so the head is never behind the page. */
export async function readLogPage(store: EventStore, after: number, limit: number): Promise<EventsPage> {
  const events = await readLog(store, after, limit);
  return { events, head: await store.head() };
}

/** Committee, member and submission views as the API serves them (the game's read models, typed by the schemas). */
export function findCommittee(state: GameState, round: number): CommitteeView | null {
  return committeeView(state, round) as CommitteeView | null;
}

export function findMember(state: GameState, did: string): MemberView | null {
  return memberView(state, did);
}

export function findSubmissions(state: GameState, round: number): SubmissionsView | null {
  return state.rounds.has(round) ? { round, submissions: submissionsView(state, round) } : null;
}
