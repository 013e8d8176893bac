/**
 * Streams a log (or its tail) page by page, for replay and for followers catching up, without
 * holding it all in memory. Pages are read by seq, so events appended meanwhile are included.
 */
import type { EventStore, StoredEvent } from './types.js';

export async function* iterateLog(store: EventStore, afterSeq = 0, pageSize = 5000): AsyncGenerator<StoredEvent> {
  let last = afterSeq;
  for (;;) {
    const page = await store.readAfter(last, pageSize);
    if (page.length === 0) return;
    for (const event of page) yield event;
    last = page[page.length - 1].seq;
  }
}
