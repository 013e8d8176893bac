import type { SignedEvent } from '../events/envelope.js';
import type { AppendResult, EventStore } from '../store/types.js';

/** An event the engine itself appended, as it verified it, with the seq the log gave it. */
export type AppendedEvent = { seq: number; event: SignedEvent };
/** `head`: the log reaches this seq. `events`: the engine's own appends among them, in seq order (possibly none). */
export type AppendListener = (head: number, events: readonly AppendedEvent[]) => void;

/**
 * Appends to the log as the engine's readers see them. For the engine's own appends a listener gets
 * the events themselves, so a reader that indexes them (the FL relay) does not read them back from
 * the store and decode them; appends by anyone else arrive as the new head alone, and such a reader
 * reads those from the store. The store announces an append before the append returns its seqs, so
 * while the engine's own append is in flight its announcements are held and delivered with the events.
 */
export class AppendFeed {
  readonly #listeners = new Set<AppendListener>();
  #unwatch: (() => void) | undefined;
  /** The highest head announced while the engine's own append was in flight (0: none yet); undefined when none is. */
  #held: number | undefined;

  constructor(private readonly store: Pick<EventStore, 'onAppend'>) {}

  subscribe(listener: AppendListener): () => void {
    this.#unwatch ??= this.store.onAppend((head) => {
      if (this.#held !== undefined) this.#held = Math.max(this.#held, head);
      else this.#announce(head, []);
    });
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size > 0) return;
      this.#unwatch?.();
      this.#unwatch = undefined;
    };
  }

  /** Runs one of the engine's appends of `events` (in batch order) and tells the listeners what it added. */
  async append(run: () => Promise<AppendResult[]>, events: readonly SignedEvent[]): Promise<AppendResult[]> {
    if (this.#listeners.size === 0) return run();
    this.#held = 0;
    let results: AppendResult[] | undefined;
    try {
      results = await run();
      return results;
    } finally {
      const held = this.#held;
      this.#held = undefined;
      const fed: AppendedEvent[] = [];
      let head = held;
      for (const [i, r] of (results ?? []).entries()) {
        if (r.duplicate) continue;
        fed.push({ seq: r.seq, event: events[i]! });
        head = Math.max(head, r.seq);
      }
      fed.sort((a, b) => a.seq - b.seq);
      if (head > 0) this.#announce(head, fed);
    }
  }

  #announce(head: number, events: readonly AppendedEvent[]): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(head, events);
      } catch (error) {
        process.emitWarning(`append listener threw: ${(error as Error)?.message ?? String(error)}`, 'HindsightEngineWarning');
      }
    }
  }
}
