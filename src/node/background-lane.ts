/**
 * Work that can wait a little, run so that the node's other requests do not wait behind it.
 *
 * The federated-learning relay is bursty: a stage's closing wakes every controller of the cohort at
 * once (1,000 replies, each a share inbox or a key roster to build and serialize) and a stage's
 * messages arrive together. Run in the order they come, those bursts are hundreds of milliseconds of
 * one event-loop turn, and a trade that arrives meanwhile waits for all of it. Relay work instead
 * takes a turn in this lane: one piece per turn of the event loop, so between two pieces the loop
 * polls its sockets and serves what arrived (trades, reads), which never enter the lane. A trade then
 * waits for at most one piece. The relay's own throughput is unchanged (the pieces are the same work;
 * a turn of an otherwise idle loop costs microseconds), only its latency grows under other load.
 */
export class BackgroundLane {
  readonly #queue: (() => void)[] = [];
  #scheduled = false;
  #ran = 0;

  /** Pieces run so far (metrics and tests). */
  get ran(): number {
    return this.#ran;
  }

  /** Pieces waiting for their turn. */
  get waiting(): number {
    return this.#queue.length;
  }

  /**
   * Runs `piece` in its turn and resolves with its result. A piece should be short and synchronous
   * up to its first await; what it does after that await runs outside the lane, at its own pace.
   */
  run<T>(piece: () => T | Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push(() => {
        this.#ran += 1;
        try {
          Promise.resolve(piece()).then(resolve, reject);
        } catch (error) {
          reject(error);
        }
      });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#queue.length === 0) return;
    this.#scheduled = true;
    // setImmediate, not a microtask: an immediate queued from an immediate runs in the next turn,
    // after the loop has polled its sockets, which is the point of the lane.
    setImmediate(() => {
      this.#scheduled = false;
      const next = this.#queue.shift();
      this.#schedule();
      next?.();
    });
  }
}
