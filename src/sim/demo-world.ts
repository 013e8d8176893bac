import { createHash } from 'node:crypto';
import { UNIT } from '../core/money.js';
import type { SignedEvent } from '../events/envelope.js';
import { Ed25519Signer } from '../events/keys.js';
import type { Engine } from '../engine/engine.js';
import { EmbeddedClient } from '../sdk/embedded-client.js';
import { Operator } from '../sdk/operator.js';
import type { BankrollRule } from '../sdk/operator-bankroll.js';
import { EventChain } from '../sdk/operator-chain.js';
import { PublicHistory, type LabeledExample } from '../sdk/operator-history.js';
import type { ModelStrategy } from '../sdk/operator-strategy.js';
import type { ProverOptions } from '../sdk/operator-proofs.js';
import { CommitteeMember, LogFollower, colludeOnWrongLabels, resolveDueRounds, type Collusion } from '../sdk/member.js';
import { chunkItems, type DemoRoundSet } from './demo-data.js';

/** Simulated clock: 2026-01-01T00:00Z, one hour per round, so the same seed signs the same events. */
export const DEMO_EPOCH = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;
const ROUND_MS = 120 * MINUTE;

export type WorldConfig = {
  seed: number;
  community: string;
  subsidyPerItem: bigint;
  budget: bigint;
  bankroll: bigint;
  rule: BankrollRule;
  bootstrap: LabeledExample[];
  strategies: ModelStrategy[];
  /**
   * Committee path: `members` bonded member bots, `size` seats drawn per round, `adversarial` the
   * fraction of seats that collude on a wrong label. Absent: the community resolver labels.
   */
  committee?: { members: number; size: number; adversarial: number; bond: bigint; reward: bigint };
  /** Dataset truth by item id: what honest members label. */
  truth?: ReadonlyMap<string, number>;
  /** The community requires proofs and operators prove as these options say (demo --proofs). */
  proofs?: ProverOptions;
  /** Called with a round's reveal events (batch proofs first) before they are appended. */
  beforeReveals?: (round: number, events: readonly SignedEvent[]) => Promise<void>;
  /** The community's `config.items`: members may submit candidate items (demo-flags.ts). */
  memberItems?: Record<string, unknown>;
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
    labelCommit: start + 32 * MINUTE,
    labelReveal: start + 50 * MINUTE,
    resolve: start + 51 * MINUTE,
    settle: start + 52 * MINUTE,
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
  readonly members: CommitteeMember[] = [];
  readonly follower: LogFollower;
  collusion: Collusion | undefined;
  readonly #seed: number;

  private constructor(readonly engine: Engine, readonly config: WorldConfig) {
    this.client = new EmbeddedClient(engine);
    this.#seed = config.seed;
    this.admin = new EventChain(demoKey(config.seed, 'admin'), config.community);
    this.follower = new LogFollower(this.client);
    for (let i = 0; i < (config.committee?.members ?? 0); i++) {
      this.members.push(
        new CommitteeMember({
          client: this.client,
          signer: demoKey(config.seed, `member:${i}`),
          follower: this.follower,
          label: (item) => config.truth?.get(item.item) ?? 0,
          random: deterministicBytes(`hindsight-demo-member:${config.seed}:${i}`),
        }),
      );
    }
    if (config.committee && config.committee.adversarial > 0) this.collusion = colludeOnWrongLabels(this.members, config.committee.adversarial);
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
          ...(config.proofs ? { proofs: config.proofs } : {}),
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
          config: {
            trading: 'sealed',
            admins: [admin],
            resolver: admin,
            ...(config.proofs ? { requireProofs: true } : {}),
            ...(config.committee ? { committee: { size: config.committee.size, minBond: config.committee.bond.toString(), rewardPerRound: config.committee.reward.toString() } } : {}),
            ...(config.memberItems ? { items: config.memberItems } : {}),
          },
          treasury: config.budget.toString(),
          mint: [
            ...world.operators.map((o) => ({ to: o.did, amount: config.bankroll.toString() })),
            ...world.members.map((m) => ({ to: m.did, amount: (config.committee!.bond * 2n).toString() })),
          ],
        },
        DEMO_EPOCH,
      ),
    ]);
    for (const m of world.members) await m.start(DEMO_EPOCH + 1000);
    return world;
  }

  /** Appends a batch in one transaction; any refusal is a bug in the simulation, so it throws. */
  async submit(events: readonly SignedEvent[]): Promise<void> {
    if (events.length === 0) return;
    const outcomes = await this.engine.submitMany([...events]);
    const failed = outcomes.find((o) => !o.ok);
    if (failed && !failed.ok) throw failed.error;
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
    await this.config.beforeReveals?.(round, reveals);
    await this.submit(reveals);
  }

  /**
   * Labels: with a committee, the seated members commit labels after the trading deadline, reveal
   * them after the trade-reveal deadline, and anyone resolves; otherwise the community resolver
   * publishes labels and the ordering seed.
   */
  async resolve(set: DemoRoundSet): Promise<void> {
    const t = roundTimes(set.round);
    if (this.members.length > 0) {
      for (const m of this.members) await m.step(t.labelCommit);
      for (const m of this.members) await m.step(t.labelReveal);
      await resolveDueRounds(this.client, demoKey(this.#seed, 'keeper'), this.follower, t.resolve);
      return;
    }
    const labels = set.items.map((i) => ({ item: i.id, outcome: set.labels.get(i.id) ?? null }));
    await this.submit([this.admin.next('round.resolve', { round: set.round, seed: this.roundSeed(set.round), labels }, t.resolve)]);
  }

  async settle(round: number): Promise<void> {
    await this.submit([this.admin.next('round.settle', { round }, roundTimes(round).settle)]);
  }
}

/** A reproducible stand-in for crypto.randomBytes (member bots' keys, nonces and salts in a simulation). */
export function deterministicBytes(tag: string): (n: number) => Uint8Array {
  let counter = 0;
  return (n) => {
    const out = Buffer.alloc(n);
    for (let at = 0; at < n; at += 32) sha(`${tag}:${counter++}`).copy(out, at, 0, Math.min(32, n - at));
    return new Uint8Array(out);
  };
}

export const units = (n: number): bigint => BigInt(Math.round(n * 1_000_000)) * (UNIT / 1_000_000n);
