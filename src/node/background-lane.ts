/**
 * Work that can wait a little, run so that the node's other requests do not wait behind it.
 *
 * The federated-learning relay is bursty: a stage's closing wakes every controller of the cohort at
 * once (1,000 replies, each a share inbox or a key roster to build and serialize) and a stage's
 * messages arrive together. Run in the order they come, those bursts are hundreds of milliseconds of
 * one event-loop turn, and a trade that arrives meanwhile waits for all of it. Relay work instead
 * takes turns in this lane: each turn of the event loop runs pieces for at most `sliceMs` (and at
 * least one), so between two slices the loop polls its sockets and serves what arrived (trades,
 * reads), which never enter the lane. A trade then waits for at most one slice and one piece. A
 * slice rather than one piece per turn: a turn costs a poll of every socket, and one per piece took
 * ≈ 10 % more of the node's CPU in a 100-controller round.
 */
export class BackgroundLane {
  readonly #queue: (() => void)[] = [];
  #scheduled = false;
  #ran = 0;

  constructor(
    private readonly sliceMs = 1,
    private readonly now: () => number = () => performance.now(),
  ) {}

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
      const start = this.now();
      // Each next piece is queued as a microtask, behind what the previous piece queued, so the
      // slice's clock sees (most of) that work too.
      const step = () => {
        this.#queue.shift()?.();
        if (this.#queue.length === 0) return;
        if (this.now() - start < this.sliceMs) queueMicrotask(step);
        else this.#schedule();
      };
      step();
    });
  }
}
