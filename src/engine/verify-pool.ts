import type { Worker } from 'node:worker_threads';
import { spawnModuleWorker } from '../core/spawn-worker.js';
import type { HindsightError } from '../core/errors.js';
import type { Did } from '../events/did.js';
import { verifyEd25519 } from '../events/keys.js';
import type { VerifiedEvent, VerifyOptions } from '../events/verify.js';
import { verifyHere } from './intake.js';
import type { SignatureReply, SignatureRequest } from './signature-worker.js';

type Pending = { request: SignatureRequest; background: boolean; resolve: (valid: boolean) => void; reject: (error: unknown) => void };
/** Whose checks go first: the market's requests (foreground) or bulk relay traffic (background). */
export type VerifyLane = 'foreground' | 'background';

/**
 * Background checks posted to the workers and not yet answered, at most: a foreground check waits
 * behind no more than these (≈ 4 ms of checks), however large the backlog of relay traffic.
 */
const BACKGROUND_IN_FLIGHT = 32;
type Outbox = { worker: Worker; requests: SignatureRequest[] };

/**
 * Event verification with its Ed25519 checks on worker threads (round-robin). The checks are most
 * of verification's CPU; the rest (schema, canonical encoding, CID) runs on the calling thread, which
 * needs its results, so only a key, the signed bytes and the signature cross threads, never the event.
 * Checks asked for in the same turn of the event loop travel to a worker as one message and come back
 * as a few: a message's fixed cost would otherwise rival the check itself. Background checks wait in
 * a backlog here and only a few at a time reach the workers, so a burst of relay traffic does not
 * queue the market's checks behind it. Gives the same values as verifyEvent on one thread; if a
 * worker dies, its checks and all later ones run on the calling thread.
 */
export class VerifyPool {
  readonly #workers: Worker[] = [];
  readonly #pending = new Map<number, Pending>();
  #next = 0;
  #id = 0;
  #outboxes: Outbox[] = [];
  #flushScheduled = false;
  readonly #backlog: Pending[] = [];
  #backgroundInFlight = 0;
  /** False once a worker died: checks then run on the calling thread. */
  healthy = true;

  constructor(threads: number) {
    for (let i = 0; i < threads; i++) {
      const worker = spawnModuleWorker(import.meta.url, 'signature-worker');
      worker.on('message', (replies: SignatureReply[]) => {
        for (const reply of replies) this.#settle(reply);
      });
      worker.on('error', () => this.#checkAllHere());
      worker.on('exit', () => this.#checkAllHere());
      worker.unref();
      this.#workers.push(worker);
      this.#outboxes.push({ worker, requests: [] });
    }
  }

  verify(raw: unknown, options: VerifyOptions, lane: VerifyLane = 'foreground'): Promise<VerifiedEvent | HindsightError> {
    return verifyHere(raw, { ...options, ed25519: lane === 'background' ? this.#background : this.#foreground });
  }

  readonly #foreground = (did: Did, message: Uint8Array, signature: Uint8Array) => this.#check(did, message, signature, false);
  readonly #background = (did: Did, message: Uint8Array, signature: Uint8Array) => this.#check(did, message, signature, true);

  #check(did: Did, message: Uint8Array, signature: Uint8Array, background: boolean): boolean | Promise<boolean> {
    if (!this.healthy) return verifyEd25519(did, message, signature);
    return new Promise<boolean>((resolve, reject) => {
      const pending: Pending = { request: { id: ++this.#id, did, message, signature }, background, resolve, reject };
      if (background) this.#backlog.push(pending);
      else this.#post(pending);
      this.#scheduleFlush();
    });
  }

  #post(pending: Pending): void {
    this.#pending.set(pending.request.id, pending);
    if (pending.background) this.#backgroundInFlight += 1;
    this.#outboxes[this.#next++ % this.#outboxes.length]!.requests.push(pending.request);
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => this.#flush());
  }

  #flush(): void {
    this.#flushScheduled = false;
    while (this.#backlog.length > 0 && this.#backgroundInFlight < BACKGROUND_IN_FLIGHT) this.#post(this.#backlog.shift()!);
    for (const outbox of this.#outboxes) {
      if (outbox.requests.length === 0) continue;
      const requests = outbox.requests;
      outbox.requests = [];
      outbox.worker.postMessage(requests);
    }
  }

  #settle(reply: SignatureReply): void {
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    if (pending.background) {
      this.#backgroundInFlight -= 1;
      if (this.#backlog.length > 0) this.#scheduleFlush();
    }
    if ('valid' in reply) pending.resolve(reply.valid);
    else this.#checkHere(pending); // it threw there: throw the same error here
  }

  #checkHere({ request, resolve, reject }: Pending): void {
    try {
      resolve(verifyEd25519(request.did, request.message, request.signature));
    } catch (error) {
      reject(error);
    }
  }

  #checkAllHere(): void {
    this.healthy = false;
    for (const outbox of this.#outboxes) outbox.requests = [];
    const pending = [...this.#pending.values(), ...this.#backlog.splice(0)];
    this.#pending.clear();
    for (const p of pending) this.#checkHere(p);
  }

  async close(): Promise<void> {
    this.healthy = false;
    await Promise.all(this.#workers.map((w) => w.terminate()));
    this.#checkAllHere();
  }
}
