import { HindsightError, InternalError } from '../core/errors.js';
import { toJson } from '../core/json.js';

/** Global flags every command understands. */
export type OutputOptions = { json?: boolean };

/** JSON.stringify that renders bigint money as decimal strings of micro-units. */
export { toJson };

/**
 * Prints a command's result. With --json the last line of stdout is one JSON object (scripts parse
 * it); otherwise `human` renders it for people.
 */
export function printResult(result: object, opts: OutputOptions, human?: (r: typeof result) => string): void {
  if (opts.json) {
    process.stdout.write(`${toJson(result)}\n`);
  } else if (human) {
    process.stdout.write(`${human(result)}\n`);
  } else {
    process.stdout.write(`${toJson(result, 2)}\n`);
  }
}

/**
 * Turns any thrown error into a clear message (and a JSON object with --json) and exit code 1. An
 * InternalError is a bug rather than bad input, and the message says so.
 */
export function reportError(error: unknown, json: boolean): number {
  const payload =
    error instanceof HindsightError
      ? { error: error.code, message: error.message, field: error.details.field, details: error.details }
      : { error: 'internal', message: error instanceof Error ? error.message : String(error) };
  const bug = error instanceof InternalError ? 'internal error (a bug in hindsight): ' : '';
  process.stderr.write(`error: ${bug}${payload.message}${payload.error !== 'internal' ? ` [${payload.error}]` : ''}\n`);
  if (json) process.stdout.write(`${toJson(payload)}\n`);
  return 1;
}
