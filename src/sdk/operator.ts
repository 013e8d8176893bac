import { createHmac, randomBytes } from 'node:crypto';
import { ValidationError } from '../core/errors.js';
import type { SignedEvent } from '../events/envelope.js';
import type { Signer } from '../events/keys.js';
import type { TradeBody } from '../events/types/core.js';
import type { ProofAttachment } from '../events/types/zk.js';
import { eventCid } from '../events/envelope.js';
import { tradeCommitment } from '../game/trades.js';
import type { HindsightClient } from './client.js';
import { DEFAULT_BANKROLL, maxCostPerItem, toBelief, trackRecordMultiplier, type BankrollRule } from './operator-bankroll.js';
import { EventChain } from './operator-chain.js';
import type { PublicHistory } from './operator-history.js';
import { isProvenBelief, type ModelStrategy, type OpenItem, type PreparedModel } from './operator-strategy.js';
import { OperatorProver, type ProverOptions } from './operator-proofs.js';
import type { ProvingKit } from '../zk/provable.js';
import type { SavedRound } from './operator-state.js';

export type OperatorOptions = {
  client: HindsightClient;
  signer: Signer;
  strategy: ModelStrategy;
  /** The operator's only source of labels (settled rounds + public bootstrap corpus). */
  history: PublicHistory;
  bankroll?: BankrollRule;
  /** Secret for deriving trade salts (default: random). Fixed in simulations for reproducible logs. */
  saltKey?: Uint8Array;
  /** Floor applied to every traded probability (see toBelief). */
  beliefFloor?: number;
  /** When to prove (default: when the community requires proofs and the model is provable); see OperatorProver. */
  proofs?: ProverOptions;
};

type SealedTrade = { item: string; commit: string; trade: TradeBody; salt: string; proof?: ProofAttachment };

/** What an operator did in one round. */
export type OperatorRound = {
  round: number;
  model: PreparedModel;
  /** Examples the model was trained on and the settled rounds they came from. */
  trainedOn: { examples: number; rounds: number[] };
  trades: Map<string, SealedTrade>;
  /** The belief traded per item, as integers at 10^12. */
  beliefs: Map<string, number[]>;
  revealed: boolean;
  /** Set when this operator proves the round's model: its batch key, circuit and artifact. */
  kit?: ProvingKit;
  /** The items traded, with their public inputs (what the round batch proof covers). */
  traded: OpenItem[];
  /** The community requires proofs and this model has none (not provable, or proofs off): it sits the round out. */
  unproven?: boolean;
  /**
   * Rebuilt in a later process (from a saved round) and the retrained model's hash is not the one
   * committed for the round: it cannot trade more items, only reveal what it sealed.
   */
  retrainedAway?: boolean;
};

/**
 * A model operator: for each round it trains its strategy on public history, commits the model's
 * hash before the round opens, trades every item to the model's belief (sealed commit, max cost from
 * the bankroll rule), and reveals after trading closes, with the belief's proof when the strategy
 * proves its inference. Payouts arrive by settlement. Each phase method returns signed events
 * rather than sending them, so a simulation can batch many operators' events into one append;
 * `step` + `submit` is the self-driving loop for a live node.
 */
export class Operator {
  readonly strategy: ModelStrategy;
  readonly rounds = new Map<number, OperatorRound>();
  readonly #client: HindsightClient;
  readonly #history: PublicHistory;
  readonly #bankroll: BankrollRule;
  readonly #saltKey: Uint8Array;
  readonly #floor: number;
  readonly #signer: Signer;
  #chain: EventChain | null = null;
  readonly prover: OperatorProver;
  #frontier = 1;
  /** Rounds an earlier process of this operator began (operator-state.ts), not yet rebuilt in memory. */
  readonly #restored = new Map<number, SavedRound>();
  readonly #finished = new Set<number>();

  constructor(options: OperatorOptions) {
    this.#client = options.client;
    this.#signer = options.signer;
    this.strategy = options.strategy;
    this.#history = options.history;
    this.#bankroll = options.bankroll ?? DEFAULT_BANKROLL;
    this.#saltKey = options.saltKey ?? new Uint8Array(randomBytes(32));
    this.#floor = options.beliefFloor ?? 1e-4;
    this.prover = new OperatorProver(options.proofs);
  }

  get did(): string {
    return this.#signer.did;
  }

  get name(): string {
    return this.strategy.name;
  }

  async #chainReady(): Promise<EventChain> {
    if (!this.#chain) {
      const community = await this.#client.community();
      if (!community) throw new ValidationError('community.missing', 'community: expected a node with a community, got none', { field: 'community' });
      this.#chain = new EventChain(this.#signer, community.id);
    }
    await this.#chain.ensureSynced(this.#client);
    return this.#chain;
  }

  /** Re-reads the chain head from the node (after a failed or partial submission). */
  async resync(): Promise<void> {
    await (await this.#chainReady()).sync(this.#client);
  }

  /** Before round `round` opens: train on public history, return `model.commit` if the hash is new. */
  async prepare(round: number, time: number): Promise<SignedEvent[]> {
    const chain = await this.#chainReady();
    const { examples, rounds } = await this.#history.examples();
    const classes = examples.reduce((k, e) => Math.max(k, e.outcomes), 2);
    const model = await this.strategy.train(examples, { round, classes });
    const kit = (await this.prover.kitFor(model, this.#client)) ?? undefined;
    const unproven = !kit && !model.vkey && (await this.#client.community())?.config.requireProofs === true;
    this.rounds.set(round, { round, model, trainedOn: { examples: examples.length, rounds }, trades: new Map(), beliefs: new Map(), revealed: false, traded: [], ...(kit ? { kit } : {}), ...(unproven ? { unproven } : {}) });
    if (await this.#client.model(model.modelHash)) return [];
    if (kit) await this.prover.publishKey(kit, chain, this.#client, time);
    const commit = { modelHash: model.modelHash, architecture: model.architecture, name: this.strategy.name, ...(model.vkey ? { vkey: model.vkey, ...(model.artifact ? { featurizer: model.artifact.featurizer } : {}) } : {}), ...(kit ? this.prover.commitFields(kit) : {}) };
    return [chain.next('model.commit', commit, time)];
  }

  /** While round `round` trades: one sealed `trade.commit` per item the model has a belief on. */
  async trade(round: number, time: number): Promise<SignedEvent[]> {
    const record = this.rounds.get(round);
    if (!record || record.unproven || record.retrainedAway) return [];
    const view = await this.#client.round(round);
    if (!view || view.phase !== 'trading' || time >= view.tradingDeadline) return [];
    const chain = await this.#chainReady();
    const items: OpenItem[] = view.items.filter((i) => !record.trades.has(i.id));
    const beliefs = await record.model.beliefs(round, items, this.#client);
    const balance = BigInt((await this.#client.author(this.did)).balance);
    const traded = items.filter((_, i) => beliefs[i] !== null && beliefs[i] !== undefined).length;
    let maxCost = maxCostPerItem(this.#bankroll, balance, traded);
    if (this.#bankroll.trackRecord) {
      const past = (await this.payouts()).filter((p) => p.round < round);
      const items = past.reduce((n, p) => n + (this.rounds.get(p.round)?.trades.size ?? 0), 0);
      const pnl = past.reduce((a, p) => a + p.pnl, 0n);
      const market = view.items[0] ? await this.#client.market(round, view.items[0].id) : null;
      const m = trackRecordMultiplier(this.#bankroll, pnl, items, BigInt(market?.b ?? '0'));
      maxCost = (maxCost * BigInt(Math.round(m * 1_000_000))) / 1_000_000n;
    }
    if (maxCost <= 0n) return [];
    const events: SignedEvent[] = [];
    items.forEach((item, i) => {
      const b = beliefs[i];
      if (!b) return;
      const proof = isProvenBelief(b) ? b.proof : undefined;
      const n = isProvenBelief(b) ? b.belief.length : b.length;
      if (n !== item.outcomes) {
        throw new ValidationError('operator.badBelief', `${this.name} on ${item.id}: expected ${item.outcomes} probabilities, got ${n}`, { field: 'belief' });
      }
      // A proven belief is traded exactly: the node checks it against the proof's scores.
      // With a round batch proof, the belief is the fixed-point one the circuit proves.
      const belief = record.kit ? this.prover.belief(record.kit, item).map(Number) : isProvenBelief(b) ? b.belief.map(Number) : toBelief(b, this.#floor);
      const trade: TradeBody = { kind: 'belief', belief, maxCost: maxCost.toString() };
      const salt = this.#salt(round, item.id);
      const commitment = tradeCommitment({ round, item: item.id, model: record.model.modelHash, trade, salt });
      const event = chain.next('trade.commit', { round, item: item.id, model: record.model.modelHash, commitment, maxCost: trade.maxCost }, time);
      events.push(event);
      record.trades.set(item.id, { item: item.id, commit: eventCid(event), trade, salt, ...(proof ? { proof } : {}) });
      record.beliefs.set(item.id, belief);
      record.traded.push(item);
    });
    return events;
  }

  /** After trading closed: reveal every sealed trade of the round. */
  async reveal(round: number, time: number): Promise<SignedEvent[]> {
    const saved = this.#restored.get(round);
    if (!this.rounds.has(round) && saved && !saved.proven) {
      // Reveals need only the sealed trades and their salts, not the model: no retraining.
      if (saved.revealed || saved.trades.length === 0) return [];
      const chain = await this.#chainReady();
      saved.revealed = true;
      return saved.trades.map((t) => chain.next('trade.reveal', { round, commit: t.commit, trade: t.trade, salt: t.salt, ...(t.proof ? { proof: t.proof } : {}) }, time));
    }
    const record = this.rounds.get(round);
    if (!record || record.revealed) return [];
    const chain = await this.#chainReady();
    record.revealed = true;
    const batches = record.kit && record.traded.length > 0 ? await this.prover.batches(record.kit, round, record.traded, chain, time) : [];
    return [...batches, ...[...record.trades.values()].map((t) => chain.next('trade.reveal', { round, commit: t.commit, trade: t.trade, salt: t.salt, ...(t.proof ? { proof: t.proof } : {}) }, time))];
  }

  /**
   * Watches the node and does what each round's phase calls for: commit a model to a scheduled
   * round, trade an open one, reveal a closed one. Returns the events to submit.
   */
  async step(time: number): Promise<SignedEvent[]> {
    const out: SignedEvent[] = [];
    // Rounds are numbered 1, 2, 3, …: scan from the first round not yet finished (cheap reads).
    for (let n = this.#frontier; ; n++) {
      const r = await this.#client.round(n);
      if (!r) break;
      if (n === this.#frontier && (r.phase === 'settled' || r.phase === 'void' || r.phase === 'resolved')) this.#frontier = n + 1;
      if (r.phase === 'scheduled' && !this.rounds.has(n)) out.push(...(this.#restored.has(n) ? await this.#rebuild(n, time) : await this.prepare(n, time)));
      // Items whose key is published later in the trading phase are traded as they appear.
      else if (r.phase === 'trading' && (this.rounds.has(n) || this.#restored.has(n))) {
        if (!this.rounds.has(n)) await this.#rebuild(n, time);
        out.push(...(await this.trade(n, time)));
      } else if (r.phase === 'revealing') {
        if (!this.rounds.has(n) && this.#restored.get(n)?.proven) await this.#rebuild(n, time);
        out.push(...(await this.reveal(n, time)));
      }
    }
    return out;
  }

  /**
   * A round an earlier process began: retrain (the same public history and a deterministic strategy
   * give the same model, which a batch proof needs) and take over its sealed trades so none is
   * traded twice. A model that no longer hashes to the committed one only reveals.
   */
  async #rebuild(round: number, time: number): Promise<SignedEvent[]> {
    const saved = this.#restored.get(round)!;
    const commit = await this.prepare(round, time);
    const record = this.rounds.get(round)!;
    this.#restored.delete(round);
    if (record.model.modelHash !== saved.modelHash) record.retrainedAway = true;
    for (const t of saved.trades) {
      record.trades.set(t.item, t);
      if (t.trade.kind === 'belief') record.beliefs.set(t.item, t.trade.belief);
    }
    record.traded.push(...saved.traded);
    record.revealed = saved.revealed;
    return commit;
  }

  /** Takes over the rounds an earlier process of this operator saved (see operator-state.ts). */
  restore(rounds: readonly SavedRound[]): void {
    for (const r of rounds) if (!this.rounds.has(r.round)) this.#restored.set(r.round, structuredClone(r));
  }

  /** Every round this operator has begun, as saved between processes: what `restore` takes back. */
  saved(): SavedRound[] {
    const out: SavedRound[] = [...this.#restored.values()];
    for (const r of this.rounds.values()) {
      if (this.#finished.has(r.round)) continue;
      out.push({ round: r.round, modelHash: r.model.modelHash, trades: [...r.trades.values()], revealed: r.revealed, proven: r.kit !== undefined, traded: r.kit ? r.traded : [] });
    }
    return out.sort((a, b) => a.round - b.round);
  }

  /** A finished round (settled or void) is left out of what is saved: its salts are no longer needed. */
  finished(round: number): void {
    this.#finished.add(round);
    this.#restored.delete(round);
  }

  /**
   * What settlement paid: P&L per settled round of the models this operator committed. Payouts are
   * credited to its balance by `round.settle` itself; this reads them back from the leaderboard.
   */
  async payouts(): Promise<{ round: number; modelHash: string; pnl: bigint }[]> {
    const rows = new Map((await this.#client.leaderboard()).map((r) => [r.hash, r]));
    const out: { round: number; modelHash: string; pnl: bigint }[] = [];
    for (const [round, record] of this.rounds) {
      const h = rows.get(record.model.modelHash)?.history.find((x) => x.round === round);
      if (h) out.push({ round, modelHash: record.model.modelHash, pnl: BigInt(h.pnl) });
    }
    return out.sort((a, b) => a.round - b.round);
  }

  /** Sends events one by one (any client); on a failure re-reads the chain head and rethrows. */
  async submit(events: readonly SignedEvent[]): Promise<void> {
    for (const event of events) {
      try {
        await this.#client.submit(event);
      } catch (error) {
        await this.resync();
        throw error;
      }
    }
  }

  #salt(round: number, item: string): string {
    return createHmac('sha256', this.#saltKey).update(`${round}:${item}`).digest('hex').slice(0, 32);
  }
}
