import type { Worker } from 'node:worker_threads';
import { StoreError } from '../core/errors.js';
import { spawnModuleWorker } from '../core/spawn-worker.js';
import type { AppendOutcome } from './sqlite-database.js';
import { sqliteErrorCode } from './store-errors.js';
import type { WriterReply, WriterRequest } from './sqlite-writer.js';
import type { AppendInput } from './types.js';

type Pending = { resolve: (outcome: AppendOutcome) => void; reject: (error: Error) => void };

/**
 * Appends on a worker thread (sqlite-writer.ts). SQLite's synchronous API would otherwise hold the
 * main thread for the whole insert and fsync of every batch; here the main thread only posts the
 * rows and gets the seqs back. A batch is acknowledged after its COMMIT returned on the worker, so
 * durability is the same (WAL, synchronous=FULL). Batches are committed in the order posted.
 */
export class SqliteWriterThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #failure: Error | undefined;
  #closed: Promise<void> | undefined;
  #whenIdle: (() => void)[] = [];

  private constructor(worker: Worker) {
    this.#worker = worker;
  }

  static async start(file: string): Promise<SqliteWriterThread> {
    const worker = spawnModuleWorker(import.meta.url, 'sqlite-writer', { workerData: { file } });
    const thread = new SqliteWriterThread(worker);
    let ready: { resolve: () => void; reject: (error: Error) => void } | undefined;
    const opened = new Promise<void>((resolve, reject) => (ready = { resolve, reject }));
    const fail = (message: string, cause?: unknown) => ready?.reject(new StoreError('store.openFailed', `sqlite writer thread: expected it to open ${file}, got ${message}`, { file }, cause === undefined ? undefined : { cause }));
    // Listeners stay for the thread's life (removing a Worker's listeners can stop its port).
    worker.on('message', (reply: WriterReply) => {
      if (!ready) return thread.#settle(reply);
      if ('ready' in reply) ready.resolve();
      else fail('message' in reply ? reply.message : 'no ready message');
      ready = undefined;
    });
    worker.on('error', (error) => {
      if (ready) fail(error.message, error);
      else thread.#failAll(new StoreError('store.writerFailed', `sqlite writer thread: expected it to keep running, got ${error.message}`, { file }, { cause: error }));
    });
    worker.on('exit', (code) => {
      if (ready) fail(`exit code ${code}`);
      else thread.#failAll(new StoreError('store.writerFailed', `sqlite writer thread: expected it to keep running, got exit code ${code}`, { file, exitCode: code }));
    });
    try {
      await opened;
    } catch (error) {
      await worker.terminate();
      throw error;
    }
    worker.unref();
    return thread;
  }

  append(batch: readonly AppendInput[]): Promise<AppendOutcome> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#closed) return Promise.reject(new StoreError('store.closed', 'sqlite writer thread: expected an open writer, got one that is closing'));
    const id = ++this.#nextId;
    // Keep the process alive while a batch is in flight; an idle writer must not hold it open.
    if (this.#pending.size === 0) this.#worker.ref();
    return new Promise<AppendOutcome>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, batch } satisfies WriterRequest);
    });
  }

  /** Waits for the batches in flight, then closes the worker's connection and ends the thread. */
  close(): Promise<void> {
    return (this.#closed ??= (async () => {
      if (this.#pending.size > 0) await new Promise<void>((resolve) => this.#whenIdle.push(resolve));
      if (this.#failure) {
        await this.#worker.terminate();
        return;
      }
      this.#worker.ref();
      const exited = new Promise<void>((resolve) => this.#worker.once('exit', () => resolve()));
      this.#worker.postMessage({ close: true } satisfies WriterRequest);
      await exited;
    })());
  }

  #settle(reply: WriterReply): void {
    if (!('id' in reply) || reply.id === undefined) return;
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    if (reply.ok) pending.resolve(reply.outcome);
    else pending.reject(new StoreError(sqliteErrorCode(reply.sqliteCode, 'store.appendFailed'), `sqlite writer thread: expected the batch to commit, got ${reply.message}`, { sqliteCode: reply.sqliteCode }));
    if (this.#pending.size === 0) this.#idle();
  }

  #idle(): void {
    this.#worker.unref();
    for (const resolve of this.#whenIdle.splice(0)) resolve();
  }

  #failAll(error: Error): void {
    if (this.#closed && !this.#pending.size) return;
    this.#failure ??= error;
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
    this.#idle();
  }
}
