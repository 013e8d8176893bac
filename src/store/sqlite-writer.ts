/**
 * Worker side of SqliteWriterThread: its own connection to the file, running the same append
 * transaction the main thread would (sqlite-database.ts), one batch at a time in arrival order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { appendTransaction, openDatabase, prepareStatements } from './sqlite-database.js';
import type { AppendOutcome } from './sqlite-database.js';
import { sqliteCodeOf } from './store-errors.js';
import type { AppendInput } from './types.js';

export type WriterRequest = { id: number; batch: readonly AppendInput[] } | { close: true };
export type WriterReply =
  | { ready: true }
  | { closed: true }
  | { id: number; ok: true; outcome: AppendOutcome }
  | { id?: number; ok: false; message: string; sqliteCode?: string };

const port = parentPort!;
try {
  const db = openDatabase((workerData as { file: string }).file);
  const append = appendTransaction(db, prepareStatements(db));
  port.on('message', (request: WriterRequest) => {
    if ('close' in request) {
      db.close();
      port.postMessage({ closed: true } satisfies WriterReply);
      port.close();
      return;
    }
    try {
      port.postMessage({ id: request.id, ok: true, outcome: append(request.batch) } satisfies WriterReply);
    } catch (error) {
      port.postMessage({ id: request.id, ok: false, message: (error as Error)?.message ?? String(error), sqliteCode: sqliteCodeOf(error) } satisfies WriterReply);
    }
  });
  port.postMessage({ ready: true } satisfies WriterReply);
} catch (error) {
  port.postMessage({ ok: false, message: (error as Error)?.message ?? String(error) } satisfies WriterReply);
}
