/**
 * The relay's index of the log's fl.update events: what lets a controller fetch what concerns it
 * (the keys of its group, the shares addressed to it) instead of reading the whole log.
 */
import { decode } from '../core/encoding.js';
import { canonicalDid } from '../events/did.js';
import type { SignedEvent } from '../events/envelope.js';
import { eventOfLogged } from '../events/dag-jws.js';
import type { AppendedEvent } from '../engine/append-feed.js';
import type { GameState } from '../game/state.js';
import type { EventStore } from '../store/types.js';
import { NO_LANE, type BackgroundLane } from './background-lane.js';

type Indexed = { slot: number; author: string; body: Record<string, unknown> };

/** Rows read from the store at once, and events indexed per piece of the lane. */
const REFRESH_PAGE = 512;
const REFRESH_CHUNK = 32;

/** One open round of a task: its messages by group and stage, share inboxes by holder, keys' groups by author. */
type RoundIndex = {
  /** `${group}/${stage}` → messages in arrival order. */
  messages: Map<string, Indexed[]>;
  /** `${group}/${holder}` → the shares addressed to that holder, in arrival order. */
  inboxes: Map<string, Indexed[]>;
  /** Author → group of its keys message. */
  groups: Map<string, number>;
};

/**
 * An index of the log's fl.update events of each task's open round, by group and stage. The node's
 * own appends are offered to it as they are (`offer`); anything else (another writer, a gap) it reads
 * from the log on `refresh`. A round is dropped once its task has completed it: the relay serves the
 * round in progress (the log keeps everything), so a node's memory does not grow with a task's rounds.
 */
export class FlRelayIndex {
  /** The last fl.update indexed. */
  #cursor = 0;
  /** Every event up to this seq is indexed, or known to be of another type. */
  #known = 0;
  #reading = false;
  /** Offered fl.update events not yet indexed: the next refresh indexes them, a chunk per piece of the lane. */
  #offered: SignedEvent[] = [];
  #busy: Promise<void> = Promise.resolve();
  /** `${task}/${round}` → that round's index. */
  readonly #rounds = new Map<string, RoundIndex>();

  constructor(
    private readonly store: EventStore,
    /** Where indexing runs, a chunk of events per piece (a stage's events at once took milliseconds of the event loop). */
    private readonly lane: Pick<BackgroundLane, 'run'> = NO_LANE,
  ) {}

  /**
   * Events the node just appended, in seq order: taken when they continue what the index covers
   * (no read, no decoding) and indexed by the next refresh; after a gap, or while a read of the log
   * is under way, they are left to the read.
   */
  offer(events: readonly AppendedEvent[]): void {
    if (this.#reading) return;
    for (const { seq, event } of events) {
      if (seq <= this.#known) continue;
      if (seq !== this.#known + 1) return;
      this.#known = seq;
      if (event.type !== 'fl.update' || seq <= this.#cursor) continue;
      this.#cursor = seq;
      this.#offered.push(event);
    }
  }

  /** Brings the index up to `head` (default: the log's head now), reading from the log only what was not offered. */
  async refresh(state: GameState, head?: number): Promise<void> {
    const target = head ?? (await this.store.head());
    if (!this.#reading && this.#offered.length === 0 && target <= this.#known) {
      this.#dropCompleted(state);
      return;
    }
    // A failed refresh (the store closing under it) rejects its own callers; the next one starts afresh.
    this.#busy = this.#busy.catch(() => {}).then(async () => {
      while (this.#offered.length > 0) {
        const chunk = this.#offered.splice(0, REFRESH_CHUNK);
        await this.lane.run(() => {
          for (const event of chunk) this.#index(event, state);
        });
      }
      if (target > this.#known) await this.#read(state);
      this.#dropCompleted(state);
    });
    return this.#busy;
  }

  async #read(state: GameState): Promise<void> {
    this.#reading = true;
    try {
      const reached = await this.store.head();
      for (;;) {
        const rows = await this.store.readByType('fl.update', this.#cursor, REFRESH_PAGE);
        for (let at = 0; at < rows.length; at += REFRESH_CHUNK) {
          await this.lane.run(() => {
            for (const row of rows.slice(at, at + REFRESH_CHUNK)) {
              this.#cursor = row.seq;
              this.#index(eventOfLogged(decode(row.bytes)), state);
            }
          });
        }
        if (rows.length < REFRESH_PAGE) break;
      }
      this.#known = Math.max(this.#known, reached);
    } finally {
      this.#reading = false;
    }
  }

  #dropCompleted(state: GameState): void {
    for (const key of this.#rounds.keys()) {
      const [task, round] = splitRoundKey(key);
      if (round <= (state.fl.get(task)?.completed ?? Infinity)) this.#rounds.delete(key);
    }
  }

  #index(event: SignedEvent, state: GameState): void {
    const p = event.payload as { task: string; round: number; body: Record<string, unknown> & { stage: string; next?: Record<string, unknown> } };
    const task = state.fl.get(p.task);
    if (!task) return;
    const author = canonicalDid(event.author);
    const slot = task.controllers.get(author)?.slot;
    if (slot === undefined) return;
    // A completed round is history by the time its rows are read here (its messages were read before its aggregate).
    if (p.round > task.completed) this.#add(`${p.task}/${p.round}`, slot, author, p.body);
    // An unmask may carry its sender's keys for the next round: they are that round's keys message.
    if (p.body.stage === 'unmask' && p.body.next && p.round + 1 > task.completed) this.#add(`${p.task}/${p.round + 1}`, slot, author, { stage: 'keys', ...p.body.next });
  }

  #add(roundKey: string, slot: number, author: string, body: Record<string, unknown> & { stage: string }): void {
    let index = this.#rounds.get(roundKey);
    if (!index) this.#rounds.set(roundKey, (index = { messages: new Map(), inboxes: new Map(), groups: new Map() }));
    let group: number | undefined;
    if (body.stage === 'keys') {
      group = body.group as number;
      index.groups.set(author, group);
    } else group = index.groups.get(author);
    if (group === undefined) return;
    const key = `${group}/${body.stage}`;
    const list = index.messages.get(key) ?? [];
    list.push({ slot, author, body });
    index.messages.set(key, list);
    if (body.stage === 'shares') {
      // Each holder's inbox, filled as shares arrive: every holder asks for its own, and a scan of
      // every dealer's shares per holder made the stage quadratic in the group's size.
      for (const share of body.shares as { to: number }[]) {
        const inbox = `${group}/${share.to}`;
        const held = index.inboxes.get(inbox) ?? [];
        held.push({ slot, author, body: { stage: 'shares', shares: [share] } });
        index.inboxes.set(inbox, held);
      }
    }
  }

  /** How many messages a stage of a group holds (dealers, for shares). */
  size(task: string, round: number, group: number, stage: string): number {
    return this.#rounds.get(`${task}/${round}`)?.messages.get(`${group}/${stage}`)?.length ?? 0;
  }

  messages(task: string, round: number, group: number, stage: string, to?: number): Indexed[] {
    const index = this.#rounds.get(`${task}/${round}`);
    if (!index) return [];
    if (stage !== 'shares' || to === undefined) return index.messages.get(`${group}/${stage}`) ?? [];
    // A holder's inbox: from each dealer only the share addressed to it (ciphertext under their channel pad).
    return index.inboxes.get(`${group}/${to}`) ?? [];
  }
}

/** `${task}/${round}` back into its parts (a task id has no slash). */
function splitRoundKey(key: string): [string, number] {
  const at = key.lastIndexOf('/');
  return [key.slice(0, at), Number(key.slice(at + 1))];
}
