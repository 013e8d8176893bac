import type { ErrorCode } from '../core/error-codes.js';
import { GameRejection, describe } from '../core/errors.js';
import type { SignedEvent } from '../events/envelope.js';
import type { EventType, PayloadOf } from '../events/registry.js';
import type { GameState } from './state.js';

/** What a handler sees: the verified event, its parsed payload, its id and log position. */
export type GameEvent<P = unknown> = { event: SignedEvent; payload: P; cid: string; seq: number };

/**
 * The rules of one event type; handlers.ts holds one per type. A handler checks everything first
 * and throws GameRejection, and only then mutates state.
 */
export type Handler<T extends EventType> = (state: GameState, ev: GameEvent<PayloadOf<T>>) => void;

export function reject(code: ErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }): never {
  throw new GameRejection(code, message, details, options);
}

/** Rejects unless `ok`, with an "expected …, got …" message. */
export function ensure(ok: boolean, code: ErrorCode, field: string, expected: string, got: unknown): asserts ok {
  if (!ok) reject(code, `${field}: expected ${expected}, got ${describe(got)}`, { field, expected, got: describe(got) });
}

export function isAdmin(state: GameState, did: string): boolean {
  return state.community?.config.admins.includes(did) ?? false;
}

export function requireAdmin(state: GameState, ev: GameEvent): void {
  ensure(isAdmin(state, ev.event.author), 'auth.notAdmin', 'author', 'a community admin', ev.event.author);
}
