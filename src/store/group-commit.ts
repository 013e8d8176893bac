/**
 * Group commit: many concurrent single-event appends (one per HTTP request, say) become a few batch
 * appends. While one batch is being written, new events queue up; when it finishes they all go in
 * the next batch. An idle store therefore writes a lone event immediately (no added latency), and a
 * busy one pays one commit (one fsync) per batch instead of per event, which is what makes
 * thousands of appends per second possible with synchronous=FULL.
 *
 * Each event is validated on its own before it joins a batch, so one caller's malformed event is
 * refused to that caller alone and cannot sink the others' batch. Order: events are appended in
 * the order append() was called.
 */
import { validateBatch } from './validate-input.js';
import type { AppendInput, AppendResult, EventStore } from './types.js';

type Waiting = { input: AppendInput; resolve: (result: AppendResult) => void; reject: (error: unknown) => void };

export class GroupCommitAppender {
  private queue: Waiting[] = [];
  private writing: Promise<void> | undefined;
  private readonly maxBatch: number;
  private readonly checkCids: boolean;
  /** Number of store.append calls made (for benches and tests). */
  batchesWritten = 0;

  constructor(private readonly store: EventStore, options: { maxBatch?: number; checkCids?: boolean } = {}) {
    this.maxBatch = options.maxBatch ?? 1000;
    this.checkCids = options.checkCids ?? true;
  }

  /** Resolves once the event is durably stored (or was already there: `duplicate: true`). */
  append(input: AppendInput): Promise<AppendResult> {
    try {
      validateBatch([input], this.checkCids);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (!this.writing) this.writing = this.drain();
    });
  }

  /** Resolves when everything queued so far is written (graceful shutdown). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async drain(): Promise<void> {
    // Let callers that arrive in the same tick join the first batch.
    await Promise.resolve();
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, this.maxBatch);
        try {
          this.batchesWritten += 1;
          const results = await this.store.append(group.map((w) => w.input));
          group.forEach((waiting, i) => waiting.resolve(results[i]));
        } catch (error) {
          for (const waiting of group) waiting.reject(error);
        }
      }
    } finally {
      this.writing = undefined;
    }
  }
}
