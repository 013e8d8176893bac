/**
 * Embedded event store on SQLite (libsql, better-sqlite3-style synchronous API).
 *
 * Durability: WAL journal + synchronous=FULL. In WAL mode a commit is one append to the -wal file;
 * FULL makes SQLite fsync that file before COMMIT returns, so an acknowledged append survives
 * kill -9 *and* an OS crash or power loss. (NORMAL would already survive kill -9, because the
 * written pages sit in the OS cache, but could lose the last commits on power loss; the fsync costs
 * one disk flush per batch, which batching amortizes.) A crash mid-transaction leaves only an
 * uncommitted WAL tail that SQLite discards on the next open, so a half-written batch never appears.
 *
 * Ordering: one writer at a time (BEGIN IMMEDIATE takes the write lock before reading the head), and
 * seq = head + 1, + 2, ... inside that transaction, so seqs are gapless and commit in seq order, also
 * when several processes share the file (busy_timeout makes them wait for the lock).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HindsightError, StoreError, expectedGot } from '../core/errors.js';
import { AppendListeners } from './append-listeners.js';
import { appendTransaction, immediateTransaction, openDatabase, prepareStatements, scalar, type AppendOutcome, type Db, type Statement, type StatementName } from './sqlite-database.js';
import { SqliteWriterThread } from './sqlite-writer-thread.js';
import { sqliteCodeOf, sqliteErrorCode } from './store-errors.js';
import type { AppendInput, AppendResult, EventStore, Snapshot, StoredEvent } from './types.js';
import { asPlainBytes, checkBytes, checkKey, checkLimit, checkRound, checkSeq, closedError, validateBatch } from './validate-input.js';

type Row = { seq: number; cid: string; type: string; author: string; round: number | null; bytes: ArrayBuffer };

/** How often a store with listeners checks whether another connection or process appended. */
const CROSS_PROCESS_POLL_MS = 50;

/** Stores of this process by database file, so an append wakes every instance at once. */
const openStoresByFile = new Map<string, Set<SqliteEventStore>>();

function toEvent(row: Row): StoredEvent {
  return { seq: row.seq, cid: row.cid, type: row.type, author: row.author, round: row.round, bytes: asPlainBytes(row.bytes) };
}

export class SqliteEventStore implements EventStore {
  readonly kind = 'sqlite' as const;
  readonly file: string;
  private db: Db | undefined;
  private readonly checkCids: boolean;
  private readonly listeners = new AppendListeners();
  private pollTimer: NodeJS.Timeout | undefined;
  private lastDataVersion = 0;
  private readonly sql: Record<StatementName, Statement>;
  private readonly appendTransaction: (batch: readonly AppendInput[]) => AppendOutcome;
  /** Set when appends run on their own thread (writerThread option). */
  private writer: SqliteWriterThread | undefined;

  /**
   * Opens (creating if needed) DIR/hindsight.db. `writerThread`: run appends (the insert work and the
   * commit's fsync) on a worker thread with its own connection, so a busy node's main thread keeps
   * serving requests meanwhile; reads stay on this thread's connection (WAL lets them run alongside).
   */
  static async open(dir: string, options: { checkCids?: boolean; writerThread?: boolean } = {}): Promise<SqliteEventStore> {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (cause) {
      throw new StoreError('store.openFailed', `sqlite: expected a usable directory at ${dir}, got ${(cause as Error).message}`, { dir }, { cause });
    }
    const store = new SqliteEventStore(resolve(join(dir, 'hindsight.db')), options.checkCids ?? true);
    if (options.writerThread) {
      try {
        store.writer = await SqliteWriterThread.start(store.file);
      } catch (error) {
        await store.close();
        throw error;
      }
    }
    return store;
  }

  private constructor(file: string, checkCids: boolean) {
    this.file = file;
    this.checkCids = checkCids;
    const db = openDatabase(file);
    this.db = db;
    this.sql = prepareStatements(db);
    this.appendTransaction = appendTransaction(db, this.sql);
    this.listeners.markSeen(this.headNow());
    let peers = openStoresByFile.get(file);
    if (!peers) openStoresByFile.set(file, (peers = new Set()));
    peers.add(this);
  }

  private open(): Db {
    if (!this.db) throw closedError('sqlite');
    return this.db;
  }

  private headNow(): number {
    return scalar(this.sql.head) as number;
  }

  async append(batch: readonly AppendInput[]): Promise<AppendResult[]> {
    this.open();
    validateBatch(batch, this.checkCids);
    if (batch.length === 0) return [];
    let outcome: AppendOutcome;
    try {
      outcome = this.writer ? await this.writer.append(batch) : this.appendTransaction(batch);
    } catch (cause) {
      if (cause instanceof StoreError) throw cause;
      const sqliteCode = sqliteCodeOf(cause);
      throw new StoreError(sqliteErrorCode(sqliteCode, 'store.appendFailed'), `sqlite: expected the batch to commit, got ${(cause as Error).message}`, { file: this.file, sqliteCode }, { cause });
    }
    if (outcome.results.some((result) => !result.duplicate)) {
      for (const peer of openStoresByFile.get(this.file) ?? []) peer.listeners.announce(outcome.head);
    }
    return outcome.results;
  }

  async get(cid: string): Promise<StoredEvent | undefined> {
    this.open();
    const row = this.sql.get.get(checkKey(cid, 'cid')) as Row | undefined;
    return row ? toEvent(row) : undefined;
  }

  async readAfter(afterSeq: number, limit?: number): Promise<StoredEvent[]> {
    this.open();
    return (this.sql.after.all(checkSeq(afterSeq, 'afterSeq'), checkLimit(limit)) as Row[]).map(toEvent);
  }

  async readByAuthor(author: string, afterSeq = 0, limit?: number): Promise<StoredEvent[]> {
    this.open();
    return (this.sql.byAuthor.all(checkKey(author, 'author'), checkSeq(afterSeq, 'afterSeq'), checkLimit(limit)) as Row[]).map(toEvent);
  }

  async readByType(type: string, afterSeq = 0, limit?: number): Promise<StoredEvent[]> {
    this.open();
    return (this.sql.byType.all(checkKey(type, 'type'), checkSeq(afterSeq, 'afterSeq'), checkLimit(limit)) as Row[]).map(toEvent);
  }

  async readByRound(round: number, afterSeq = 0, limit?: number): Promise<StoredEvent[]> {
    this.open();
    return (this.sql.byRound.all(checkRound(round, 'round'), checkSeq(afterSeq, 'afterSeq'), checkLimit(limit)) as Row[]).map(toEvent);
  }

  async head(): Promise<number> {
    this.open();
    return this.headNow();
  }

  async saveSnapshot(seq: number, bytes: Uint8Array): Promise<void> {
    const db = this.open();
    checkSeq(seq, 'seq');
    checkBytes(bytes, 'bytes');
    try {
      immediateTransaction(db, () => {
        const head = this.headNow();
        if (seq > head) throw expectedGot('store.invalidInput', 'seq', `a seq <= head (${head})`, seq);
        this.sql.putSnapshot.run(seq, bytes);
        this.sql.pruneSnapshots.run();
      });
    } catch (cause) {
      throw this.writeFailure(cause, 'the snapshot to be saved');
    }
  }

  /** A failed write as a StoreError: disk full and lock timeouts get their own codes (store-errors.ts). */
  private writeFailure(cause: unknown, what: string): Error {
    if (cause instanceof HindsightError || !(cause instanceof Error)) return cause as Error;
    const sqliteCode = sqliteCodeOf(cause);
    return new StoreError(sqliteErrorCode(sqliteCode, 'store.queryFailed'), `sqlite: expected ${what}, got ${cause.message}`, { file: this.file, sqliteCode }, { cause });
  }

  async latestSnapshot(): Promise<Snapshot | undefined> {
    this.open();
    const row = this.sql.latestSnapshot.get() as { seq: number; bytes: ArrayBuffer } | undefined;
    return row ? { seq: row.seq, bytes: asPlainBytes(row.bytes) } : undefined;
  }

  async putMeta(key: string, value: Uint8Array): Promise<void> {
    this.open();
    const args = [checkKey(key, 'key'), checkBytes(value, 'value')] as const;
    try {
      this.sql.putMeta.run(...args);
    } catch (cause) {
      throw this.writeFailure(cause, 'the meta value to be saved');
    }
  }

  async getMeta(key: string): Promise<Uint8Array | undefined> {
    this.open();
    const row = this.sql.getMeta.get(checkKey(key, 'key')) as { value: ArrayBuffer } | undefined;
    return row ? asPlainBytes(row.value) : undefined;
  }

  onAppend(listener: (headSeq: number) => void): () => void {
    this.open();
    const remove = this.listeners.add(listener);
    this.startPolling();
    return () => {
      remove();
      if (this.listeners.size === 0) this.stopPolling();
    };
  }

  /**
   * Other processes' commits are invisible to the in-process fast path; PRAGMA data_version changes
   * whenever another connection commits, which makes the poll a cheap no-op when nothing happened.
   */
  private startPolling(): void {
    if (this.pollTimer) return;
    this.lastDataVersion = scalar(this.sql.dataVersion) as number;
    this.pollTimer = setInterval(() => {
      if (!this.db) return;
      const version = scalar(this.sql.dataVersion) as number;
      if (version === this.lastDataVersion) return;
      this.lastDataVersion = version;
      this.listeners.announce(this.headNow());
    }, CROSS_PROCESS_POLL_MS);
    this.pollTimer.unref();
  }

  private stopPolling(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
  }

  async close(): Promise<void> {
    if (!this.db) return;
    const writer = this.writer;
    this.writer = undefined;
    await writer?.close();
    this.stopPolling();
    this.listeners.clear();
    const peers = openStoresByFile.get(this.file);
    peers?.delete(this);
    if (peers?.size === 0) openStoresByFile.delete(this.file);
    const db = this.db;
    this.db = undefined;
    db.close();
  }
}
