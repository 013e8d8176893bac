import type { SignedEvent } from '../events/envelope.js';
import type {
  AuthorView, CommunityView, LeaderboardRow, LoggedEvent, MarketView, ModelView, RoundView, StateView, SubmitReply,
} from '../engine/view-schemas.js';

export type { AuthorView, CommunityView, LeaderboardRow, LoggedEvent, MarketView, ModelView, RoundView, StateView, SubmitReply };

/**
 * What members, operators and dashboards need from a node. The embedded client (same process) and
 * the HTTP client (remote node) implement it identically, so an operator runs unchanged on either.
 * Errors are HindsightError subclasses with the node's code and message.
 */
export interface HindsightClient {
  community(): Promise<CommunityView | null>;
  state(): Promise<StateView>;
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
