import { randomBytes } from 'node:crypto';
import { canonicalDid } from '../events/did.js';
import type { Signer } from '../events/keys.js';
import { memberView } from '../game/committee-view.js';
import type { ItemState } from '../game/state.js';
import type { Dataset } from '../ml/data/dataset.js';
import type { HindsightClient } from './client.js';
import { FEATURE_SCALE } from './operator-strategy.js';
import { CommitteeMember, type ItemDraft, type Labeler, type StepReport } from './member.js';

/**
 * A member as a long-running process (what `hindsight member run` drives): it joins and bonds once,
 * then on every tick submits a few items from its pool to each scheduled round, publishes their
 * keys when the round opens, and commits and reveals labels when the sortition seats it. It labels
 * from the same pool (the label it knows for an input); an input it does not know gets outcome 0.
 * Each round that ends (settled or voided) yields one status.
 */

export type PoolItem = { input: ItemState['input']; label: number };
export type ItemPool = { outcomes: number; items: PoolItem[] };

/** A labeled dataset as a member's pool: texts cut to `maxText` characters, features as integers (× FEATURE_SCALE) as items carry them. */
export function poolFromDataset(dataset: Dataset, maxText = 2000): ItemPool {
  return {
    outcomes: dataset.labels.length,
    items: dataset.items.map((item) => ({
      input: dataset.kind === 'text' ? { text: (item.text ?? '').slice(0, maxText) } : { features: (item.features ?? []).map((v) => Math.round(v * FEATURE_SCALE)) },
      label: item.label,
    })),
  };
}

/** The key a pool looks an input up by: its text, or its integer features. */
function inputKey(input: ItemState['input'] | null | undefined): string {
  if (!input) return '';
  return 'text' in input ? `t:${input.text}` : `f:${input.features.join(',')}`;
}

/** Labels an item with what the pool says about its input (0 when the pool does not have it). */
export function poolLabeler(pool: ItemPool): Labeler & { known(input: ItemState['input']): boolean } {
  const labels = new Map(pool.items.map((x) => [inputKey(x.input), x.label]));
  return Object.assign((item: { input: ItemState['input'] }) => labels.get(inputKey(item.input)) ?? 0, { known: (input: ItemState['input']) => labels.has(inputKey(input)) });
}

export type RoundStatus = {
  round: number;
  phase: string;
  /** Items this member submitted to the round, and how many of them it published keys for. */
  submitted: number;
  keyed: number;
  /** Drawn to the round's committee; labels committed and revealed. */
  seated: boolean;
  committed: number;
  revealed: number;
  /** Of the revealed labels, how many the committee's final label agrees with. */
  agreed: number;
  reward: string;
  penalty: string;
  bond: string;
  balance: string;
  rejected: { type: string; code: string }[];
};

export type MemberRunnerOptions = {
  client: HindsightClient;
  signer: Signer;
  pool: ItemPool;
  /** Items to submit per scheduled round (default 2). */
  perRound?: number;
  /** Micro-units to keep bonded (default: the committee's minBond). */
  bond?: bigint;
  random?: (n: number) => Uint8Array;
};

type Tally = { submitted: Set<string>; keyed: Set<string>; committed: boolean; revealed: boolean; rejected: { type: string; code: string }[] };

export class MemberRunner {
  readonly member: CommitteeMember;
  readonly did: string;
  readonly #pool: ItemPool;
  readonly #perRound: number;
  readonly #tallies = new Map<number, Tally>();
  readonly #reported = new Set<number>();
  #cursor: number;

  constructor(readonly options: MemberRunnerOptions) {
    this.#pool = options.pool;
    this.#perRound = options.perRound ?? 2;
    const random = options.random ?? ((n: number) => new Uint8Array(randomBytes(n)));
    // Members sharing a pool start at different places in it, so their items differ.
    this.#cursor = Buffer.from(random(4)).readUInt32BE(0) % Math.max(1, options.pool.items.length);
    this.member = new CommitteeMember({
      client: options.client,
      signer: options.signer,
      label: poolLabeler(options.pool),
      bond: options.bond,
      random,
      items: () => this.#draw(),
    });
    this.did = canonicalDid(options.signer.did);
  }

  #draw(): ItemDraft[] {
    const items = this.#pool.items;
    const out: ItemDraft[] = [];
    for (let i = 0; i < Math.min(this.#perRound, items.length); i++) {
      out.push({ input: items[this.#cursor]!.input, outcomes: this.#pool.outcomes });
      this.#cursor = (this.#cursor + 1) % items.length;
    }
    return out;
  }

  /** Joins and bonds; rounds already over when it starts are never reported. */
  async start(time: number): Promise<void> {
    await this.member.start(time);
    for (const r of this.member.follower.state.rounds.values()) if (r.phase === 'settled' || r.phase === 'void') this.#reported.add(r.round);
  }

  /** One step at `time`; returns the status of every round that ended since the last tick. */
  async tick(time: number): Promise<RoundStatus[]> {
    const report = await this.member.step(time);
    this.#tally(report);
    const state = this.member.follower.state;
    const out: RoundStatus[] = [];
    for (const r of state.rounds.values()) {
      if (this.#reported.has(r.round) || (r.phase !== 'settled' && r.phase !== 'void')) continue;
      this.#reported.add(r.round);
      const t = this.#tallies.get(r.round);
      const c = r.committee;
      const mine = c?.reveals.get(this.did);
      let agreed = 0;
      for (const [item, reveal] of mine ?? []) if (reveal && c!.labels.get(item) === reveal.label) agreed++;
      const m = memberView(state, this.did);
      out.push({
        round: r.round,
        phase: r.phase,
        submitted: t?.submitted.size ?? 0,
        keyed: t?.keyed.size ?? 0,
        seated: c?.members.includes(this.did) ?? false,
        committed: c?.commits.get(this.did)?.size ?? 0,
        revealed: mine?.size ?? 0,
        agreed,
        reward: (c?.rewards.get(this.did) ?? 0n).toString(),
        penalty: (c?.penalties.get(this.did) ?? 0n).toString(),
        bond: m?.bond ?? '0',
        balance: (state.ledger.balances.get(this.did) ?? 0n).toString(),
        rejected: t?.rejected ?? [],
      });
      this.#tallies.delete(r.round);
    }
    return out;
  }

  #tally(report: StepReport): void {
    const of = (round: number): Tally => {
      let t = this.#tallies.get(round);
      if (!t) this.#tallies.set(round, (t = { submitted: new Set(), keyed: new Set(), committed: false, revealed: false, rejected: [] }));
      return t;
    };
    for (const id of report.submitted) {
      const s = this.member.submissions.get(id);
      if (s) of(s.round).submitted.add(id);
    }
    for (const id of report.keys) {
      const s = this.member.submissions.get(id);
      if (s) of(s.round).keyed.add(id);
    }
    for (const round of report.committed) of(round).committed = true;
    for (const round of report.revealed) of(round).revealed = true;
    const latest = Math.max(0, ...this.member.follower.state.rounds.keys());
    for (const x of report.rejected) of(latest).rejected.push({ type: x.type, code: x.code });
  }
}
