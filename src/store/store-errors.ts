/**
 * Which store failures are the environment's (the database is down or restarting, the disk is full)
 * rather than a bug or a bad request. Those get their own codes, `store.unavailable` and
 * `store.diskFull`, which a node answers with 503: the same request may succeed later, and nothing
 * of it was written (a failed append is rolled back whole).
 */
import type { ErrorCode } from '../core/error-codes.js';

/** SQLite result codes (libsql puts the name in `code`) that say "not now" rather than "never". */
const SQLITE_CODES: Record<string, ErrorCode> = {
  SQLITE_FULL: 'store.diskFull',
  SQLITE_BUSY: 'store.unavailable',
  SQLITE_LOCKED: 'store.unavailable',
};

/** The SQLite result-code name of a libsql error, if it has one. */
export function sqliteCodeOf(cause: unknown): string | undefined {
  const code = (cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/** The store code for a failed SQLite operation: a classified one, or `fallback`. */
export function sqliteErrorCode(sqliteCode: string | undefined, fallback: ErrorCode): ErrorCode {
  return (sqliteCode && SQLITE_CODES[sqliteCode]) || fallback;
}

/**
 * SQLSTATEs of a server that is going away, starting up or out of resources: class 08 (connection
 * exception), 57P01–57P05 (admin / crash shutdown, cannot connect now, database dropped, idle session
 * timeout), 53300 (too many connections), 53100 (disk full).
 */
const POSTGRES_UNAVAILABLE = /^(08...|57P0[1-5]|53300)$/;
/** Socket-level failures of the connection to the server. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);
/** pg and pg-pool say these without a code when a connection dies or cannot be made in time. */
const CONNECTION_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|not queryable|Connection terminated due to connection timeout|connect ECONNREFUSED/i;

/** The store code for a failed PostgreSQL operation: `store.unavailable`, `store.diskFull`, or `fallback`. */
export function postgresErrorCode(cause: unknown, fallback: ErrorCode): ErrorCode {
  const e = cause as { code?: unknown; message?: unknown; errors?: unknown } | undefined;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  if (code === '53100') return 'store.diskFull';
  if (code && (POSTGRES_UNAVAILABLE.test(code) || NETWORK_CODES.has(code))) return 'store.unavailable';
  // Node reports a refused connection to a host with several addresses as an AggregateError.
  if (Array.isArray(e?.errors) && e.errors.some((inner) => postgresErrorCode(inner, fallback) === 'store.unavailable')) return 'store.unavailable';
  if (typeof e?.message === 'string' && CONNECTION_MESSAGES.test(e.message)) return 'store.unavailable';
  return fallback;
}
