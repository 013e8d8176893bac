import type { ErrorCode } from '../core/error-codes.js';
import { AuthError, GameRejection, HindsightError, InternalError, StoreError, ValidationError } from '../core/errors.js';
import type { z } from 'zod';
import type { ErrorBody } from './api-schemas.js';

/** A listed code, or `internal`: the code of every 500 that is not the store's (its details stay in the log). */
export type ReplyCode = ErrorCode | 'internal';
export type ErrorReply = { status: number; body: z.infer<typeof ErrorBody> & { code: ReplyCode }; headers?: Record<string, string> };

/** An HTTP-level refusal (size, media type, rate, route) with a stable code like the game's. */
export class HttpError extends HindsightError {
  constructor(
    readonly status: number,
    code: ErrorCode,
    message: string,
    details: { field?: string; [key: string]: unknown } = {},
    /** Response headers that go with the refusal (Retry-After on a 429). */
    readonly headers: Record<string, string> = {},
  ) {
    super(code, message, details);
  }
}

/** Fastify's own error codes for body problems, mapped to ours. */
const FASTIFY_CODES: Record<string, { status: number; code: ErrorCode; message: (e: Error, limits: ReplyLimits) => string; field?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413, code: 'http.bodyTooLarge', field: 'body',
    message: (_e, limits) => `body: expected at most ${limits.bodyLimit === undefined ? 'the node body limit' : `${limits.bodyLimit} bytes`}, got more`,
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'http.unsupportedMediaType', message: () => 'content-type: expected application/json, got something else', field: 'content-type' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'http.emptyBody', message: () => 'body: expected a JSON event, got an empty body', field: 'body' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'http.malformedJson', message: (e) => `body: expected JSON, got ${e.message}`, field: 'body' },
  FST_ERR_BAD_URL: { status: 400, code: 'http.badRequest', message: () => 'url: expected a path of valid percent-encoded segments, got one that does not decode', field: 'url' },
};

/** Store failures that pass (shutting down, database down or restarting, disk full): 503, try again later. */
const STORE_UNAVAILABLE: ReadonlySet<ErrorCode> = new Set(['store.closed', 'store.unavailable', 'store.diskFull']);
/**
 * Seconds a client should wait before retrying a 503: the PostgreSQL pool reconnects within about
 * a second of the server coming back, so a short, fixed hint beats clients guessing.
 */
export const STORE_RETRY_AFTER_SECONDS = 2;

/** The node's limits, for messages that state them. */
export type ReplyLimits = { bodyLimit?: number };

/**
 * One place decides the status of every failure: validation 400, signature 401, game rule 422,
 * rate 429, unavailable store 503; an InternalError or anything unexpected is a 500 whose message
 * and details stay in the log.
 */
export function toErrorReply(error: unknown, limits: ReplyLimits = {}): ErrorReply {
  if (error instanceof InternalError) return internal();
  if (error instanceof HttpError) return { ...reply(error.status, 'http', error), ...(Object.keys(error.headers).length > 0 ? { headers: error.headers } : {}) };
  if (error instanceof ValidationError) return reply(400, 'validation', error);
  if (error instanceof AuthError) return reply(401, 'auth', error);
  if (error instanceof GameRejection) return reply(422, 'rejection', error);
  if (error instanceof StoreError) {
    if (!STORE_UNAVAILABLE.has(error.code)) return reply(500, 'store', error);
    return { ...reply(503, 'store', error), headers: { 'retry-after': String(STORE_RETRY_AFTER_SECONDS) } };
  }
  if (error instanceof HindsightError) return reply(400, 'validation', error);
  const e = error as Error & { code?: string; statusCode?: number };
  const known = e?.code ? FASTIFY_CODES[e.code] : undefined;
  if (known) return { status: known.status, body: { code: known.code, kind: 'http', message: known.message(e, limits), field: known.field } };
  if (e instanceof SyntaxError && e.statusCode === 400) {
    return { status: 400, body: { code: 'http.malformedJson', kind: 'http', message: `body: expected JSON, got ${e.message}`, field: 'body' } };
  }
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { status: e.statusCode, body: { code: 'http.badRequest', kind: 'http', message: String(e.message) } };
  }
  return internal();
}

function internal(): ErrorReply {
  return { status: 500, body: { code: 'internal', kind: 'internal', message: 'internal error (see the node log)' } };
}

function reply(status: number, kind: ErrorReply['body']['kind'], error: HindsightError): ErrorReply {
  const seq = typeof error.details.seq === 'number' ? error.details.seq : undefined;
  return { status, body: { code: error.code, kind, message: error.message, field: error.details.field, ...(seq !== undefined ? { seq } : {}) } };
}
