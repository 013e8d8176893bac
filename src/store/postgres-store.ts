/**
 * Event store on PostgreSQL, for several nodes sharing one log.
 *
 * Ordering: every append (the server-side function hindsight_append, postgres-schema.ts) first locks
 * the single `hindsight_log` row (FOR UPDATE) and only then reads the head and inserts seqs head+1,
 * head+2, ... The lock is held until COMMIT, so
 * appends from any number of processes run one after another: seqs are gapless (a rollback also
 * rolls back the head), and the next appender cannot even pick its seqs before the previous commit
 * is visible. Hence readers never see seq N+1 without N. (A plain sequence would be cheaper but
 * commits can become visible out of sequence order, and sequences leave gaps on rollback.)
 * Durability is PostgreSQL's: COMMIT returns after the WAL is flushed (synchronous_commit=on).
 *
 * Notifications: the append calls pg_notify(channel, head); PostgreSQL delivers it only
 * on COMMIT, to every session that LISTENs, in commit order.
 */
import pg from 'pg';
import type { ErrorCode } from '../core/error-codes.js';
import { StoreError, expectedGot } from '../core/errors.js';
import { AppendListeners } from './append-listeners.js';
import { PostgresListener } from './postgres-listener.js';
import { postgresErrorCode } from './store-errors.js';
import { POSTGRES_SCHEMA_VERSION, SCHEMA_LOCK_KEY, postgresSchemaSql, quoteIdent } from './postgres-schema.js';
import { parsePostgresUrl, type PostgresLocation } from './postgres-url.js';
import type { AppendInput, AppendResult, EventStore, Snapshot, StoredEvent } from './types.js';
import { asPlainBytes, checkBytes, checkKey, checkLimit, checkRound, checkSeq, closedError, validateBatch } from './validate-input.js';

type Row = { seq: string; cid: string; type: string; author: string; round: number | null; bytes: Buffer };

const COLUMNS = 'seq, cid, type, author, round, bytes';
const SNAPSHOTS_KEPT = 3;
const CONNECT_TIMEOUT_MS = 10_000;

function toEvent(row: Row): StoredEvent {
  return { seq: Number(row.seq), cid: row.cid, type: row.type, author: row.author, round: row.round, bytes: asPlainBytes(row.bytes) };
}

/** A failed operation as a StoreError; a server that is down, restarting or full gets its own code (store-errors.ts). */
function failure(code: ErrorCode, what: string, location: PostgresLocation, cause: unknown): StoreError {
  return new StoreError(postgresErrorCode(cause, code), `postgres: expected ${what}, got ${(cause as Error)?.message ?? String(cause)}`, { db: location.redacted }, { cause });
}

export class PostgresEventStore implements EventStore {
  readonly kind = 'postgres' as const;
  private pool: pg.Pool | undefined;
  private listener: PostgresListener | undefined;
  private readonly listeners = new AppendListeners();
  private readonly t: { events: string; log: string; snapshots: string; meta: string; append: string };
  private readonly channel: string;
  /** Queries started before close(); close() lets them finish (graceful node shutdown). */
  private readonly inFlight = new Set<Promise<unknown>>();

  static async open(url: string, options: { poolSize?: number; checkCids?: boolean } = {}): Promise<PostgresEventStore> {
    const location = parsePostgresUrl(url);
    // Appends serialize on one row lock anyway; a few connections serve concurrent reads.
    // connectionTimeoutMillis: an unreachable host fails in seconds instead of the OS TCP timeout.
    const pool = new pg.Pool({ connectionString: location.connectionString, max: options.poolSize ?? 5, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    pool.on('error', (error) => process.emitWarning(`idle PostgreSQL connection failed: ${error.message}`, 'HindsightStoreWarning'));
    const store = new PostgresEventStore(pool, location, options.checkCids ?? true);
    try {
      await store.migrate();
      store.listeners.markSeen(await store.head());
    } catch (cause) {
      await pool.end().catch(() => {});
      if (cause instanceof StoreError) throw cause;
      // Opening is not retried here: a node that cannot reach its database does not start.
      throw new StoreError('store.openFailed', `postgres: expected a reachable PostgreSQL at ${location.redacted}, got ${(cause as Error)?.message ?? String(cause)}`, { db: location.redacted }, { cause });
    }
    return store;
  }

  private constructor(pool: pg.Pool, private readonly location: PostgresLocation, private readonly checkCids: boolean) {
    this.pool = pool;
    const s = quoteIdent(location.schema);
    this.t = { events: `${s}.hindsight_events`, log: `${s}.hindsight_log`, snapshots: `${s}.hindsight_snapshots`, meta: `${s}.hindsight_meta`, append: `${s}.hindsight_append` };
    this.channel = `hindsight_${location.schema}`;
  }

  private async migrate(): Promise<void> {
    await this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK_KEY]);
      // Check the version before any DDL: a newer hindsight's function must not be replaced by ours.
      const exists = await client.query<{ found: string | null }>('SELECT to_regclass($1) AS found', [this.t.log]);
      const { rows } = exists.rows[0].found
        ? await client.query<{ schema_version: number }>(`SELECT schema_version FROM ${this.t.log}`)
        : { rows: [] };
      const version = rows[0]?.schema_version ?? 0;
      if (version > POSTGRES_SCHEMA_VERSION) {
        throw new StoreError('store.schemaTooNew', `postgres: expected schema version <= ${POSTGRES_SCHEMA_VERSION}, got ${version} (written by a newer hindsight)`, {
          expected: `<= ${POSTGRES_SCHEMA_VERSION}`,
          got: String(version),
        });
      }
      await client.query(postgresSchemaSql(this.location.schema));
    });
  }

  private open(): pg.Pool {
    if (!this.pool) throw closedError('postgres');
    return this.pool;
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    const forget = () => this.inFlight.delete(work);
    work.then(forget, forget);
    return work;
  }

  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.open().connect();
    // A checked-out client has no listener of the pool's: if the server goes away between two
    // statements, its 'error' event would be unhandled and end the process. The statement in
    // flight (or the next one) fails anyway, and release(error) below discards the connection.
    let broken: Error | undefined;
    const onError = (error: Error) => (broken ??= error);
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      if (!broken) await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  }

  private async query<R extends pg.QueryResultRow>(sql: string, values: unknown[]): Promise<R[]> {
    try {
      return (await this.track(this.open().query<R>(sql, values))).rows;
    } catch (cause) {
      if (cause instanceof StoreError) throw cause;
      throw failure('store.queryFailed', 'the query to succeed', this.location, cause);
    }
  }

  async append(batch: readonly AppendInput[]): Promise<AppendResult[]> {
    this.open();
    validateBatch(batch, this.checkCids);
    if (batch.length === 0) return [];
    let rows: { out_seq: string; out_duplicate: boolean }[];
    try {
      // One statement = one implicit transaction: all rows or none (see hindsight_append).
      rows = (
        await this.track(
          this.open().query<{ out_seq: string; out_duplicate: boolean }>(
            `SELECT out_seq, out_duplicate FROM ${this.t.append}($1::text[], $2::text[], $3::text[], $4::integer[], $5::bytea[], $6)`,
            [batch.map((r) => r.cid), batch.map((r) => r.type), batch.map((r) => r.author), batch.map((r) => r.round), batch.map((r) => r.bytes), this.channel],
          ),
        )
      ).rows;
    } catch (cause) {
      if (cause instanceof StoreError) throw cause;
      throw failure('store.appendFailed', 'the batch to commit', this.location, cause);
    }
    if (rows.length !== batch.length) {
      throw new StoreError('store.appendFailed', `postgres: expected ${batch.length} append results, got ${rows.length}`, { db: this.location.redacted });
    }
    const results = rows.map((row, i): AppendResult => ({ seq: Number(row.out_seq), cid: batch[i].cid, duplicate: row.out_duplicate }));
    const fresh = results.filter((r) => !r.duplicate);
    if (fresh.length > 0) this.listeners.announce(Math.max(...fresh.map((r) => r.seq)));
    return results;
  }

  async get(cid: string): Promise<StoredEvent | undefined> {
    const rows = await this.query<Row>(`SELECT ${COLUMNS} FROM ${this.t.events} WHERE cid = $1`, [checkKey(cid, 'cid')]);
    return rows[0] ? toEvent(rows[0]) : undefined;
  }

  async readAfter(afterSeq: number, limit?: number): Promise<StoredEvent[]> {
    const sql = `SELECT ${COLUMNS} FROM ${this.t.events} WHERE seq > $1 ORDER BY seq LIMIT $2`;
    return (await this.query<Row>(sql, [checkSeq(afterSeq, 'afterSeq'), checkLimit(limit)])).map(toEvent);
  }

  private async readBy(column: 'author' | 'type' | 'round', value: string | number, afterSeq: number, limit?: number): Promise<StoredEvent[]> {
    const sql = `SELECT ${COLUMNS} FROM ${this.t.events} WHERE ${column} = $1 AND seq > $2 ORDER BY seq LIMIT $3`;
    return (await this.query<Row>(sql, [value, checkSeq(afterSeq, 'afterSeq'), checkLimit(limit)])).map(toEvent);
  }

  async readByAuthor(author: string, afterSeq = 0, limit?: number): Promise<StoredEvent[]> {
    return this.readBy('author', checkKey(author, 'author'), afterSeq, limit);
  }

  async readByType(type: string, afterSeq = 0, limit?: number): Promise<StoredEvent[]> {
    return this.readBy('type', checkKey(type, 'type'), afterSeq, limit);
  }

  async readByRound(round: number, afterSeq = 0, limit?: number): Promise<StoredEvent[]> {
    return this.readBy('round', checkRound(round, 'round'), afterSeq, limit);
  }

  async head(): Promise<number> {
    // Read the committed head row rather than max(seq): same value, and never blocks on an appender.
    const rows = await this.query<{ head: string }>(`SELECT head FROM ${this.t.log} WHERE id`, []);
    return Number(rows[0].head);
  }

  async saveSnapshot(seq: number, bytes: Uint8Array): Promise<void> {
    checkSeq(seq, 'seq');
    checkBytes(bytes, 'bytes');
    const head = await this.head();
    // The head only grows, so checking it outside the insert transaction is still sound.
    if (seq > head) throw expectedGot('store.invalidInput', 'seq', `a seq <= head (${head})`, seq);
    const save = this.transaction(async (client) => {
      await client.query(`INSERT INTO ${this.t.snapshots} (seq, bytes) VALUES ($1, $2) ON CONFLICT (seq) DO UPDATE SET bytes = excluded.bytes`, [seq, bytes]);
      await client.query(`DELETE FROM ${this.t.snapshots} WHERE seq NOT IN (SELECT seq FROM ${this.t.snapshots} ORDER BY seq DESC LIMIT ${SNAPSHOTS_KEPT})`);
    });
    await this.track(save).catch((cause: unknown) => {
      throw failure('store.queryFailed', 'the snapshot to be saved', this.location, cause);
    });
  }

  async latestSnapshot(): Promise<Snapshot | undefined> {
    const rows = await this.query<{ seq: string; bytes: Buffer }>(`SELECT seq, bytes FROM ${this.t.snapshots} ORDER BY seq DESC LIMIT 1`, []);
    return rows[0] ? { seq: Number(rows[0].seq), bytes: asPlainBytes(rows[0].bytes) } : undefined;
  }

  async putMeta(key: string, value: Uint8Array): Promise<void> {
    const sql = `INSERT INTO ${this.t.meta} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`;
    await this.query(sql, [checkKey(key, 'key'), checkBytes(value, 'value')]);
  }

  async getMeta(key: string): Promise<Uint8Array | undefined> {
    const rows = await this.query<{ value: Buffer }>(`SELECT value FROM ${this.t.meta} WHERE key = $1`, [checkKey(key, 'key')]);
    return rows[0] ? asPlainBytes(rows[0].value) : undefined;
  }

  onAppend(listener: (headSeq: number) => void): () => void {
    this.open();
    const remove = this.listeners.add(listener);
    if (!this.listener) {
      this.listener = new PostgresListener(
        this.location.connectionString,
        this.channel,
        (head) => this.listeners.announce(head),
        () => this.head(),
      );
    }
    return () => {
      remove();
      if (this.listeners.size === 0 && this.listener) {
        const stopping = this.listener;
        this.listener = undefined;
        void stopping.stop();
      }
    };
  }

  /** Resolves when the LISTEN connection is up (no-op without listeners). */
  async listening(): Promise<void> {
    await this.listener?.ready;
  }

  async close(): Promise<void> {
    const pool = this.pool;
    if (!pool) return;
    this.pool = undefined;
    await Promise.allSettled([...this.inFlight]);
    this.listeners.clear();
    const listener = this.listener;
    this.listener = undefined;
    await listener?.stop();
    await pool.end();
  }
}
