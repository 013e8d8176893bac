import type { HindsightError } from '../core/errors.js';
import type { VerifiedEvent } from '../events/verify.js';
import type { Engine, SubmitOutcome } from './engine.js';
import type { StatelessCheck } from './intake.js';
import type { VerifyLane } from './verify-pool.js';

type Pending = { verified: VerifiedEvent; resolve: (o: SubmitOutcome) => void; reject: (e: unknown) => void };

/**
 * Group commit for concurrent HTTP submissions. Each event is verified as soon as it arrives (the
 * costly, lock-free part); verified events then wait while the previous batch is being written, and
 * everything that piled up meanwhile goes into the next `commitVerified` call: one transaction, one
 * fsync, however many clients are writing. A lone client still gets its event written immediately.
 */
export class SubmitBatcher {
  #pending: Pending[] = [];
  #flushing: Promise<void> | null = null;
  /** Submissions whose verification (maybe on a worker thread) has not finished yet. */
  #verifying = 0;
  #allVerified: (() => void) | null = null;

  constructor(
    private readonly engine: Engine,
    private readonly options: {
      maxBatch?: number;
      onBatch?: (size: number) => void;
      /** Where the stateless checks of a submission in `lane` run (a VerifyPool's worker threads); default: this thread. */
      check?: (lane: VerifyLane) => StatelessCheck;
    } = {},
  ) {}

  /** `lane`: background for bulk relay traffic, whose checks then let the market's go first (verify-pool.ts). */
  async submit(raw: unknown, lane: VerifyLane = 'foreground'): Promise<SubmitOutcome> {
    this.#verifying += 1;
    let verified: VerifiedEvent | HindsightError;
    try {
      verified = await this.engine.admit(raw, this.options.check?.(lane));
    } finally {
      this.#verifying -= 1;
      if (this.#verifying === 0) this.#allVerified?.();
    }
    if (isError(verified)) return { ok: false, error: verified };
    return new Promise<SubmitOutcome>((resolve, reject) => {
      this.#pending.push({ verified, resolve, reject });
      if (!this.#flushing) this.#flushing = this.#flush();
    });
  }

  /** Resolves once every submission received so far is committed (graceful shutdown). */
  async drain(): Promise<void> {
    while (this.#flushing) await this.#flushing;
  }

  /**
   * Lets the requests already in the event loop's queue join this batch, then waits (at most
   * GATHER_MS) for the ones still being verified, so one transaction carries them all.
   */
  async #gather(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.#verifying === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#allVerified = null;
        resolve();
      }, GATHER_MS);
      this.#allVerified = () => {
        clearTimeout(timer);
        this.#allVerified = null;
        resolve();
      };
    });
  }

  /** Never rejects: a failed batch rejects its own submissions, and the next batch goes on. */
  async #flush(): Promise<void> {
    const max = this.options.maxBatch ?? 1000;
    try {
      while (this.#pending.length > 0 || this.#verifying > 0) {
        await this.#gather();
        if (this.#pending.length === 0) continue;
        const batch = this.#pending.splice(0, max);
        try {
          this.options.onBatch?.(batch.length);
          const outcomes = await this.engine.commitVerified(batch.map((p) => p.verified));
          batch.forEach((p, i) => p.resolve(outcomes[i]!));
        } catch (error) {
          for (const p of batch) p.reject(error);
        }
      }
    } finally {
      this.#flushing = null;
    }
  }
}

/** How long a batch may wait for submissions still being verified: bigger batches, fewer fsyncs. */
const GATHER_MS = 2;

function isError(v: VerifiedEvent | HindsightError): v is HindsightError {
  return v instanceof Error;
}
