import { decode } from '../core/encoding.js';
import { ValidationError } from '../core/errors.js';
import { eventOfLogged } from '../events/dag-jws.js';
import { eventTypeSpec } from '../events/registry.js';
import type { VerifiedEvent } from '../events/verify.js';
import type { StoredEvent } from '../store/index.js';

/**
 * Re-reads an event from our own store for replay: decode and parse the payload (defaults matter
 * to apply), but trust the stored CID and the signature checked when it was appended.
 */
export function parseStored(stored: StoredEvent): VerifiedEvent {
  const event = eventOfLogged(decode(stored.bytes));
  const spec = eventTypeSpec(event.type);
  if (!spec) throw new ValidationError('event.unknownType', `stored event ${stored.seq}: expected a known type, got ${event.type}`);
  const payload = spec.payload.parse(event.payload) as Record<string, unknown>;
  return { event, payload, cid: stored.cid, bytes: stored.bytes, round: stored.round };
}
