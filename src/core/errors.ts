/**
 * Every failure is a HindsightError with a code from the one list in error-codes.ts, a short message
 * that says what was expected and what arrived, structured details, and the error it wraps as
 * `cause`. Codes are part of the API: clients and tests match on them.
 */
import type { ErrorCode } from './error-codes.js';

export { ERROR_CODES, isErrorCode, type ErrorCode } from './error-codes.js';

export type ErrorDetails = {
  field?: string;
  expected?: string;
  got?: string;
  [key: string]: unknown;
};

export class HindsightError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }

  toJSON(): { code: ErrorCode; message: string; field?: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, field: this.details.field, details: this.details };
  }
}

/** Input that fails a schema, size or format check before it reaches the log. */
export class ValidationError extends HindsightError {}

/** A signature, delegation or identity check failed. */
export class AuthError extends HindsightError {}

/** A stateful game rule refused an event (balance, phase, committee seat, ...). */
export class GameRejection extends HindsightError {}

/** The store could not do what was asked (I/O, corruption, conflict). */
export class StoreError extends HindsightError {}

/**
 * A bug or a broken invariant, never the caller's fault (a debit without funds checked first, a
 * worker thread that died). The node answers 500 and keeps the message and details in its log.
 */
export class InternalError extends HindsightError {}

/** Formats a value for an error message without dumping huge structures. */
export function describe(value: unknown, max = 80): string {
  let text: string;
  if (typeof value === 'bigint') text = `${value}n`;
  else if (typeof value === 'number') text = String(value); // JSON would print NaN and Infinity as null
  else if (typeof value === 'string') text = JSON.stringify(value);
  else if (value === undefined) text = 'undefined';
  else {
    try {
      text = JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A ValidationError reading "field: expected X, got Y"; `cause` when it wraps a caught error. */
export function expectedGot(code: ErrorCode, field: string, expected: string, got: unknown, options?: { cause?: unknown }): ValidationError {
  return new ValidationError(code, `${field}: expected ${expected}, got ${describe(got)}`, {
    field,
    expected,
    got: describe(got),
  }, options);
}
