import type { ErrorCode } from '../core/error-codes.js';
import { GameRejection } from '../core/errors.js';
import type { VerifiedEvent } from '../events/verify.js';
import { canonicalDid } from '../events/did.js';
import { isEventType } from '../events/registry.js';
import type { GameState } from './state.js';
import { HANDLERS } from './handlers.js';
import type { GameEvent } from './rules.js';

export type Receipt =
  | { seq: number; cid: string; status: 'accepted' }
  | { seq: number; cid: string; status: 'rejected'; code: ErrorCode; message: string; field?: string };

/**
 * Applies one event or throws GameRejection leaving `state` untouched: stateful checks common to
 * every event (community, author chain, nonce), then the type's handler. Pure: no clock,
 * randomness or I/O. A single node uses this to refuse an event before storing it.
 */
export function execute(state: GameState, verified: Pick<VerifiedEvent, 'event' | 'payload' | 'cid'>): Receipt {
  const seq = state.seq + 1;
  const ev: GameEvent = { event: verified.event, payload: verified.payload, cid: verified.cid, seq };
  checkEnvelope(state, ev);
  const handler = handlerFor(ev.event.type);
  if (!handler) throw new GameRejection('event.noHandler', `type: expected an event type this node applies, got ${ev.event.type}`, { field: 'type' });
  handler(state, ev);
  const author = canonicalDid(ev.event.author);
  const prior = state.authors.get(author);
  state.authors.set(author, { head: ev.cid, nonce: ev.event.nonce, events: (prior?.events ?? 0) + 1 });
  if (ev.event.time > state.clock) state.clock = ev.event.time;
  state.seq = seq;
  state.accepted += 1;
  return { seq, cid: ev.cid, status: 'accepted' };
}

/** The handler apply runs for `type`, or undefined for a type not in the event table. */
function handlerFor(type: string): ((state: GameState, ev: GameEvent) => void) | undefined {
  // verifyEvent parsed the payload with the schema of this very type, so it is that type's payload;
  // the cast only forgets which type that is (TypeScript cannot tie a runtime key to its handler).
  return isEventType(type) ? (HANDLERS[type] as (state: GameState, ev: GameEvent) => void) : undefined;
}

/**
 * Log replay: an ordered event that fails its stateful checks stays in the log with a
 * deterministic rejection receipt and advances only `seq` and `rejected`, so every node that
 * orders the same log keeps the same receipts and stateHash.
 */
export function apply(state: GameState, verified: Pick<VerifiedEvent, 'event' | 'payload' | 'cid'>): Receipt {
  try {
    return execute(state, verified);
  } catch (error) {
    if (!(error instanceof GameRejection)) throw error;
    state.seq += 1;
    state.rejected += 1;
    return { seq: state.seq, cid: verified.cid, status: 'rejected', code: error.code, message: error.message, field: error.details.field };
  }
}

function checkEnvelope(state: GameState, ev: GameEvent): void {
  const { event } = ev;
  if (state.community === null) {
    if (event.type !== 'community.create') {
      throw new GameRejection('community.missing', `type: expected community.create as the first event, got ${event.type}`, { field: 'type' });
    }
  } else if (event.community !== state.community.id) {
    throw new GameRejection('event.wrongCommunity', `community: expected ${state.community.id}, got ${event.community}`, { field: 'community' });
  }
  const author = state.authors.get(canonicalDid(event.author));
  const head = author?.head ?? null;
  if (event.prev !== head) {
    throw new GameRejection('event.forkedPrev', `prev: expected ${head ?? 'null'} (the author's latest accepted event), got ${event.prev ?? 'null'}`, { field: 'prev' });
  }
  const lastNonce = author?.nonce ?? 0;
  if (event.nonce <= lastNonce) {
    throw new GameRejection('event.nonceReplayed', `nonce: expected a nonce greater than ${lastNonce}, got ${event.nonce}`, { field: 'nonce' });
  }
}
