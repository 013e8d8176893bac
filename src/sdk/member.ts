import { randomBytes } from 'node:crypto';
import type { ErrorCode } from '../core/error-codes.js';
import { HindsightError, ValidationError, expectedGot } from '../core/errors.js';
import { canonicalDid } from '../events/did.js';
import type { Signer } from '../events/keys.js';
import { signEvent } from '../events/sign.js';
import type { Attestation } from '../events/types/committee.js';
import { verifyEvent } from '../events/verify.js';
import { apply } from '../game/apply.js';
import { sandboxFor } from '../engine/sandbox-loader.js';
import { bucketOf } from '../game/resolvers.js';
import { isLabelable, itemBuckets, sealItem, submittedItemId } from '../game/items.js';
import { allRevealed, labelCommitment } from '../game/labels.js';
import { emptyState, type GameState, type ItemState, type RoundState } from '../game/state.js';
import type { HindsightClient } from './client.js';
import { NodeUnavailableError } from './http-client.js';

/**
 * Committee members as bots (the simulation's hooks): a `CommitteeMember` joins, bonds, submits
 * encrypted items, publishes their keys at round open, and commits/reveals labels whenever the
 * sortition seats it. It follows the log through any HindsightClient (embedded or HTTP) by
 * replaying it locally (`LogFollower`), so it sees exactly the state every node computes.
 */

/** Replays a node's log into a local GameState; several bots can share one. */
export class LogFollower {
  state: GameState = emptyState();
  constructor(readonly client: HindsightClient) {}

  async sync(): Promise<GameState> {
    for (;;) {
      const batch = await this.client.events(this.state.seq, 1000);
      if (batch.length === 0) return this.state;
      for (const row of batch) {
        if (row.seq !== this.state.seq + 1) {
          throw new NodeUnavailableError('node.badResponse', `log: expected seq ${this.state.seq + 1} next, got ${row.seq}`, { expected: String(this.state.seq + 1), got: String(row.seq) });
        }
        const verified = await verifyEvent(row.event, { skipSignature: true, maxPayloadBytes: 1 << 20 });
        await sandboxFor(this.state, verified.event.type);
        apply(this.state, verified);
      }
    }
  }
}

export type ItemDraft = { input: ItemState['input']; outcomes: number; buckets?: number[] };
export type LabelInput = { round: number; item: string; outcomes: number; buckets: number[] | null; input: ItemState['input'] };
/** Item → label: an outcome index for categorical items, a value for scalar (bucketed) items. */
export type Labeler = (item: LabelInput) => number;

/** A label that is wrong in a coordinated way: the next outcome, or a value in another bucket. */
export function wrongLabel(honest: number, item: Pick<LabelInput, 'outcomes' | 'buckets'>): number {
  if (!item.buckets) return (honest + 1) % item.outcomes;
  return bucketOf(honest, item.buckets) === 0 ? item.buckets[item.buckets.length - 1]! : item.buckets[0]! - 1;
}

/**
 * Collusion for the demo: in every round the first ⌊F · seats⌋ seat holders (in draw order) that
 * share this object reveal the same wrong label. F < ½ must never flip a label (labels.test.ts).
 */
export class Collusion {
  constructor(readonly fraction: number) {
    if (!(fraction >= 0 && fraction <= 1)) throw expectedGot('collusion.badFraction', 'fraction', '0 ≤ F ≤ 1', fraction);
  }

  colluders(seats: readonly string[]): Set<string> {
    return new Set(seats.slice(0, Math.floor(this.fraction * seats.length + 1e-9)));
  }
}

export function colludeOnWrongLabels(bots: CommitteeMember[], fraction: number): Collusion {
  const collusion = new Collusion(fraction);
  for (const bot of bots) bot.collusion = collusion;
  return collusion;
}

export type CommitteeMemberOptions = {
  client: HindsightClient;
  signer: Signer;
  label: Labeler;
  /** Micro-units to keep bonded (default: the committee's minBond). */
  bond?: bigint;
  follower?: LogFollower;
  attestation?: Attestation;
  /** Candidate items to submit for a scheduled round (called once per round). */
  items?: (round: number) => ItemDraft[];
  collusion?: Collusion;
  /** Source of secret bytes (keys, nonces, salts); default crypto.randomBytes. */
  random?: (n: number) => Uint8Array;
};

export type StepReport = { submitted: string[]; keys: string[]; committed: number[]; revealed: number[]; rejected: { type: string; code: ErrorCode; message: string }[] };

type LabelPlan = { item: string; label: number; salt: string }[];
/** Items per label.commit / label.reveal event: 250 keeps even 64-character item ids under the 64 KiB payload limit (the schema allows 500). */
const CHUNK = 250;

export class CommitteeMember {
  readonly did: string;
  readonly follower: LogFollower;
  collusion: Collusion | undefined;
  /** Items this bot submitted: id → draft and key (what the demo needs for its truth table). */
  readonly submissions = new Map<string, { round: number; draft: ItemDraft; key: string; published: boolean }>();
  readonly #plans = new Map<number, LabelPlan>();
  readonly #submittedRounds = new Set<number>();
  #community: string | undefined;

  constructor(readonly options: CommitteeMemberOptions) {
    this.did = canonicalDid(options.signer.did);
    this.follower = options.follower ?? new LogFollower(options.client);
    this.collusion = options.collusion;
  }

  #hex(n: number): string {
    return Buffer.from((this.options.random ?? randomBytes)(n)).toString('hex');
  }

  async #send(type: string, payload: Record<string, unknown>, time: number): Promise<string> {
    this.#community ??= (await this.options.client.community())?.id;
    if (!this.#community) throw new ValidationError('community.missing', 'community: expected an initialised community on this node, got none', { field: 'community' });
    const author = await this.options.client.author(this.options.signer.did);
    const event = signEvent(this.options.signer, { type, community: this.#community, payload, prev: author.head, nonce: author.nonce + 1, time });
    return (await this.options.client.submit(event)).cid;
  }

  async #try(report: StepReport, type: string, payload: Record<string, unknown>, time: number): Promise<string | null> {
    try {
      return await this.#send(type, payload, time);
    } catch (error) {
      if (!(error instanceof HindsightError)) throw error;
      report.rejected.push({ type, code: error.code, message: error.message });
      return null;
    }
  }

  /** Joins (if not a member) and tops the bond up to the target. */
  async start(time: number): Promise<void> {
    const state = await this.follower.sync();
    const config = state.community?.config.committee;
    const target = this.options.bond ?? BigInt(config?.minBond ?? '0');
    const me = state.members.get(this.did);
    if (!me || me.left) await this.#send('member.join', this.options.attestation ? { attestation: this.options.attestation } : {}, time);
    const have = me && !me.left ? me.bond : 0n;
    if (target > have) await this.#send('member.bond', { amount: (target - have).toString() }, time);
  }

  /** Does whatever is due at event time `time`: submit items, publish keys, commit or reveal labels. */
  async step(time: number): Promise<StepReport> {
    const report: StepReport = { submitted: [], keys: [], committed: [], revealed: [], rejected: [] };
    const state = await this.follower.sync();
    for (const r of state.rounds.values()) {
      if (r.phase === 'scheduled' && this.options.items && !this.#submittedRounds.has(r.round)) await this.#submitItems(r, time, report);
      if (r.phase === 'trading' && time < r.tradingDeadline) await this.#publishKeys(r, time, report);
      const c = r.committee;
      if (!c || c.resolved || !c.members.includes(this.did) || (r.phase !== 'trading' && r.phase !== 'revealing')) continue;
      if (!this.#plans.has(r.round) && !c.commits.has(this.did) && time >= r.tradingDeadline && time < r.labelCommitDeadline) await this.#commit(r, time, report);
      else if (this.#plans.has(r.round) && time >= r.revealDeadline && time < r.labelRevealDeadline) await this.#reveal(r, time, report);
    }
    return report;
  }

  async #submitItems(r: RoundState, time: number, report: StepReport): Promise<void> {
    this.#submittedRounds.add(r.round);
    for (const draft of this.options.items!(r.round)) {
      const key = this.#hex(32);
      const sealed = sealItem({ input: draft.input, key, nonce: this.#hex(24), salt: this.#hex(16) });
      const cid = await this.#try(report, 'item.submit', { round: r.round, outcomes: draft.outcomes, ...(draft.buckets ? { buckets: draft.buckets } : {}), ...sealed }, time);
      if (!cid) continue;
      const id = submittedItemId(cid);
      this.submissions.set(id, { round: r.round, draft, key, published: false });
      report.submitted.push(id);
    }
  }

  async #publishKeys(r: RoundState, time: number, report: StepReport): Promise<void> {
    for (const [id, s] of this.submissions) {
      if (s.round !== r.round || s.published || r.submissions.get(id)?.status !== 'pending') continue;
      s.published = true;
      if (await this.#try(report, 'item.key', { round: r.round, item: id, key: s.key }, time)) report.keys.push(id);
    }
  }

  async #commit(r: RoundState, time: number, report: StepReport): Promise<void> {
    const colluding = this.collusion?.colluders(r.committee!.members).has(this.did) ?? false;
    const plan: LabelPlan = [];
    for (const item of r.items.values()) {
      if (!isLabelable(r, item.id)) continue;
      const input: LabelInput = { round: r.round, item: item.id, outcomes: item.outcomes, buckets: itemBuckets(r, item.id), input: item.input };
      const honest = this.options.label(input);
      plan.push({ item: item.id, label: colluding ? wrongLabel(honest, input) : honest, salt: this.#hex(16) });
    }
    if (plan.length === 0) return;
    const commits = plan.map((x) => ({ item: x.item, commitment: labelCommitment({ round: r.round, item: x.item, member: this.did, label: x.label, salt: x.salt }) }));
    // Kept before submitting: the salts of any chunk the node accepts must survive a later refusal.
    this.#plans.set(r.round, plan);
    let ok = true;
    for (let i = 0; i < commits.length; i += CHUNK) {
      if (!(await this.#try(report, 'label.commit', { round: r.round, commits: commits.slice(i, i + CHUNK) }, time))) ok = false;
    }
    if (ok) report.committed.push(r.round);
  }

  async #reveal(r: RoundState, time: number, report: StepReport): Promise<void> {
    const committed = r.committee!.commits.get(this.did);
    const revealed = r.committee!.reveals.get(this.did);
    const due = this.#plans.get(r.round)!.filter((x) => committed?.has(x.item) && !revealed?.has(x.item));
    if (due.length === 0) return;
    let ok = true;
    for (let i = 0; i < due.length; i += CHUNK) {
      if (!(await this.#try(report, 'label.reveal', { round: r.round, reveals: due.slice(i, i + CHUNK) }, time))) ok = false;
    }
    if (ok) report.revealed.push(r.round);
  }
}

/** Submits label.resolve for every committee round that can resolve at `time` (anyone may). */
export async function resolveDueRounds(client: HindsightClient, signer: Signer, follower: LogFollower, time: number): Promise<number[]> {
  const state = await follower.sync();
  const done: number[] = [];
  const community = state.community?.id;
  if (!community) return done;
  for (const r of state.rounds.values()) {
    const c = r.committee;
    if (!c || c.resolved || (r.phase !== 'trading' && r.phase !== 'revealing')) continue;
    if (!(time >= r.labelRevealDeadline || (allRevealed(c) && time >= r.revealDeadline))) continue;
    const author = await client.author(signer.did);
    await client.submit(signEvent(signer, { type: 'label.resolve', community, payload: { round: r.round }, prev: author.head, nonce: author.nonce + 1, time }));
    done.push(r.round);
  }
  return done;
}

export type CommitteeSummary = { size: number; adversarial: number; labelAccuracy: number; penalized: number };

/**
 * The demo's `"committee"` summary: seats per committee, colluding seats per committee (the most in
 * any round), the share of committee-resolved items whose label equals the dataset's true label,
 * and the number of members who lost bond.
 */
export function committeeSummary(state: GameState, truth: (round: number, item: string) => number | undefined, collusion?: Collusion): CommitteeSummary {
  let adversarial = 0;
  let resolved = 0;
  let correct = 0;
  for (const r of state.rounds.values()) {
    const c = r.committee;
    if (!c) continue;
    if (collusion) adversarial = Math.max(adversarial, collusion.colluders(c.members).size);
    if (!c.resolved) continue;
    for (const [item, label] of c.labels) {
      const t = truth(r.round, item);
      if (label === null || t === undefined) continue;
      resolved++;
      if (label === t) correct++;
    }
  }
  const penalized = [...state.members.values()].filter((m) => m.slashed > 0n).length;
  return { size: state.community?.config.committee?.size ?? 0, adversarial, labelAccuracy: resolved === 0 ? 0 : correct / resolved, penalized };
}
