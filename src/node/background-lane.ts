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
 * ≈ 10 % more of the node's CPU in a 100-controller round. A piece's time includes what its
 * promise continuations do before the next piece starts (see #schedule).
 */
export class BackgroundLane {
  readonly #queue: (() => void)[] = [];
  /** Ticks queued for the current turn and not yet run. */
  #armed = 0;
  #turnStart: number | undefined;
  #turnOver = false;
  #ran = 0;
  /** When foreground traffic (a market request) last arrived. */
  #foregroundAt = -Infinity;
  /** A turn waits on a timer (foreground traffic is flowing). */
  #delayed = false;

  constructor(
    private readonly sliceMs = 1,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * Foreground traffic arrived. For the next FOREGROUND_MS, a slice starts only after a timer of
   * `sliceMs`: the lane then takes at most about half of the event loop, and a trade's few turns
   * are not each stretched by a slice (measured: trade p99 while relaying for 1,000 controllers).
   */
  foreground(): void {
    this.#foregroundAt = this.now();
  }

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
    if (this.#delayed) return;
    if (this.#armed > 0) {
      // A turn not yet started takes the new piece too (up to the cap).
      if (this.#turnStart === undefined && this.#armed < Math.min(this.#queue.length, MAX_PIECES_PER_TURN)) {
        this.#armed += 1;
        setImmediate(this.#tick);
      }
      return;
    }
    if (this.#queue.length === 0) return;
    if (this.now() - this.#foregroundAt < FOREGROUND_MS) {
      this.#delayed = true;
      setTimeout(() => {
        this.#delayed = false;
        this.#arm();
      }, this.sliceMs);
      return;
    }
    this.#arm();
  }

  #arm(): void {
    // One immediate per piece, queued together: they run in the same check phase, and between two
    // of them the piece's promise continuations (its reply's serialization, say) run to the end, so
    // each tick's clock sees all of the previous piece's work. An immediate queued from one of them
    // runs in the next turn, after the loop has polled its sockets, which is the point of the lane.
    const ticks = Math.min(this.#queue.length, MAX_PIECES_PER_TURN);
    this.#armed = ticks;
    this.#turnStart = undefined;
    this.#turnOver = false;
    for (let i = 0; i < ticks; i++) setImmediate(this.#tick);
  }

  readonly #tick = (): void => {
    this.#armed -= 1;
    // A turn always runs its first piece; later ones only while the slice lasts.
    if (this.#turnStart === undefined) this.#turnStart = this.now();
    else if (this.#turnOver || this.now() - this.#turnStart >= this.sliceMs) this.#turnOver = true;
    if (!this.#turnOver) this.#queue.shift()?.();
    if (this.#armed === 0) this.#schedule();
  };
}

/** Immediates queued at once for a turn (a slice ends sooner when its pieces are slow). */
const MAX_PIECES_PER_TURN = 64;

/** How long after a foreground request the lane keeps yielding a timer's length between slices. */
const FOREGROUND_MS = 100;

/** No lane: each piece runs at once (a relay index or waits used without a node, as in tests). */
export const NO_LANE: Pick<BackgroundLane, 'run'> = { run: async (piece) => piece() };
