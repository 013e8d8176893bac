/**
 * The SQLite file as both threads of a SQLite store see it: our pragmas, the schema migration, the
 * prepared statements, and the append transaction (run on the main thread, or on the writer thread
 * of sqlite-writer.ts).
 */
import Database from 'libsql';
import { StoreError } from '../core/errors.js';
import { SQLITE_SCHEMA, SQLITE_SCHEMA_VERSION } from './sqlite-schema.js';
import type { AppendInput, AppendResult } from './types.js';

export type Db = Database.Database;
export type Statement = Database.Statement;

export const COLUMNS = 'seq, cid, type, author, round, bytes';
// Careful with libsql 0.5: a statement's *only* argument being a Uint8Array is taken as the list of
// bind values (and panics the process), so every statement binding bytes here takes 2+ arguments.
/** Old snapshots kept besides the newest (a fallback if the newest turns out unusable). */
const SNAPSHOTS_KEPT = 3;

/** First column of the first row. (libsql 0.5 ignores pluck() on get(), so use raw rows.) */
export function scalar(statement: Statement): unknown {
  const row = statement.raw(true).get() as unknown[] | undefined;
  return row?.[0];
}


/** Opens the file with our pragmas and schema; closes it again if anything fails. */
export function openDatabase(file: string): Db {
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
    throw new StoreError('store.openFailed', `sqlite: expected a writable hindsight database at ${file}, got ${(cause as Error).message}`, { file }, { cause });
  }
}

function migrate(db: Db): void {
  const version = scalar(db.prepare('PRAGMA user_version')) as number;
  if (version > SQLITE_SCHEMA_VERSION) {
    throw new StoreError('store.schemaTooNew', `sqlite: expected schema version <= ${SQLITE_SCHEMA_VERSION}, got ${version} (written by a newer hindsight)`, {
      expected: `<= ${SQLITE_SCHEMA_VERSION}`,
      got: String(version),
    });
  }
  if (version < SQLITE_SCHEMA_VERSION) {
    immediateTransaction(db, () => {
      db.exec(SQLITE_SCHEMA);
      db.exec(`PRAGMA user_version = ${SQLITE_SCHEMA_VERSION}`);
    });
  }
}

/**
 * Runs `work` in a BEGIN IMMEDIATE transaction and commits it; on failure rolls back and rethrows
 * the *original* error. (libsql's own `transaction()` issues ROLLBACK unconditionally, but SQLite
 * already rolls back by itself after some errors, SQLITE_FULL among them; the ROLLBACK then fails
 * with "cannot rollback - no transaction is active", and that error replaces the real one.)
 */
export function immediateTransaction<T>(db: Db, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.inTransaction) {
      try {
        db.exec('ROLLBACK');
      } catch {
        // Keep the error that made us roll back; SQLite discards an unfinished transaction anyway.
      }
    }
    throw error;
  }
}

export type StatementName =
  | 'head' | 'insert' | 'seqOfCid' | 'get' | 'after' | 'byAuthor' | 'byType' | 'byRound'
  | 'putSnapshot' | 'pruneSnapshots' | 'latestSnapshot' | 'putMeta' | 'getMeta' | 'dataVersion';

export function prepareStatements(db: Db): Record<StatementName, Statement> {
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

export type AppendOutcome = { results: AppendResult[]; head: number };

/**
 * The append transaction: BEGIN IMMEDIATE takes the write lock before the head is read, so head
 * cannot move under us and seqs are gapless and in commit order, across threads and processes.
 */
export function appendTransaction(db: Db, sql: Record<StatementName, Statement>): (batch: readonly AppendInput[]) => AppendOutcome {
  return (batch) => immediateTransaction(db, (): AppendOutcome => {
    let head = scalar(sql.head) as number;
    const results: AppendResult[] = [];
    for (const row of batch) {
      const inserted = sql.insert.run(head + 1, row.cid, row.type, row.author, row.round, row.bytes).changes === 1;
      if (inserted) {
        head += 1;
        results.push({ seq: head, cid: row.cid, duplicate: false });
      } else {
        const existing = sql.seqOfCid.get(row.cid) as { seq: number };
        results.push({ seq: existing.seq, cid: row.cid, duplicate: true });
      }
    }
    return { results, head };
  });
}
