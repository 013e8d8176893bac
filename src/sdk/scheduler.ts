import { createHash, randomBytes } from 'node:crypto';
import { HindsightError, ValidationError } from '../core/errors.js';
import type { Signer } from '../events/keys.js';
import type { ItemInput } from '../events/types/core.js';
import type { RoundState } from '../game/state.js';
import type { HindsightClient } from './client.js';
import { LogFollower, resolveDueRounds } from './member.js';
import { EventChain } from './operator-chain.js';

/**
 * The community admin as a clock: every `roundMs` it schedules a round, and it drives each round
 * through its phases at fixed fractions of that period — open (items submitted by members, or the
 * fallback items if none came), close at the trading deadline, label.resolve once the committee has
 * revealed (or at the label reveal deadline), settle. A round that missed its opening is voided.
 * Deadlines are wall-clock times, since a node with a clock judges events by it.
 */

/** When each phase happens, as a fraction of the round period. */
export const ROUND_PLAN = { open: 0.3, tradingDeadline: 0.55, revealDeadline: 0.75, labelRevealDeadline: 0.95 } as const;

export type SchedulerOptions = {
  client: HindsightClient;
  /** An admin of the community (config.admins). */
  signer: Signer;
  roundMs: number;
  subsidyPerItem: bigint;
  /** Schedule this many rounds, then only finish them (default: no end). */
  rounds?: number;
  /** Admin items for a round no member submitted to (else such a round is voided at its opening). */
  fallbackItems?: (round: number) => ItemInput[];
  /**
   * Operators that just started train their first model slowly (modules to load, code to warm up).
   * The first round gets `warmupMs` more before its deadlines, and opens as soon as this many
   * operators have committed a model (at 0.3 P at the earliest), else at its stretched opening time.
   */
  awaitOperators?: number;
  warmupMs?: number;
};

export type SchedulerEvent = { round: number; phase: 'scheduled' | 'opened' | 'closed' | 'resolved' | 'settled' | 'voided' | 'refused'; time: number; seq: number; detail?: string };

type Plan = { t0: number; warmup: number; earliestOpen: number; open: number; tradingDeadline: number; revealDeadline: number; labelRevealDeadline: number };

export class RoundScheduler {
  readonly follower: LogFollower;
  readonly plans = new Map<number, Plan>();
  /** Rounds that ended (settled or voided), with when they were scheduled and ended. */
  readonly finished = new Map<number, { phase: 'settled' | 'voided'; scheduledAt: number; endedAt: number; warmupMs: number }>();
  readonly #options: SchedulerOptions;
  #chain: EventChain | null = null;
  #next = 0;
  #scheduled = 0;

  constructor(options: SchedulerOptions) {
    this.#options = options;
    this.follower = new LogFollower(options.client);
  }

  /** Every round it scheduled has ended and no more are due. */
  get done(): boolean {
    return this.#options.rounds !== undefined && this.#scheduled >= this.#options.rounds && this.finished.size >= this.#scheduled;
  }

  async #send(type: string, payload: Record<string, unknown>, time: number): Promise<number> {
    if (!this.#chain) {
      const community = this.follower.state.community?.id;
      if (!community) throw new ValidationError('community.missing', 'community: expected a node with a community, got none', { field: 'community' });
      this.#chain = new EventChain(this.#options.signer, community);
      await this.#chain.sync(this.#options.client);
    }
    try {
      return (await this.#options.client.submit(this.#chain.next(type, payload, time))).seq;
    } catch (error) {
      await this.#chain.sync(this.#options.client);
      throw error;
    }
  }

  /** Does whatever is due at wall-clock time `now`; returns what it did. */
  async tick(now: number): Promise<SchedulerEvent[]> {
    const out: SchedulerEvent[] = [];
    const state = await this.follower.sync();
    if (this.#next === 0) this.#next = now;
    if (now >= this.#next && (this.#options.rounds === undefined || this.#scheduled < this.#options.rounds)) {
      out.push(await this.#schedule(Math.max(0, ...state.rounds.keys()) + 1, now));
      this.#next += this.#options.roundMs;
    }
    for (const [round, plan] of this.plans) {
      if (this.finished.has(round)) continue;
      const r = (await this.follower.sync()).rounds.get(round);
      if (!r) continue;
      const event = await this.#advance(r, plan, Date.now());
      if (event) out.push(event);
    }
    return out;
  }

  async #schedule(round: number, now: number): Promise<SchedulerEvent> {
    const P = this.#options.roundMs;
    const warmup = this.#scheduled === 0 ? this.#options.warmupMs ?? 0 : 0;
    this.#next += warmup;
    const at = (f: number) => now + warmup + Math.round(P * f);
    const plan: Plan = { t0: now, warmup, earliestOpen: now + Math.round(P * ROUND_PLAN.open), open: at(ROUND_PLAN.open), tradingDeadline: at(ROUND_PLAN.tradingDeadline), revealDeadline: at(ROUND_PLAN.revealDeadline), labelRevealDeadline: at(ROUND_PLAN.labelRevealDeadline) };
    // Committee rounds take their ordering seed from the members' salts; the resolver's commitment is unused.
    const seedCommitment = createHash('sha256').update(randomBytes(32)).digest('hex');
    const seq = await this.#send('round.schedule', {
      round,
      subsidyPerItem: this.#options.subsidyPerItem.toString(),
      tradingDeadline: plan.tradingDeadline,
      revealDeadline: plan.revealDeadline,
      labelRevealDeadline: plan.labelRevealDeadline,
      seedCommitment,
    }, now);
    this.plans.set(round, plan);
    this.#scheduled++;
    return { round, phase: 'scheduled', time: now, seq };
  }

  async #advance(r: RoundState, plan: Plan, now: number): Promise<SchedulerEvent | null> {
    const round = r.round;
    const end = (phase: 'settled' | 'voided', seq: number, detail?: string): SchedulerEvent => {
      this.finished.set(round, { phase, scheduledAt: plan.t0, endedAt: now, warmupMs: plan.warmup });
      return { round, phase, time: now, seq, ...(detail ? { detail } : {}) };
    };
    try {
      if (r.phase === 'scheduled') {
        if (now < plan.earliestOpen) return null;
        const owners = new Set([...this.follower.state.models.values()].map((m) => m.owner)).size;
        if (now < plan.open && (plan.open === plan.earliestOpen || owners < (this.#options.awaitOperators ?? 0))) return null;
        if (now >= plan.tradingDeadline) return end('voided', await this.#send('round.void', { round, reason: 'not opened before its trading deadline' }, now), 'missed its opening');
        const pending = [...r.submissions.values()].filter((s) => s.status === 'pending').length;
        const fallback = pending + r.items.size === 0 ? this.#options.fallbackItems?.(round) ?? [] : [];
        if (pending + r.items.size + fallback.length === 0) return end('voided', await this.#send('round.void', { round, reason: 'no items' }, now), 'no items');
        if (fallback.length) await this.#send('round.items', { round, items: fallback }, now);
        return { round, phase: 'opened', time: now, seq: await this.#send('round.open', { round }, now), detail: `${pending} member item(s), ${r.items.size + fallback.length} admin item(s)` };
      }
      if (r.phase === 'trading') return now >= plan.tradingDeadline ? { round, phase: 'closed', time: now, seq: await this.#send('round.close', { round }, now) } : null;
      if (r.phase === 'revealing') {
        const resolved = await resolveDueRounds(this.#options.client, this.#options.signer, this.follower, now);
        if (this.#chain) await this.#chain.sync(this.#options.client); // resolveDueRounds signed outside the chain
        return resolved.includes(round) ? { round, phase: 'resolved', time: now, seq: (await this.follower.sync()).seq } : null;
      }
      if (r.phase === 'resolved') return end('settled', await this.#send('round.settle', { round }, now));
      if (r.phase === 'settled') return end('settled', this.follower.state.seq);
      if (r.phase === 'void') return end('voided', this.follower.state.seq);
    } catch (error) {
      // A refusal (a race with another writer, a deadline that slipped) is retried on the next tick.
      if (!(error instanceof HindsightError)) throw error;
      return { round, phase: 'refused', time: now, seq: this.follower.state.seq, detail: `${error.code}: ${error.message}` };
    }
    return null;
  }

  /** Mean time from scheduling to the end of a round, over rounds that settled, the first round's warm-up left out (ms). */
  meanRoundMs(): number | null {
    const settled = [...this.finished.values()].filter((f) => f.phase === 'settled');
    return settled.length ? settled.reduce((a, f) => a + (f.endedAt - f.scheduledAt - f.warmupMs), 0) / settled.length : null;
  }
}
