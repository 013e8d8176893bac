import type { SignedEvent } from '../events/envelope.js';
import type { CommunityConfig } from '../events/types/core.js';
import type { LeaderboardRow, MarketView, RoundView, StateView } from '../game/views.js';

export type SubmitReply = { cid: string; seq: number; duplicate: boolean };
export type AuthorView = { did: string; head: string | null; nonce: number; balance: string };
export type ModelView = { hash: string; owner: string; name: string; architecture: string; vkey: string | null };
export type CommunityView = { id: string; name: string; genesis: string; config: CommunityConfig };
export type LoggedEvent = { seq: number; cid: string; type: string; author: string; round: number | null; event: SignedEvent };

/**
 * What members, operators and dashboards need from a node. The embedded client (same process) and
 * the HTTP client (remote node) implement it identically, so an operator runs unchanged on either.
 * Errors are HindsightError subclasses with the node's code and message.
 */
export interface HindsightClient {
  community(): Promise<CommunityView | null>;
  state(): Promise<StateView & { stateHash: string }>;
  author(did: string): Promise<AuthorView>;
  submit(event: SignedEvent): Promise<SubmitReply>;
  round(round: number): Promise<RoundView | null>;
  market(round: number, item: string): Promise<MarketView | null>;
  leaderboard(): Promise<LeaderboardRow[]>;
  model(hash: string): Promise<ModelView | null>;
  /** Log entries with seq > after, in order. */
  events(after: number, limit?: number): Promise<LoggedEvent[]>;
  close(): Promise<void>;
}
