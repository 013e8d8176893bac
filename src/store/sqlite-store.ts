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
import Database from 'libsql';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StoreError, expectedGot } from '../core/errors.js';
import { AppendListeners } from './append-listeners.js';
import { SQLITE_SCHEMA, SQLITE_SCHEMA_VERSION } from './sqlite-schema.js';
import type { AppendInput, AppendResult, EventStore, Snapshot, StoredEvent } from './types.js';
import { asPlainBytes, checkBytes, checkKey, checkLimit, checkRound, checkSeq, closedError, validateBatch } from './validate-input.js';

type Db = Database.Database;
type Row = { seq: number; cid: string; type: string; author: string; round: number | null; bytes: ArrayBuffer };
type Statement = Database.Statement;

const COLUMNS = 'seq, cid, type, author, round, bytes';
// Careful with libsql 0.5: a statement's *only* argument being a Uint8Array is taken as the list of
// bind values (and panics the process), so every statement binding bytes here takes 2+ arguments.
/** How often a store with listeners checks whether another connection or process appended. */
const CROSS_PROCESS_POLL_MS = 50;
/** Old snapshots kept besides the newest (a fallback if the newest turns out unusable). */
const SNAPSHOTS_KEPT = 3;

/** Stores of this process by database file, so an append wakes every instance at once. */
const openStoresByFile = new Map<string, Set<SqliteEventStore>>();

/** First column of the first row. (libsql 0.5 ignores pluck() on get(), so use raw rows.) */
function scalar(statement: Statement): unknown {
  const row = statement.raw(true).get() as unknown[] | undefined;
  return row?.[0];
}

function toEvent(row: Row): StoredEvent {
  return { seq: row.seq, cid: row.cid, type: row.type, author: row.author, round: row.round, bytes: asPlainBytes(row.bytes) };
}

/** Opens the file with our pragmas and schema; closes it again if anything fails. */
function openDatabase(file: string): Db {
  let db: Db | undefined;
  try {
    db = new Database(file);
    db.exec('PRAGMA busy_timeout = 10000');
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = FULL');
    migrate(db);
    return db;
  } catch (cause) {
    db?.close();
    if (cause instanceof StoreError) throw cause;
    throw new StoreError('store.open_failed', `sqlite: expected a writable hindsight database at ${file}, got ${(cause as Error).message}`, { file }, { cause });
  }
}

function migrate(db: Db): void {
  const version = scalar(db.prepare('PRAGMA user_version')) as number;
  if (version > SQLITE_SCHEMA_VERSION) {
    throw new StoreError('store.schema_too_new', `sqlite: expected schema version <= ${SQLITE_SCHEMA_VERSION}, got ${version} (written by a newer hindsight)`, {
      expected: `<= ${SQLITE_SCHEMA_VERSION}`,
      got: String(version),
    });
  }
  if (version < SQLITE_SCHEMA_VERSION) {
    db.transaction(() => {
      db.exec(SQLITE_SCHEMA);
      db.exec(`PRAGMA user_version = ${SQLITE_SCHEMA_VERSION}`);
    }).immediate();
  }
}

type StatementName =
  | 'head' | 'insert' | 'seqOfCid' | 'get' | 'after' | 'byAuthor' | 'byType' | 'byRound'
  | 'putSnapshot' | 'pruneSnapshots' | 'latestSnapshot' | 'putMeta' | 'getMeta' | 'dataVersion';

function prepareStatements(db: Db): Record<StatementName, Statement> {
  return {
    head: db.prepare('SELECT coalesce(max(seq), 0) AS head FROM events'),
    insert: db.prepare('INSERT INTO events (seq, cid, type, author, round, bytes) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (cid) DO NOTHING'),
    seqOfCid: db.prepare('SELECT seq FROM events WHERE cid = ?'),
    get: db.prepare(`SELECT ${COLUMNS} FROM events WHERE cid = ?`),
    after: db.prepare(`SELECT ${COLUMNS} FROM events WHERE seq > ? ORDER BY seq LIMIT ?`),
    byAuthor: db.prepare(`SELECT ${COLUMNS} FROM events WHERE author = ? AND seq > ? ORDER BY seq LIMIT ?`),
    byType: db.prepare(`SELECT ${COLUMNS} FROM events WHERE type = ? AND seq > ? ORDER BY seq LIMIT ?`),
    byRound: db.prepare(`SELECT ${COLUMNS} FROM events WHERE round = ? AND seq > ? ORDER BY seq LIMIT ?`),
    putSnapshot: db.prepare('INSERT INTO snapshots (seq, bytes) VALUES (?, ?) ON CONFLICT (seq) DO UPDATE SET bytes = excluded.bytes'),
    pruneSnapshots: db.prepare(`DELETE FROM snapshots WHERE seq NOT IN (SELECT seq FROM snapshots ORDER BY seq DESC LIMIT ${SNAPSHOTS_KEPT})`),
    latestSnapshot: db.prepare('SELECT seq, bytes FROM snapshots ORDER BY seq DESC LIMIT 1'),
    putMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    getMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
    dataVersion: db.prepare('PRAGMA data_version'),
  };
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
  private readonly appendTransaction: (batch: readonly AppendInput[]) => { results: AppendResult[]; head: number };

  /** Opens (creating if needed) DIR/hindsight.db. */
  static open(dir: string, options: { checkCids?: boolean } = {}): SqliteEventStore {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (cause) {
      throw new StoreError('store.open_failed', `sqlite: expected a usable directory at ${dir}, got ${(cause as Error).message}`, { dir }, { cause });
    }
    return new SqliteEventStore(resolve(join(dir, 'hindsight.db')), options.checkCids ?? true);
  }

  private constructor(file: string, checkCids: boolean) {
    this.file = file;
    this.checkCids = checkCids;
    const db = openDatabase(file);
    this.db = db;
    this.sql = prepareStatements(db);
    this.appendTransaction = db.transaction((batch: readonly AppendInput[]) => this.appendLocked(batch)).immediate;
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

  /** Runs inside BEGIN IMMEDIATE: we hold the write lock, so head cannot move under us. */
  private appendLocked(batch: readonly AppendInput[]): { results: AppendResult[]; head: number } {
    let head = this.headNow();
    const results: AppendResult[] = [];
    for (const row of batch) {
      const inserted = this.sql.insert.run(head + 1, row.cid, row.type, row.author, row.round, row.bytes).changes === 1;
      if (inserted) {
        head += 1;
        results.push({ seq: head, cid: row.cid, duplicate: false });
      } else {
        const existing = this.sql.seqOfCid.get(row.cid) as { seq: number };
        results.push({ seq: existing.seq, cid: row.cid, duplicate: true });
      }
    }
    return { results, head };
  }

  async append(batch: readonly AppendInput[]): Promise<AppendResult[]> {
    this.open();
    validateBatch(batch, this.checkCids);
    if (batch.length === 0) return [];
    let outcome: { results: AppendResult[]; head: number };
    try {
      outcome = this.appendTransaction(batch);
    } catch (cause) {
      throw new StoreError('store.append_failed', `sqlite: expected the batch to commit, got ${(cause as Error).message}`, { file: this.file }, { cause });
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
    db.transaction(() => {
      const head = this.headNow();
      if (seq > head) throw expectedGot('store.invalid_input', 'seq', `a seq <= head (${head})`, seq);
      this.sql.putSnapshot.run(seq, bytes);
      this.sql.pruneSnapshots.run();
    }).immediate();
  }

  async latestSnapshot(): Promise<Snapshot | undefined> {
    this.open();
    const row = this.sql.latestSnapshot.get() as { seq: number; bytes: ArrayBuffer } | undefined;
    return row ? { seq: row.seq, bytes: asPlainBytes(row.bytes) } : undefined;
  }

  async putMeta(key: string, value: Uint8Array): Promise<void> {
    this.open();
    this.sql.putMeta.run(checkKey(key, 'key'), checkBytes(value, 'value'));
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
