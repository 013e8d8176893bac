import type { Worker } from 'node:worker_threads';
import { spawnModuleWorker } from '../core/spawn-worker.js';
import { isErrorCode, type ErrorCode } from '../core/error-codes.js';
import { AuthError, GameRejection, HindsightError, InternalError, StoreError, ValidationError } from '../core/errors.js';
import type { SignedEvent } from '../events/envelope.js';
import type { VerifiedEvent, VerifyOptions } from '../events/verify.js';
import { verifyHere } from './intake.js';
import type { VerifyReply, VerifyRequest } from './verify-worker.js';

const ERROR_CLASSES: Record<string, new (code: ErrorCode, message: string, details: Record<string, unknown>) => HindsightError> = {
  ValidationError, AuthError, GameRejection, StoreError, InternalError,
};

type Pending = { raw: unknown; resolve: (v: VerifiedEvent | HindsightError) => void; reject: (e: unknown) => void };
type Outbox = { worker: Worker; requests: VerifyRequest[] };

/**
 * Signature checks on worker threads (round-robin). Verification is most of a submission's CPU,
 * so with a pool the main thread only parses HTTP, applies and appends. Results are rebuilt into
 * the same VerifiedEvent / HindsightError values verifyEvent gives in-process. Requests that arrive
 * in the same turn of the event loop travel to a worker as one message and come back as one: under
 * load a message's fixed cost (~50 µs of main-thread time measured) otherwise rivals the check itself.
 */
export class VerifyPool {
  readonly #workers: Worker[] = [];
  readonly #pending = new Map<number, Pending>();
  #next = 0;
  #id = 0;
  #outboxes: Outbox[] = [];
  #flushScheduled = false;
  /** False once a worker died: callers then verify on their own thread. */
  healthy = true;

  constructor(threads: number) {
    for (let i = 0; i < threads; i++) {
      const worker = spawnModuleWorker(import.meta.url, 'verify-worker');
      worker.on('message', (replies: VerifyReply[]) => {
        for (const reply of replies) this.#settle(reply);
      });
      worker.on('error', (error) => this.#failAll(new InternalError('internal.workerExited', `verify worker: expected it to keep running, got ${error.message}`, {}, { cause: error })));
      worker.on('exit', (code) => this.#failAll(new InternalError('internal.workerExited', `verify worker: expected it to keep running, got exit code ${code}`, { exitCode: code })));
      worker.unref();
      this.#workers.push(worker);
      this.#outboxes.push({ worker, requests: [] });
    }
  }

  verify(raw: unknown, options: VerifyOptions): Promise<VerifiedEvent | HindsightError> {
    const id = ++this.#id;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { raw, resolve, reject });
      this.#outboxes[this.#next++ % this.#outboxes.length]!.requests.push({ id, raw, options });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#flushScheduled = false;
    for (const outbox of this.#outboxes) {
      if (outbox.requests.length === 0) continue;
      const requests = outbox.requests;
      outbox.requests = [];
      this.#post(outbox.worker, requests);
    }
  }

  /**
   * Sends a batch to a worker. postMessage throws when structured clone refuses a value (a stack
   * overflow on deeply nested input, for one); nothing is sent then, so the batch is split and sent
   * one request at a time, and a request that still cannot travel is checked on this thread, which
   * gives the verdict a node without worker threads gives. Never throws.
   */
  #post(worker: Worker, requests: VerifyRequest[]): void {
    try {
      worker.postMessage(requests);
      return;
    } catch {
      if (requests.length > 1) {
        for (const request of requests) this.#post(worker, [request]);
        return;
      }
    }
    const request = requests[0]!;
    const pending = this.#pending.get(request.id);
    if (!pending) return;
    this.#pending.delete(request.id);
    verifyHere(pending.raw, request.options).then(pending.resolve, pending.reject);
  }

  #settle(reply: VerifyReply): void {
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    if (reply.ok) {
      pending.resolve({ event: reply.event ?? (pending.raw as SignedEvent), payload: reply.payload, cid: reply.cid, bytes: reply.bytes, round: reply.round });
    } else {
      const { kind, code, message, details } = reply.error;
      // The worker sends a listed code; anything else would be a bug, kept visible in the details.
      if (isErrorCode(code)) pending.resolve(new (ERROR_CLASSES[kind] ?? HindsightError)(code, message, details));
      else pending.resolve(new InternalError('internal.unexpected', `verify worker: expected a listed error code, got ${code}: ${message}`, { ...details, workerCode: code, kind }));
    }
  }

  #failAll(error: unknown): void {
    this.healthy = false;
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
  }

  async close(): Promise<void> {
    this.healthy = false;
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}
