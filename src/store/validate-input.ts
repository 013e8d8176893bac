/**
 * Shape checks shared by both backends, run before a transaction starts so that a batch with one bad
 * row is refused as a whole and nothing reaches the database.
 */
import { expectedGot, StoreError } from '../core/errors.js';
import { dagCborCidString } from './cid-check.js';
import { DEFAULT_READ_LIMIT, MAX_READ_LIMIT, type AppendInput } from './types.js';

const MAX_TEXT_COLUMN = 512;
/** PostgreSQL INTEGER; both backends accept the same rounds so a log can move between them. */
export const MAX_ROUND = 2_147_483_647;

function checkText(value: unknown, field: string): void {
  // NUL is refused because PostgreSQL text cannot hold it (SQLite could; keep the backends alike).
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TEXT_COLUMN || value.includes('\0')) {
    throw expectedGot('store.invalidInput', field, `a non-empty string of at most ${MAX_TEXT_COLUMN} characters without NUL`, value);
  }
}

export function checkRound(value: unknown, field: string): number {
  if (!(Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= MAX_ROUND)) {
    throw expectedGot('store.invalidInput', field, `an integer from 0 to ${MAX_ROUND}`, value);
  }
  return value as number;
}

/**
 * Throws a ValidationError (code `store.invalidInput`) for the first malformed row. With `checkCids`
 * the CID is recomputed from the bytes (a few µs a row), so a row whose bytes and id disagree can never
 * be stored; callers that computed the CID from these exact bytes a moment ago may turn it off.
 */
export function validateBatch(batch: readonly AppendInput[], checkCids: boolean): void {
  if (!Array.isArray(batch)) throw expectedGot('store.invalidInput', 'batch', 'an array of events', batch);
  batch.forEach((row, index) => {
    const at = `batch[${index}]`;
    if (typeof row !== 'object' || row === null) throw expectedGot('store.invalidInput', at, 'an object', row);
    checkText(row.cid, `${at}.cid`);
    checkText(row.type, `${at}.type`);
    checkText(row.author, `${at}.author`);
    if (row.round !== null) checkRound(row.round, `${at}.round`);
    if (!(row.bytes instanceof Uint8Array) || row.bytes.length === 0) {
      throw expectedGot('store.invalidInput', `${at}.bytes`, 'non-empty Uint8Array', row.bytes);
    }
    if (checkCids) {
      const actual = dagCborCidString(row.bytes);
      if (actual !== row.cid) throw expectedGot('store.cidMismatch', `${at}.cid`, `the CID of bytes (${actual})`, row.cid);
    }
  });
}

export function checkSeq(value: unknown, field: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw expectedGot('store.invalidInput', field, 'a non-negative integer', value);
  }
  return value as number;
}

export function checkLimit(value: number | undefined): number {
  if (value === undefined) return DEFAULT_READ_LIMIT;
  if (!Number.isSafeInteger(value) || value < 1 || value > MAX_READ_LIMIT) {
    throw expectedGot('store.invalidInput', 'limit', `an integer from 1 to ${MAX_READ_LIMIT}`, value);
  }
  return value;
}

export function checkKey(value: unknown, field: string): string {
  checkText(value, field);
  return value as string;
}

export function checkBytes(value: unknown, field: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw expectedGot('store.invalidInput', field, 'Uint8Array', value);
  return value;
}

export function closedError(kind: string): StoreError {
  return new StoreError('store.closed', `${kind} store: expected an open store, got a closed one`, {
    expected: 'open store',
    got: 'closed',
  });
}

/**
 * Views what a driver returns for a blob (libsql: ArrayBuffer, pg: Buffer) as a plain Uint8Array
 * without copying, so results compare equal across backends.
 */
export function asPlainBytes(value: Uint8Array | ArrayBuffer): Uint8Array {
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}
