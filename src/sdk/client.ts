import type { SignedEvent } from '../events/envelope.js';
import type {
  AuthorView, CommitteeView, CommunityView, LeaderboardRow, LoggedEvent, MarketView, MemberView, ModelView, RoundView, StateView, SubmissionView, SubmitReply,
} from '../engine/view-schemas.js';

export type { AuthorView, CommitteeView, CommunityView, LeaderboardRow, LoggedEvent, MarketView, MemberView, ModelView, RoundView, StateView, SubmissionView, SubmitReply };

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
  /** The round's labelling committee, or null before it is drawn. */
  committee(round: number): Promise<CommitteeView | null>;
  /** A member's bond and standing, or null if the DID never joined. */
  member(did: string): Promise<MemberView | null>;
  /** Members' item submissions to a round ([] for an unknown round). */
  submissions(round: number): Promise<SubmissionView[]>;
  model(hash: string): Promise<ModelView | null>;
  /** Log entries with seq > after, in order. */
  events(after: number, limit?: number): Promise<LoggedEvent[]>;
  close(): Promise<void>;
}
