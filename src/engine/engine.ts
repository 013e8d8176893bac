import { GameRejection, HindsightError, ValidationError } from '../core/errors.js';
import { parseDid, sameDid } from '../events/did.js';
import type { VerifiedEvent } from '../events/verify.js';
import { apply, execute, type Receipt } from '../game/apply.js';
import { decodeState, encodeState, stateHash } from '../game/canonical.js';
import { emptyState, type GameState } from '../game/state.js';
import { openStore, type EventStore, type OpenStoreOptions } from '../store/index.js';
import { admit, verifyHere, type IntakeClock, type StatelessCheck } from './intake.js';
import { parseStored } from './parse.js';
import { sandboxFor } from './sandbox-loader.js';
import { releaseProofVerifier } from './proof-check.js';
import type { SubmitReply } from './view-schemas.js';
import { AppendFeed, type AppendListener } from './append-feed.js';

export type SubmitOutcome = { ok: true; result: SubmitReply } | { ok: false; error: HindsightError };

export type EngineOptions = OpenStoreOptions & {
  /**
   * exclusive: this process is the only writer (SQLite default): an event is applied before it is
   * stored, so a rejected event is stored nowhere. shared: several nodes append to one PostgreSQL log;
   * events are ordered by the store and applied from it, with rejection receipts.
   */
  mode?: 'exclusive' | 'shared';
  /** Load the latest snapshot instead of replaying from the first event (default true). */
  useSnapshot?: boolean;
  /**
   * The community's admin as its operator names it. `community.create` is then accepted only from
   * this DID (`community.notGenesisAdmin` otherwise), so whoever reaches a fresh node first cannot
   * make itself admin; on a store that already holds a community it must be one of that
   * community's admins (`node.adminMismatch`). Without it, whoever signs genesis creates the
   * community: right for an embedded engine whose owner signs genesis itself (init, the demo).
   */
  genesis?: { admin: string };
  /**
   * Judge fresh events by this clock (intake.ts IntakeClock): their time within maxSkewMs of it,
   * delegations unexpired by it. `node start` sets the system clock; without one, events are judged
   * by their own time (simulations, tests, the demo).
   */
  intakeClock?: IntakeClock;
};

/**
 * A community's game state bound to its event log: the embedded node that the CLI, the SDK, the
 * demo and the HTTP server all drive.
 */
export class Engine {
  readonly store: EventStore;
  readonly mode: 'exclusive' | 'shared';
  state: GameState;
  /** Rejection receipts of events that are in the log but changed nothing (shared mode). */
  readonly rejections = new Map<number, Receipt>();
  #queue: Promise<unknown> = Promise.resolve();
  #lastSnapshotSeq = 0;
  #stopWatching: (() => void) | undefined;
  #catchUpPending = false;
  /** Set while the in-memory state may hold events the log does not (a failed batch, not yet rebuilt). */
  #stale = false;
  #genesisAdmin: string | undefined;
  #clock: IntakeClock | undefined;
  readonly #appends: AppendFeed;

  private constructor(store: EventStore, state: GameState, mode: 'exclusive' | 'shared') {
    this.store = store;
    this.state = state;
    this.mode = mode;
    this.#appends = new AppendFeed(store);
  }

  /** Tells `listener` each time the log grows: its new head, with the events when this engine appended them (append-feed.ts). */
  onAppended(listener: AppendListener): () => void {
    return this.#appends.subscribe(listener);
  }

  static async open(options: EngineOptions): Promise<Engine> {
    const store = await openStore(options);
    const mode = options.mode ?? (store.kind === 'postgres' ? 'shared' : 'exclusive');
    let state = emptyState();
    if (options.useSnapshot !== false) {
      const snapshot = await store.latestSnapshot();
      if (snapshot) state = decodeState<GameState>(snapshot.bytes);
    }
    const engine = new Engine(store, state, mode);
    engine.#clock = options.intakeClock;
    engine.#lastSnapshotSeq = state.seq;
    await engine.catchUp();
    if (options.genesis) {
      try {
        engine.#genesisAdmin = checkGenesisAdmin(engine.state, options.genesis.admin);
      } catch (error) {
        await store.close();
        throw error;
      }
    }
    if (mode === 'shared') engine.#watchOtherWriters();
    return engine;
  }

  /**
   * Shared mode: other nodes append to the same log; apply their events as soon as the store says
   * the head moved (LISTEN/NOTIFY on PostgreSQL), inside the write lock so it never races a commit.
   */
  #watchOtherWriters(): void {
    this.#stopWatching = this.store.onAppend((head) => {
      if (head <= this.state.seq || this.#catchUpPending) return;
      this.#catchUpPending = true;
      this.#serialize(async () => {
        this.#catchUpPending = false;
        await this.catchUp();
      }).catch((error: unknown) => process.emitWarning(`shared-mode catch-up failed: ${(error as Error)?.message ?? String(error)}`, 'HindsightEngineWarning'));
    });
  }

  get community(): string | undefined {
    return this.state.community?.id;
  }

  stateHash(): string {
    return stateHash(this.state);
  }

  /** Applies every stored event after the state's position (other writers, or a restart). */
  async catchUp(): Promise<number> {
    let applied = 0;
    for (;;) {
      const batch = await this.store.readAfter(this.state.seq, 5000);
      if (batch.length === 0) return applied;
      for (const stored of batch) {
        const parsed = parseStored(stored);
        await sandboxFor(this.state, parsed.event.type);
        const receipt = apply(this.state, parsed);
        if (receipt.status === 'rejected') this.rejections.set(receipt.seq, receipt);
        applied += 1;
      }
    }
  }

  /** Verifies, applies and stores one event; throws the precise error if any check fails. */
  async submit(raw: unknown): Promise<SubmitReply> {
    const [outcome] = await this.submitMany([raw]);
    if (!outcome!.ok) throw outcome!.error;
    return outcome!.result;
  }

  /**
   * Verifies each event (signatures are the costly part, done outside the write lock), then under
   * the lock applies them in order and appends the accepted ones as one atomic batch.
   */
  async submitMany(raws: unknown[]): Promise<SubmitOutcome[]> {
    return this.commitVerified(await this.verifyMany(raws));
  }

  /**
   * The stateless half of submitMany (intake.ts `admit`), with no lock: a caller that groups
   * concurrent submissions (the HTTP node) admits each one as it arrives, then commits them together.
   */
  async verifyMany(raws: unknown[], check: StatelessCheck = verifyHere): Promise<(VerifiedEvent | HindsightError)[]> {
    return Promise.all(raws.map((raw) => this.admit(raw, check)));
  }

  /** One event through the stateless checks and the proof check, against the current state. */
  admit(raw: unknown, check: StatelessCheck = verifyHere): Promise<VerifiedEvent | HindsightError> {
    return admit(raw, this.state, check, this.#clock);
  }

  /** The stateful half: under the write lock, applies and appends verified events as one batch. */
  async commitVerified(verified: (VerifiedEvent | HindsightError)[]): Promise<SubmitOutcome[]> {
    const admin = this.#genesisAdmin;
    if (admin !== undefined) verified = verified.map((v) => refuseForeignGenesis(v, admin));
    return this.#serialize(() => (this.mode === 'exclusive' ? this.#commitExclusive(verified) : this.#commitShared(verified)));
  }

  async #commitExclusive(verified: (VerifiedEvent | HindsightError)[]): Promise<SubmitOutcome[]> {
    // A failed batch whose state could not be rebuilt then (the store failed again): rebuild first.
    if (this.#stale) await this.#reload();
    try {
      return await this.#applyAndAppend(verified);
    } catch (error) {
      // The state may hold events the log does not (applied, then the append or a read failed):
      // rebuild it from the log before going on. If that fails too, the next batch tries again.
      await this.#reload().catch(() => {});
      throw error;
    }
  }

  async #applyAndAppend(verified: (VerifiedEvent | HindsightError)[]): Promise<SubmitOutcome[]> {
    const outcomes: (SubmitOutcome | null)[] = [];
    const accepted: { index: number; v: VerifiedEvent }[] = [];
    /** cid → its index in `accepted`, for copies of an event sent twice in one batch. */
    const acceptedByCid = new Map<string, number>();
    const copies: { index: number; of: number }[] = [];
    for (const [index, v] of verified.entries()) {
      if (v instanceof HindsightError) {
        outcomes.push({ ok: false, error: v });
        continue;
      }
      try {
        await sandboxFor(this.state, v.event.type);
        execute(this.state, v);
      } catch (error) {
        if (!(error instanceof GameRejection)) throw error;
        // A resubmitted event always fails its author-chain check (its prev is no longer the head),
        // so the log is asked whether it is a duplicate only then, not on every event.
        const of = acceptedByCid.get(v.cid);
        const existing = of === undefined ? await this.store.get(v.cid) : undefined;
        if (of !== undefined) copies.push({ index, of });
        outcomes.push(existing ? { ok: true, result: { cid: v.cid, seq: existing.seq, duplicate: true } } : of !== undefined ? null : { ok: false, error });
        continue;
      }
      acceptedByCid.set(v.cid, accepted.length);
      accepted.push({ index, v });
      outcomes.push(null);
    }
    if (accepted.length > 0) {
      const batch = accepted.map(({ v }) => ({ cid: v.cid, type: v.event.type, author: v.event.author, round: v.round, bytes: v.bytes }));
      const results = await this.#appends.append(() => this.store.append(batch), accepted.map(({ v }) => v.event));
      results.forEach((r, i) => {
        outcomes[accepted[i]!.index] = { ok: true, result: { cid: r.cid, seq: r.seq, duplicate: r.duplicate } };
      });
      for (const { index, of } of copies) outcomes[index] = { ok: true, result: { cid: results[of]!.cid, seq: results[of]!.seq, duplicate: true } };
      await this.#maybeSnapshot();
    }
    return outcomes.map((o) => o!);
  }

  async #commitShared(verified: (VerifiedEvent | HindsightError)[]): Promise<SubmitOutcome[]> {
    const good = verified.filter((v): v is VerifiedEvent => !(v instanceof HindsightError));
    const results = good.length
      ? await this.store.append(good.map((v) => ({ cid: v.cid, type: v.event.type, author: v.event.author, round: v.round, bytes: v.bytes })))
      : [];
    await this.catchUp();
    let next = 0;
    return verified.map((v): SubmitOutcome => {
      if (v instanceof HindsightError) return { ok: false, error: v };
      const r = results[next++]!;
      const receipt = this.rejections.get(r.seq);
      if (receipt && receipt.status === 'rejected' && !r.duplicate) {
        return { ok: false, error: new GameRejection(receipt.code, receipt.message, { field: receipt.field, seq: r.seq }) };
      }
      return { ok: true, result: { cid: r.cid, seq: r.seq, duplicate: r.duplicate } };
    });
  }

  /** Rebuilds the state from the latest snapshot and the log; the state is replaced only once that succeeded. */
  async #reload(): Promise<void> {
    this.#stale = true;
    const snapshot = await this.store.latestSnapshot();
    const state = snapshot ? decodeState<GameState>(snapshot.bytes) : emptyState();
    for (;;) {
      const batch = await this.store.readAfter(state.seq, 5000);
      if (batch.length === 0) break;
      for (const stored of batch) {
        const parsed = parseStored(stored);
        await sandboxFor(state, parsed.event.type);
        const receipt = apply(state, parsed);
        if (receipt.status === 'rejected') this.rejections.set(receipt.seq, receipt);
      }
    }
    this.state = state;
    this.#stale = false;
  }

  /**
   * Saves a snapshot when one is due. The batch is already durable: a failed save (disk full, the
   * database away) must not turn its events' 202s into errors, so it is only reported; the next
   * batch tries again.
   */
  async #maybeSnapshot(): Promise<void> {
    const every = this.state.community?.config.snapshotEvery ?? 10_000;
    if (this.state.seq - this.#lastSnapshotSeq < every) return;
    try {
      await this.store.saveSnapshot(this.state.seq, encodeState(this.state));
      this.#lastSnapshotSeq = this.state.seq;
    } catch (error) {
      process.emitWarning(`snapshot at seq ${this.state.seq} not saved: ${(error as Error)?.message ?? String(error)}`, 'HindsightEngineWarning');
    }
  }

  #serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.#stopWatching?.();
    await this.#queue;
    await this.store.close();
    await releaseProofVerifier();
  }
}

/** Validates the operator-named admin against what the store holds; returns it. */
function checkGenesisAdmin(state: GameState, admin: string): string {
  parseDid(admin, 'admin');
  const community = state.community;
  if (community && !community.config.admins.some((a) => sameDid(a, admin))) {
    throw new ValidationError('node.adminMismatch', `admin: expected one of the admins of community ${community.id} (${community.config.admins.join(', ')}), got ${admin}`, {
      field: 'admin',
    });
  }
  return admin;
}

/** A community.create signed by anyone but the operator-named admin becomes its refusal. */
function refuseForeignGenesis(v: VerifiedEvent | HindsightError, admin: string): VerifiedEvent | HindsightError {
  if (v instanceof HindsightError || v.event.type !== 'community.create' || sameDid(v.event.author, admin)) return v;
  return new GameRejection('community.notGenesisAdmin', `author: expected the admin this node's operator named for the community, ${admin}, got ${v.event.author}`, {
    field: 'author',
  });
}
