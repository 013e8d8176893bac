/**
 * Test and bench fixtures: a community with funded members whose keys sign chained events
 * (prev = the author's last event, nonce + 1) without asking the node, so many events can be
 * signed ahead of time.
 */
import { eventCid, type SignedEvent } from '../../src/events/envelope.js';
import { Ed25519Signer } from '../../src/events/keys.js';
import { signEvent } from '../../src/events/sign.js';

export class ChainedSigner {
  head: string | null = null;
  nonce = 0;

  constructor(readonly signer: Ed25519Signer, readonly community: string) {}

  get did(): string {
    return this.signer.did;
  }

  /** Signs the next event of this author's chain and advances the chain. */
  next(type: string, payload: Record<string, unknown>, time = 1_700_000_000_000): SignedEvent {
    const event = signEvent(this.signer, { type, community: this.community, payload, prev: this.head, nonce: this.nonce + 1, time });
    this.head = eventCid(event);
    this.nonce += 1;
    return event;
  }
}

/** Deterministic keys: the i-th member of a test is always the same did:key. */
export function testSigner(index: number, salt = 0): Ed25519Signer {
  const seed = new Uint8Array(32);
  new DataView(seed.buffer).setUint32(0, index + 1);
  new DataView(seed.buffer).setUint32(4, salt);
  return Ed25519Signer.fromSeed(seed);
}

export type TestCommunity = { id: string; admin: ChainedSigner; members: ChainedSigner[]; genesis: SignedEvent };

/** A continuous-trading community whose admin mints `balance` units to each member at genesis. */
export function makeTestCommunity(options: { members: number; balance?: bigint; id?: string; salt?: number; config?: Record<string, unknown> }): TestCommunity {
  const id = options.id ?? 'node-test';
  const admin = new ChainedSigner(testSigner(0, options.salt), id);
  const members = Array.from({ length: options.members }, (_, i) => new ChainedSigner(testSigner(i + 1, options.salt), id));
  const amount = (options.balance ?? 1_000_000_000n).toString();
  const genesis = admin.next('community.create', {
    name: id,
    config: { trading: 'continuous', admins: [admin.did], resolver: admin.did, ...options.config },
    treasury: '0',
    mint: members.map((m) => ({ to: m.did, amount })),
  });
  return { id, admin, members, genesis };
}

/** A small transfer from `from` to `to` (1 micro-unit: balances never run out in a test). */
export function transfer(from: ChainedSigner, to: ChainedSigner, amount = 1n): SignedEvent {
  return from.next('ledger.transfer', { to: to.did, amount: amount.toString() });
}
