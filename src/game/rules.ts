import { GameRejection, describe } from '../core/errors.js';
import type { SignedEvent } from '../events/envelope.js';
import type { GameState } from './state.js';

/** What a handler sees: the verified event, its parsed payload, its id and log position. */
export type GameEvent<P = Record<string, unknown>> = { event: SignedEvent; payload: P; cid: string; seq: number };

/** A handler checks everything first and throws GameRejection, and only then mutates state. */
export type Handler = (state: GameState, ev: GameEvent) => void;

const handlers = new Map<string, Handler>();

export function registerHandler(type: string, handler: Handler): void {
  if (handlers.has(type)) throw new Error(`handler for ${type} registered twice`);
  handlers.set(type, handler);
}

export function handlerFor(type: string): Handler | undefined {
  return handlers.get(type);
}

export function reject(code: string, message: string, details: Record<string, unknown> = {}): never {
  throw new GameRejection(code, message, details);
}

/** Rejects unless `ok`, with an "expected …, got …" message. */
export function ensure(ok: boolean, code: string, field: string, expected: string, got: unknown): asserts ok {
  if (!ok) reject(code, `${field}: expected ${expected}, got ${describe(got)}`, { field, expected, got: describe(got) });
}

export function isAdmin(state: GameState, did: string): boolean {
  return state.community?.config.admins.includes(did) ?? false;
}

export function requireAdmin(state: GameState, ev: GameEvent): void {
  ensure(isAdmin(state, ev.event.author), 'auth.notAdmin', 'author', 'a community admin', ev.event.author);
}
