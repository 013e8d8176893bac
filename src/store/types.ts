/**
 * The event store contract. The store is deliberately generic: it never parses events. Callers hand
 * it events that already passed the stateless checks (schema, signature), encoded as DAG-CBOR, plus
 * the few index columns the game and the node query by. Both backends (SQLite, PostgreSQL) pass the
 * same contract suite (test/support/store-contract.ts).
 */

/** One already-verified, encoded event and the columns it is indexed by. */
export type AppendInput = {
  /** CIDv1 (dag-cbor, sha2-256) of `bytes`, base32 string. The store checks it matches. */
  cid: string;
  type: string;
  /** DID of the signer. */
  author: string;
  /** Round the event belongs to, or null for events outside rounds (genesis, membership...). */
  round: number | null;
  /** The canonical DAG-CBOR bytes of the signed event. */
  bytes: Uint8Array;
};

/**
 * A stored event. `seq` is its position in the log: 1, 2, 3, ... with no gaps, assigned by the store
 * at append time. Readers never see seq N+1 before seq N (see docs/store.md, "Ordering").
 */
export type StoredEvent = AppendInput & { seq: number };

export type AppendResult = {
  seq: number;
  cid: string;
  /** True when the CID was already in the log (or earlier in the same batch): nothing was written. */
  duplicate: boolean;
};

export type Snapshot = { seq: number; bytes: Uint8Array };

export type StoreKind = 'sqlite' | 'postgres';

export interface EventStore {
  readonly kind: StoreKind;
  /**
   * Appends a batch atomically, in order: either every new event is stored (and durable once the
   * promise resolves) or none is. A CID that is already stored is idempotent: it keeps its seq and is
   * reported with `duplicate: true`. Results are in input order.
   */
  append(batch: readonly AppendInput[]): Promise<AppendResult[]>;
  get(cid: string): Promise<StoredEvent | undefined>;
  /** Events with seq > afterSeq, in log order, at most `limit` (default 1000, max 10000). */
  readAfter(afterSeq: number, limit?: number): Promise<StoredEvent[]>;
  readByAuthor(author: string, afterSeq?: number, limit?: number): Promise<StoredEvent[]>;
  readByType(type: string, afterSeq?: number, limit?: number): Promise<StoredEvent[]>;
  readByRound(round: number, afterSeq?: number, limit?: number): Promise<StoredEvent[]>;
  /** The highest seq (= number of events), 0 for an empty log. */
  head(): Promise<number>;
  /** Stores a state snapshot taken after applying events 1..seq (seq must be <= head). */
  saveSnapshot(seq: number, bytes: Uint8Array): Promise<void>;
  /** The snapshot with the highest seq, if any. */
  latestSnapshot(): Promise<Snapshot | undefined>;
  /** Small configuration blobs (e.g. the community genesis), overwritten on each put. */
  putMeta(key: string, value: Uint8Array): Promise<void>;
  getMeta(key: string): Promise<Uint8Array | undefined>;
  /**
   * Calls `listener(headSeq)` after events are appended by this store or by any other store on the same
   * log (another instance, another process; PostgreSQL: LISTEN/NOTIFY). Notifications may coalesce:
   * read from your last seen seq up to `headSeq`. Returns an unsubscribe function.
   */
  onAppend(listener: (headSeq: number) => void): () => void;
  /** Releases connections and timers. Further calls reject with code `store.closed`. */
  close(): Promise<void>;
}

export type OpenStoreOptions = {
  /** Directory for the embedded SQLite log (file DIR/hindsight.db), created if missing. */
  dir?: string;
  /** PostgreSQL URL `postgres://user:pass@host:port/db[?schema=NAME]`. Takes precedence over `dir`. */
  db?: string;
  /** PostgreSQL pool size (default 5). */
  poolSize?: number;
  /**
   * Recompute each appended row's CID from its bytes and refuse mismatches (default true, ~10 µs a
   * row). Turn off only where the caller derived the CID from these same bytes itself.
   */
  checkCids?: boolean;
  /**
   * SQLite only: commit appends on a worker thread with its own connection, so the caller's thread
   * is free during inserts and fsync (the HTTP node turns this on). Default false.
   */
  writerThread?: boolean;
};

/** Default and maximum page sizes for the read methods. */
export const DEFAULT_READ_LIMIT = 1000;
export const MAX_READ_LIMIT = 10_000;
