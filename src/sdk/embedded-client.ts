import type { SignedEvent } from '../events/envelope.js';
import type { Engine } from '../engine/engine.js';
import { authorView, communityView, findCommittee, findMarket, findMember, findRound, findSubmissions, leaderboardView, modelView, readLog, stateView } from '../engine/views.js';
import type { CommitteeView, MemberView, SubmissionView } from '../engine/view-schemas.js';
import type { AuthorView, CommunityView, HindsightClient, LeaderboardRow, LoggedEvent, MarketView, ModelView, RoundView, StateView, SubmitReply } from './client.js';

/** The client for an engine in this process: no network, the same views as the HTTP API. */
export class EmbeddedClient implements HindsightClient {
  constructor(readonly engine: Engine, private readonly ownsEngine = false) {}

  async community(): Promise<CommunityView | null> {
    return communityView(this.engine.state);
  }

  async state(): Promise<StateView> {
    return stateView(this.engine.state);
  }

  async author(did: string): Promise<AuthorView> {
    return authorView(this.engine.state, did);
  }

  async submit(event: SignedEvent): Promise<SubmitReply> {
    return this.engine.submit(event);
  }

  async round(round: number): Promise<RoundView | null> {
    return findRound(this.engine.state, round);
  }

  async market(round: number, item: string): Promise<MarketView | null> {
    return findMarket(this.engine.state, round, item);
  }

  async committee(round: number): Promise<CommitteeView | null> {
    return findCommittee(this.engine.state, round);
  }

  async member(did: string): Promise<MemberView | null> {
    return findMember(this.engine.state, did);
  }

  async submissions(round: number): Promise<SubmissionView[]> {
    return findSubmissions(this.engine.state, round)?.submissions ?? [];
  }

  async leaderboard(): Promise<LeaderboardRow[]> {
    return leaderboardView(this.engine.state);
  }

  async model(hash: string): Promise<ModelView | null> {
    return modelView(this.engine.state, hash);
  }

  async events(after: number, limit = 1000): Promise<LoggedEvent[]> {
    return readLog(this.engine.store, after, limit);
  }

  async close(): Promise<void> {
    if (this.ownsEngine) await this.engine.close();
  }
}
