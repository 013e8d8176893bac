import type { SignedEvent } from '../events/envelope.js';
import type { Signer } from '../events/keys.js';
import { signEventWithCid } from '../events/sign.js';
import type { HindsightClient } from './client.js';

/**
 * One author's chain of events (prev = previous CID, nonce + 1), tracked locally so a participant
 * can sign a whole batch (every trade commit of a round) before any of it reaches the node, which
 * then appends the batch in one transaction. `sync` re-reads the head from the node, e.g. after a
 * submission failed part-way.
 */
export class EventChain {
  #head: string | null = null;
  #nonce = 0;
  #synced = false;

  constructor(
    readonly signer: Signer,
    readonly community: string,
  ) {}

  get did(): string {
    return this.signer.did;
  }

  async sync(client: Pick<HindsightClient, 'author'>): Promise<void> {
    const a = await client.author(this.signer.did);
    this.#head = a.head;
    this.#nonce = a.nonce;
    this.#synced = true;
  }

  async ensureSynced(client: Pick<HindsightClient, 'author'>): Promise<void> {
    if (!this.#synced) await this.sync(client);
  }

  /** Signs the next event of this chain and advances the local cursor. */
  next(type: string, payload: Record<string, unknown>, time: number): SignedEvent {
    const { event, cid } = signEventWithCid(this.signer, { type, community: this.community, payload, prev: this.#head, nonce: this.#nonce + 1, time });
    this.#head = cid;
    this.#nonce += 1;
    return event;
  }
}
