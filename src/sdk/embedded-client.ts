import { decode } from '../core/encoding.js';
import type { SignedEvent } from '../events/envelope.js';
import { canonicalDid } from '../events/did.js';
import { balanceOf } from '../game/ledger.js';
import { stateHash } from '../game/canonical.js';
import { findMarket, leaderboard, roundView, stateView } from '../game/views.js';
import type { Engine } from '../node/engine.js';
import type { AuthorView, CommunityView, HindsightClient, LoggedEvent, ModelView, SubmitReply } from './client.js';

/** The client for an engine in this process: no network, same answers as the HTTP API. */
export class EmbeddedClient implements HindsightClient {
  constructor(readonly engine: Engine, private readonly ownsEngine = false) {}

  async community(): Promise<CommunityView | null> {
    const c = this.engine.state.community;
    return c ? { id: c.id, name: c.name, genesis: c.genesis, config: c.config } : null;
  }

  async state() {
    return { ...stateView(this.engine.state), stateHash: stateHash(this.engine.state) };
  }

  async author(did: string): Promise<AuthorView> {
    const a = this.engine.state.authors.get(canonicalDid(did));
    return { did, head: a?.head ?? null, nonce: a?.nonce ?? 0, balance: balanceOf(this.engine.state.ledger, did).toString() };
  }

  async submit(event: SignedEvent): Promise<SubmitReply> {
    return this.engine.submit(event);
  }

  async round(round: number) {
    const r = this.engine.state.rounds.get(round);
    return r ? roundView(r) : null;
  }

  async market(round: number, item: string) {
    return findMarket(this.engine.state, round, item);
  }

  async leaderboard() {
    return leaderboard(this.engine.state);
  }

  async model(hash: string): Promise<ModelView | null> {
    const m = this.engine.state.models.get(hash);
    return m ? { hash: m.hash, owner: m.owner, name: m.name, architecture: m.architecture, vkey: m.vkey } : null;
  }

  async events(after: number, limit = 1000): Promise<LoggedEvent[]> {
    const rows = await this.engine.store.readAfter(after, limit);
    return rows.map((r) => ({ seq: r.seq, cid: r.cid, type: r.type, author: r.author, round: r.round, event: decode<SignedEvent>(r.bytes) }));
  }

  async close(): Promise<void> {
    if (this.ownsEngine) await this.engine.close();
  }
}
