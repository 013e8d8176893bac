import { decode } from '../core/encoding.js';
import type { SignedEvent } from '../events/envelope.js';
import type { LoggedEvent } from '../sdk/client.js';
import type { EventStore, StoredEvent } from '../store/index.js';

/** A stored row as the API shows it: index columns plus the signed event as JSON. */
export function toLoggedEvent(stored: StoredEvent): LoggedEvent {
  return { seq: stored.seq, cid: stored.cid, type: stored.type, author: stored.author, round: stored.round, event: decode<SignedEvent>(stored.bytes) };
}

export async function readLogPage(store: EventStore, after: number, limit: number): Promise<LoggedEvent[]> {
  return (await store.readAfter(after, limit)).map(toLoggedEvent);
}
