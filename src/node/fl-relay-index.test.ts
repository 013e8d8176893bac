import { describe, expect, it } from 'vitest';
import { encode } from '../core/encoding.js';
import type { SignedEvent } from '../events/envelope.js';
import type { GameState } from '../game/state.js';
import type { EventStore, StoredEvent } from '../store/types.js';
import type { AppendedEvent } from '../engine/append-feed.js';
import { FlRelayIndex } from './fl-relay-index.js';

const did = (slot: number) => `did:key:z6Mkslot${slot}`;
/** One task 't' in round 1 with controllers in slots 1..8. */
const state = { fl: new Map([['t', { completed: 0, controllers: new Map(Array.from({ length: 8 }, (_, i) => [did(i + 1), { slot: i + 1 }])) }]]) } as unknown as GameState;

function keysEvent(slot: number): SignedEvent {
  return { v: 1, type: 'fl.update', community: 'c', author: did(slot), prev: null, nonce: 1, time: 1, payload: { task: 't', round: 1, body: { stage: 'keys', group: 0, slot, publicKey: `${slot}`.padStart(64, '0') } }, sig: 'x' } as SignedEvent;
}
const other = (): SignedEvent => ({ v: 1, type: 'ledger.transfer', community: 'c', author: did(1), prev: null, nonce: 2, time: 1, payload: {}, sig: 'x' }) as SignedEvent;

/** A log in memory that counts the relay's reads of it. */
function memoryLog() {
  const rows: StoredEvent[] = [];
  const log = {
    reads: 0,
    append(event: SignedEvent): AppendedEvent {
      const seq = rows.length + 1;
      rows.push({ seq, cid: `cid-${seq}`, type: event.type, author: event.author, round: 1, bytes: encode(event) });
      return { seq, event };
    },
    store: {
      head: async () => rows.length,
      readByType: async (type: string, after = 0, limit = Infinity) => {
        log.reads += 1;
        return rows.filter((r) => r.type === type && r.seq > after).slice(0, limit);
      },
    } as unknown as EventStore,
  };
  return log;
}

describe('FlRelayIndex', () => {
  it('indexes the events offered to it without reading the log, and reads the log only after a gap', async () => {
    const log = memoryLog();
    const relay = new FlRelayIndex(log.store);
    await relay.refresh(state);
    const readsAfterPriming = log.reads;

    relay.offer([1, 2, 3].map((slot) => log.append(keysEvent(slot))));
    await relay.refresh(state, 3);
    expect(relay.size('t', 1, 0, 'keys')).toBe(3);
    expect(log.reads).toBe(readsAfterPriming);

    // Another writer's events (4: not fl.update, 5: keys of slot 4) are never offered; 6 is, after the gap.
    log.append(other());
    log.append(keysEvent(4));
    relay.offer([log.append(keysEvent(5))]);
    expect(relay.size('t', 1, 0, 'keys')).toBe(3);
    await relay.refresh(state, 6);
    expect(log.reads).toBeGreaterThan(readsAfterPriming);
    expect(relay.messages('t', 1, 0, 'keys').map((m) => m.slot)).toEqual([1, 2, 3, 4, 5]);

    // Offered again (a late delivery), 6 is not indexed twice; 7 continues the index with no read.
    const reads = log.reads;
    relay.offer([{ seq: 6, event: keysEvent(5) }, log.append(keysEvent(6))]);
    await relay.refresh(state, 7);
    expect(relay.messages('t', 1, 0, 'keys').map((m) => m.slot)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(log.reads).toBe(reads);
  });
});
