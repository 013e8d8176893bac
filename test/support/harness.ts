import { createHash } from 'node:crypto';
import { Ed25519Signer } from '../../src/events/keys.js';
import { signEvent } from '../../src/events/sign.js';
import type { SignedEvent } from '../../src/events/envelope.js';
import { verifyEvent } from '../../src/events/verify.js';
import { canonicalDid } from '../../src/events/did.js';
import { apply, execute, type Receipt } from '../../src/game/apply.js';
import { sandboxFor } from '../../src/engine/sandbox-loader.js';
import { emptyState, type GameState } from '../../src/game/state.js';
import { tradeCommitment } from '../../src/game/trades.js';
import type { TradeBody } from '../../src/events/types/core.js';
import { UNIT } from '../../src/core/money.js';

/** Deterministic keys for tests: the same name always gives the same did:key. */
export function testKey(name: string): Ed25519Signer {
  return Ed25519Signer.fromSeed(new Uint8Array(createHash('sha256').update(`hindsight-test:${name}`).digest()));
}

export const units = (n: number | bigint): string => (BigInt(n) * UNIT).toString();
export const hex32 = (label: string): string => createHash('sha256').update(label).digest('hex');

/**
 * An in-memory game for tests: signs events as named participants, verifies them like a node, and
 * applies them with `execute` (throws on rejection) or `apply` (receipt).
 */
export class GameHarness {
  readonly state: GameState = emptyState();
  readonly log: SignedEvent[] = [];
  time = 1_000_000;
  readonly community = 'test-community';

  key(name: string): Ed25519Signer {
    return testKey(name);
  }

  sign(name: string, type: string, payload: Record<string, unknown>, time = this.time): SignedEvent {
    const signer = this.key(name);
    const author = this.state.authors.get(canonicalDid(signer.did));
    return signEvent(signer, { type, community: this.community, payload, prev: author?.head ?? null, nonce: (author?.nonce ?? 0) + 1, time });
  }

  /** Verifies and applies; throws the rejection, leaving state unchanged. */
  async run(name: string, type: string, payload: Record<string, unknown>, time = this.time): Promise<string> {
    const event = this.sign(name, type, payload, time);
    const verified = await verifyEvent(event, { community: this.community });
    await sandboxFor(this.state, type);
    execute(this.state, verified);
    this.log.push(event);
    return verified.cid;
  }

  /** Log semantics: applies with a receipt (rejections recorded, not thrown). */
  async applyEvent(event: SignedEvent): Promise<Receipt> {
    const verified = await verifyEvent(event, { community: this.community });
    this.log.push(event);
    await sandboxFor(this.state, event.type);
    return apply(this.state, verified);
  }

  async create(options: { trading?: 'sealed' | 'continuous'; treasury?: number; members?: string[]; each?: number } = {}): Promise<void> {
    const admin = this.key('admin').did;
    await this.run('admin', 'community.create', {
      name: 'Test community',
      config: { trading: options.trading ?? 'sealed', admins: [admin], resolver: admin },
      treasury: units(options.treasury ?? 10_000),
      mint: (options.members ?? []).map((m) => ({ to: this.key(m).did, amount: units(options.each ?? 1_000) })),
    });
  }

  /** Schedules a round (trading ends in 1 s, reveals in 2 s of event time); returns the seed to resolve with. */
  async scheduleRound(round: number, options: { subsidy?: number } = {}): Promise<string> {
    const seed = hex32(`seed-${round}`);
    await this.run('admin', 'round.schedule', {
      round,
      subsidyPerItem: units(options.subsidy ?? 10),
      tradingDeadline: this.time + 1000,
      revealDeadline: this.time + 2000,
      seedCommitment: createHash('sha256').update(Buffer.from(seed, 'hex')).digest('hex'),
    });
    return seed;
  }

  /** Schedules, fills and opens a round of admin items; returns the seed to resolve with. */
  async openRound(round: number, items: string[], options: { subsidy?: number; outcomes?: number } = {}): Promise<string> {
    const seed = await this.scheduleRound(round, options);
    await this.run('admin', 'round.items', { round, items: items.map((id) => ({ id, outcomes: options.outcomes ?? 2, input: { text: `item ${id}` } })) });
    await this.run('admin', 'round.open', { round });
    return seed;
  }

  async commitTrade(name: string, round: number, item: string, model: string, trade: TradeBody, salt = hex32(`${name}-${round}-${item}`).slice(0, 32)): Promise<{ commit: string; trade: TradeBody; salt: string }> {
    const commitment = tradeCommitment({ round, item, model, trade, salt });
    const commit = await this.run(name, 'trade.commit', { round, item, model, commitment, maxCost: trade.maxCost });
    return { commit, trade, salt };
  }
}

export function belief(...probs: number[]): number[] {
  const scaled = probs.map((p) => Math.round(p * 1e12));
  const diff = 1e12 - scaled.reduce((a, b) => a + b, 0);
  scaled[0]! += diff;
  return scaled;
}
