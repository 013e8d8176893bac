import type { HindsightError } from '../core/errors.js';
import type { VerifiedEvent } from '../events/verify.js';
import type { Engine, SubmitOutcome } from './engine.js';

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

  constructor(
    private readonly engine: Engine,
    private readonly options: {
      maxBatch?: number;
      onBatch?: (size: number) => void;
      /** Where the stateless checks run (a VerifyPool's worker threads); default: this thread. */
      verify?: (raw: unknown) => Promise<VerifiedEvent | HindsightError>;
    } = {},
  ) {}

  async submit(raw: unknown): Promise<SubmitOutcome> {
    const verified = this.options.verify ? await this.options.verify(raw) : (await this.engine.verifyMany([raw]))[0]!;
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

  async #flush(): Promise<void> {
    // Let the requests already in the event loop's queue join this batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const max = this.options.maxBatch ?? 1000;
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0, max);
      this.options.onBatch?.(batch.length);
      try {
        const outcomes = await this.engine.commitVerified(batch.map((p) => p.verified));
        batch.forEach((p, i) => p.resolve(outcomes[i]!));
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
    this.#flushing = null;
  }
}

function isError(v: VerifiedEvent | HindsightError): v is HindsightError {
  return v instanceof Error;
}
