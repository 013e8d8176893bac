/**
 * Every failure a user can cause is a HindsightError with a stable `code`, a short message that says
 * what was expected and what arrived, and structured details. Codes are part of the API: clients
 * and tests match on them, so never rename one.
 */
export type ErrorDetails = {
  field?: string;
  expected?: string;
  got?: string;
  [key: string]: unknown;
};

export class HindsightError extends Error {
  readonly code: string;
  readonly details: ErrorDetails;

  constructor(code: string, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }

  toJSON(): { code: string; message: string; field?: string; details: ErrorDetails } {
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

/** Formats a value for an error message without dumping huge structures. */
export function describe(value: unknown, max = 80): string {
  let text: string;
  if (typeof value === 'bigint') text = `${value}n`;
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

export function expectedGot(code: string, field: string, expected: string, got: unknown): ValidationError {
  return new ValidationError(code, `${field}: expected ${expected}, got ${describe(got)}`, {
    field,
    expected,
    got: describe(got),
  });
}
