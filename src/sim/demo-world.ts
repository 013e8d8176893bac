import { createHash } from 'node:crypto';
import { HindsightError } from '../core/errors.js';
import { UNIT } from '../core/money.js';
import type { SignedEvent } from '../events/envelope.js';
import { Ed25519Signer } from '../events/keys.js';
import type { Engine } from '../node/engine.js';
import { EmbeddedClient } from '../sdk/embedded-client.js';
import { Operator } from '../sdk/operator.js';
import type { BankrollRule } from '../sdk/operator-bankroll.js';
import { EventChain } from '../sdk/operator-chain.js';
import { PublicHistory, type LabeledExample } from '../sdk/operator-history.js';
import type { ModelStrategy } from '../sdk/operator-strategy.js';
import { chunkItems, type DemoRoundSet } from './demo-data.js';

/** Simulated clock: 2026-01-01T00:00Z, one hour per round, so the same seed signs the same events. */
export const DEMO_EPOCH = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;
const ROUND_MS = 60 * MINUTE;

export type WorldConfig = {
  seed: number;
  community: string;
  subsidyPerItem: bigint;
  budget: bigint;
  bankroll: bigint;
  rule: BankrollRule;
  bootstrap: LabeledExample[];
  strategies: ModelStrategy[];
};

const sha = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Deterministic identities for a simulation: the same seed and role give the same did:key. */
export function demoKey(seed: number, role: string): Ed25519Signer {
  return Ed25519Signer.fromSeed(new Uint8Array(sha(`hindsight-demo:${seed}:${role}`)));
}

/** A demo round's timeline (ms): phases happen at fixed offsets from the round's start. */
export function roundTimes(round: number) {
  const start = DEMO_EPOCH + round * ROUND_MS;
  return {
    schedule: start,
    commit: start + 1 * MINUTE,
    open: start + 2 * MINUTE,
    trade: start + 10 * MINUTE,
    tradingDeadline: start + 30 * MINUTE,
    reveal: start + 31 * MINUTE,
    revealDeadline: start + 50 * MINUTE,
    resolve: start + 40 * MINUTE,
    settle: start + 41 * MINUTE,
  };
}

/**
 * The simulated community: an admin (also the label resolver until a committee resolves), operators
 * with their strategies, all driving one embedded engine. Events of a phase are signed by everyone
 * first and appended as one batch (one transaction), which is what makes the demo fast.
 */
export class DemoWorld {
  readonly client: EmbeddedClient;
  readonly admin: EventChain;
  readonly operators: Operator[];
  readonly #seed: number;

  private constructor(readonly engine: Engine, readonly config: WorldConfig) {
    this.client = new EmbeddedClient(engine);
    this.#seed = config.seed;
    this.admin = new EventChain(demoKey(config.seed, 'admin'), config.community);
    const history = new PublicHistory(this.client, { bootstrap: config.bootstrap });
    this.operators = config.strategies.map(
      (strategy) =>
        new Operator({
          client: this.client,
          signer: demoKey(config.seed, `operator:${strategy.name}`),
          strategy,
          history,
          bankroll: config.rule,
          saltKey: new Uint8Array(sha(`hindsight-demo-salt:${config.seed}:${strategy.name}`)),
        }),
    );
  }

  static async create(engine: Engine, config: WorldConfig): Promise<DemoWorld> {
    const world = new DemoWorld(engine, config);
    const admin = world.admin.did;
    await world.submit([
      world.admin.next(
        'community.create',
        {
          name: `Hindsight demo (${config.community})`,
          config: { trading: 'sealed', admins: [admin], resolver: admin },
          treasury: config.budget.toString(),
          mint: world.operators.map((o) => ({ to: o.did, amount: config.bankroll.toString() })),
        },
        DEMO_EPOCH,
      ),
    ]);
    return world;
  }

  /** Appends a batch in one transaction; any refusal is a bug in the simulation, so it throws. */
  async submit(events: readonly SignedEvent[]): Promise<void> {
    if (events.length === 0) return;
    const outcomes = await this.engine.submitMany([...events]);
    const failed = outcomes.find((o) => !o.ok);
    if (failed && !failed.ok) {
      const e = failed.error;
      throw e instanceof HindsightError ? e : new Error(String(e));
    }
  }

  /** Schedules round n with its items and a committed resolver seed. */
  async schedule(set: DemoRoundSet): Promise<void> {
    const t = roundTimes(set.round);
    const seed = this.roundSeed(set.round);
    const events = [
      this.admin.next(
        'round.schedule',
        {
          round: set.round,
          subsidyPerItem: this.config.subsidyPerItem.toString(),
          tradingDeadline: t.tradingDeadline,
          revealDeadline: t.revealDeadline,
          seedCommitment: createHash('sha256').update(Buffer.from(seed, 'hex')).digest('hex'),
        },
        t.schedule,
      ),
      ...chunkItems(set.items).map((items) => this.admin.next('round.items', { round: set.round, items }, t.schedule)),
    ];
    await this.submit(events);
  }

  /** The resolver's ordering seed for a round (secret until round.resolve reveals it). */
  roundSeed(round: number): string {
    return sha(`hindsight-demo-round-seed:${this.#seed}:${round}`).toString('hex');
  }

  /** Each operator trains on public history and commits its model; then the round opens. */
  async open(round: number): Promise<void> {
    const t = roundTimes(round);
    const commits: SignedEvent[] = [];
    for (const op of this.operators) commits.push(...(await op.prepare(round, t.commit)));
    await this.submit(commits);
    await this.submit([this.admin.next('round.open', { round }, t.open)]);
  }

  async trade(round: number): Promise<void> {
    const t = roundTimes(round);
    const trades: SignedEvent[] = [];
    for (const op of this.operators) trades.push(...(await op.trade(round, t.trade)));
    await this.submit(trades);
  }

  async closeAndReveal(round: number): Promise<void> {
    const t = roundTimes(round);
    await this.submit([this.admin.next('round.close', { round }, t.tradingDeadline)]);
    const reveals: SignedEvent[] = [];
    for (const op of this.operators) reveals.push(...(await op.reveal(round, t.reveal)));
    await this.submit(reveals);
  }

  /** The community resolver publishes the labels and the ordering seed; then the round settles. */
  async resolve(set: DemoRoundSet): Promise<void> {
    const t = roundTimes(set.round);
    const labels = set.items.map((i) => ({ item: i.id, outcome: set.labels.get(i.id) ?? null }));
    await this.submit([this.admin.next('round.resolve', { round: set.round, seed: this.roundSeed(set.round), labels }, t.resolve)]);
  }

  async settle(round: number): Promise<void> {
    await this.submit([this.admin.next('round.settle', { round }, roundTimes(round).settle)]);
  }
}

export const units = (n: number): bigint => BigInt(Math.round(n * 1_000_000)) * (UNIT / 1_000_000n);
